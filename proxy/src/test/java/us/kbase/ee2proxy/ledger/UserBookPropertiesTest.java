package us.kbase.ee2proxy.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;

/**
 * UserBook keeps its counts and expiry order incrementally; after any sequence of steps they must
 * equal what a plain scan of the leases says (the model below is the book before it was made
 * incremental).
 */
class UserBookPropertiesTest {
    private static final List<SlotClaim> CLAIMS = List.of(SlotClaim.parentAt(0, "kb_Bowtie2"),
            SlotClaim.parentAt(1, "kb_concoct"), SlotClaim.job("kb_quast"));

    /** One step: kind, a small ticket/job number, a claim, and how far the clock moves first. */
    record Step(int kind, int n, int claim, int advance) {}

    @Test
    void countsAndSweepsAgreeWithAScanOfTheLeases() {
        qt().withExamples(300).forAll(steps()).checkAssert(UserBookPropertiesTest::agreeWithAScanOfTheLeases);
    }

    private static void agreeWithAScanOfTheLeases(List<Step> steps) {
        UserBook book = new UserBook();
        Map<String, Object[]> model = new HashMap<>(); // id -> {claim, expiresAt}
        Map<String, Long> modelTombstones = new HashMap<>();
        long now = 0;
        for (Step step : steps) {
            now += step.advance;
            List<String> expired = book.sweep(now);
            List<String> modelExpired = sweep(model, modelTombstones, now);
            assertThat(expired).containsExactlyInAnyOrderElementsOf(modelExpired);
            String ticket = "t" + step.n;
            String job = "job" + step.n;
            SlotClaim claim = CLAIMS.get(step.claim);
            switch (step.kind) {
                case 0 -> {
                    boolean admitted = book.acquire(ticket, new SlotDemand(List.of(claim, SlotClaim.job("x")), 3, 6),
                            now + 50) == Admission.Verdict.ADMITTED;
                    if (admitted && !model.containsKey("t:" + ticket + ":0")) {
                        model.put("t:" + ticket + ":0", new Object[] {claim, now + 50});
                        model.put("t:" + ticket + ":1", new Object[] {SlotClaim.job("x"), now + 50});
                    }
                }
                case 1 -> {
                    book.bind(ticket, List.of(job), now + 500, new int[1]);
                    Object[] first = model.remove("t:" + ticket + ":0");
                    model.remove("t:" + ticket + ":1");
                    if (first != null && !modelTombstones.containsKey(job)) {
                        model.put("j:" + job, new Object[] {first[0], now + 500});
                    }
                }
                case 2 -> {
                    book.releaseJob(job, now + 100);
                    modelTombstones.put(job, now + 100);
                    model.remove("j:" + job);
                }
                case 3 -> {
                    book.releaseTicket(ticket);
                    model.remove("t:" + ticket + ":0");
                    model.remove("t:" + ticket + ":1");
                }
                default -> {
                    book.adopt(job, claim, now + 300);
                    if (!modelTombstones.containsKey(job)) {
                        model.put("j:" + job, new Object[] {claim, now + 300});
                    }
                }
            }
            assertThat(book.counts()).isEqualTo(counts(model));
            assertThat(book.isEmpty()).isEqualTo(model.isEmpty() && modelTombstones.isEmpty());
        }
    }

    /** Up to 80 steps. */
    static Gen<List<Step>> steps() {
        Gen<Integer> kind = integers().between(0, 4);
        Gen<Integer> n = integers().between(0, 5);
        Gen<Integer> claim = integers().between(0, CLAIMS.size() - 1);
        Gen<Integer> advance = integers().between(0, 40);
        Gen<Step> step = in -> new Step(kind.generate(in), n.generate(in), claim.generate(in), advance.generate(in));
        return lists().of(step).ofSizeBetween(0, 80);
    }

    private static List<String> sweep(Map<String, Object[]> model, Map<String, Long> tombstones, long now) {
        List<String> expired = new ArrayList<>();
        model.entrySet().removeIf(e -> {
            if ((long) e.getValue()[1] <= now) {
                expired.add(e.getKey().startsWith("j:") ? e.getKey().substring(2) : null);
                return true;
            }
            return false;
        });
        tombstones.values().removeIf(expiry -> expiry <= now);
        return expired;
    }

    private static UserCounts counts(Map<String, Object[]> model) {
        int parents = 0;
        Map<String, Integer> byApp = new HashMap<>();
        for (Object[] lease : model.values()) {
            SlotClaim claim = (SlotClaim) lease[0];
            if (claim.parent()) {
                parents++;
                byApp.merge(claim.app(), 1, Integer::sum);
            }
        }
        return new UserCounts(parents, model.size(), byApp);
    }
}
