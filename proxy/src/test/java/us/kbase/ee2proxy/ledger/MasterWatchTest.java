package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which masters answering a decision are a failover, by their replication ids alone. */
class MasterWatchTest {
    private static final String NONE = "0000000000000000000000000000000000000000";
    private final MasterWatch watch = new MasterWatch();

    @Test
    void theFirstMastersSeenAreNewThenKnown() {
        assertThat(watch.see(new MasterId("a", NONE))).isEqualTo(MasterWatch.Seen.NEW);
        assertThat(watch.see(new MasterId("a", NONE))).isEqualTo(MasterWatch.Seen.KNOWN);
        // Another shard's master, itself promoted long ago from one this replica never saw.
        assertThat(watch.see(new MasterId("b", "old"))).isEqualTo(MasterWatch.Seen.NEW);
    }

    @Test
    void aReplicaPromotedInPlaceOfAKnownMasterIsAFailoverUntilTheLedgerIsRebuilt() {
        watch.see(new MasterId("a", NONE));
        MasterId promoted = new MasterId("p", "a");
        assertThat(watch.see(promoted)).isEqualTo(MasterWatch.Seen.FAILED_OVER);
        // Every decision on it is, until the rebuild: none is taken on what it may have lost.
        assertThat(watch.see(promoted)).isEqualTo(MasterWatch.Seen.FAILED_OVER);
        watch.forget();
        assertThat(watch.see(promoted)).isEqualTo(MasterWatch.Seen.NEW);
        assertThat(watch.see(promoted)).isEqualTo(MasterWatch.Seen.KNOWN);
    }

    @Test
    void aLedgerInMemoryHasNoMaster() {
        assertThat(watch.see(null)).isEqualTo(MasterWatch.Seen.KNOWN);
    }
}
