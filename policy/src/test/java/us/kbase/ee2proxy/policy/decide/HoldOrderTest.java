package us.kbase.ee2proxy.policy.decide;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.Classifier;
import us.kbase.ee2proxy.policy.classify.ParentLookup;
import us.kbase.ee2proxy.policy.classify.RetryLookup;
import us.kbase.ee2proxy.policy.request.JobCreation.RunJob;
import us.kbase.ee2proxy.policy.request.JobCreation.RunJobBatch;
import us.kbase.ee2proxy.policy.request.RunJobParams;

class HoldOrderTest {
    record Held(String name, Classification c) {}

    static final ParentLookup PARENTS = ParentLookup.of("alice", Map.of(
            "A", SlotClaim.parentAt(0, "kb_BatchApp"), "B", SlotClaim.parentAt(0, "kb_Bowtie2"),
            "N", SlotClaim.parentAt(1, "kb_hisat2")));

    static Held held(String name, String method, String parent) {
        return new Held(name, Classifier.classify(AdmissionPolicy.defaults(),
                new RunJob(RunJobParams.of(method).withParentJobId(parent), false), "alice", PARENTS, RetryLookup.NONE));
    }

    @Test
    void nestedAppsFirstThenChildrenRoundRobinAcrossTheirParentsThenNewApps() {
        Held a1 = held("a1", "kb_quast.run", "A");
        Held a2 = held("a2", "kb_quast.run", "A");
        Held a3 = held("a3", "kb_quast.run", "A");
        Held top = held("top", "kb_Bwa.run", null);
        Held b1 = held("b1", "kb_quast.run", "B");
        Held deep = held("deep", "kb_Bwa.run", "N");
        Held batch = new Held("batch", Classifier.classify(AdmissionPolicy.defaults(), new RunJobBatch(
                List.of(RunJobParams.of("kb_quast.run")), false), "alice", PARENTS, RetryLookup.NONE));
        Held b2 = held("b2", "kb_quast.run", "B");
        List<Held> arrival = List.of(a1, a2, a3, top, b1, deep, batch, b2);
        assertThat(HoldOrder.of(arrival, Held::c)).extracting(Held::name)
                .containsExactly("deep", "a1", "b1", "batch", "a2", "b2", "a3", "top");
        assertThat(HoldOrder.of(List.<Held>of(), Held::c)).isEmpty();
        assertThat(HoldOrder.of(List.of(a1), Function.<Held>identity().andThen(Held::c))).containsExactly(a1);
    }

    /**
     * Issue 13: a scientist's interactive job arriving last, behind many waiting children and a
     * burst of the user's own plain jobs, is tried first at the next free slot: the user's own jobs
     * go before children and parallel apps, and among them the app with the fewest calls waiting.
     */
    @Test
    void anInteractiveJobArrivingBehindWaitingChildrenAndABurstOfPlainJobsIsTriedFirst() {
        List<Held> arrival = new java.util.ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            arrival.add(held("a" + i, "kb_quast.run", "A"));
            arrival.add(held("b" + i, "kb_quast.run", "B"));
        }
        for (int i = 1; i <= 4; i++) {
            arrival.add(held("plain" + i, "kb_Plain.run_plain", null));
        }
        arrival.add(held("top", "kb_Bwa.run", null));
        arrival.add(held("interactive", "kb_Interactive.import_reads", null));
        List<String> order = HoldOrder.of(arrival, Held::c).stream().map(Held::name).toList();
        assertThat(order).startsWith("interactive", "plain1", "plain2", "plain3", "plain4", "a1", "b1", "a2");
        assertThat(order).hasSize(arrival.size()).endsWith("b6", "top");
        // Two apps with bursts: one call of each per round, the smaller burst first.
        Held x1 = held("x1", "kb_X.run", null);
        Held x2 = held("x2", "kb_X.run", null);
        Held x3 = held("x3", "kb_X.run", null);
        Held y1 = held("y1", "kb_Y.run", null);
        Held y2 = held("y2", "kb_Y.run", null);
        assertThat(HoldOrder.of(List.of(x1, x2, x3, y1, y2), Held::c)).extracting(Held::name)
                .containsExactly("y1", "x1", "y2", "x2", "x3");
    }

    @Test
    void aCallMovedAheadGoesFirstAmongItsKindAndOneMovedBehindLast() {
        Held a1 = held("a1", "kb_quast.run", "A");
        Held a2 = held("a2", "kb_quast.run", "A");
        Held b1 = held("b1", "kb_quast.run", "B");
        Held b2 = held("b2", "kb_quast.run", "B");
        Held top = held("top", "kb_Bwa.run", null);
        Held deep = held("deep", "kb_Bwa.run", "N");
        List<Held> arrival = List.of(a1, a2, b1, b2, top, deep);
        Map<Held, Integer> moved = Map.of(b2, 1, a1, -1, top, 1);
        // b2 passes every child; a1 goes last among them. A moved call stays in its group: the nested
        // app before children, the new top-level app after them.
        assertThat(HoldOrder.of(arrival, Held::c, h -> moved.getOrDefault(h, 0))).extracting(Held::name)
                .containsExactly("deep", "b2", "a2", "b1", "a1", "top");
        // Nothing moved: the rules alone.
        assertThat(HoldOrder.of(arrival, Held::c, h -> 0)).containsExactlyElementsOf(HoldOrder.of(arrival, Held::c));
    }
}
