package us.kbase.ee2proxy.admission;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import us.kbase.ee2proxy.policy.classify.JobClass;
import us.kbase.ee2proxy.policy.decide.Decision;

/**
 * Admission's metrics, in the proxy's registry (so {@code /metrics} exports them):
 * {@code ee2proxy.admission.<admitted|held|refused>.<class>} counters (class: plain, parent,
 * child, batch, exempt), {@code ee2proxy.admission.shadow.<held|refused>.<class>} (what enforce
 * would have done, in shadow mode), {@code ee2proxy.admission.hold.seconds} (time from arrival to
 * the end of a hold), {@code ee2proxy.admission.ledger.seconds} (one tryAcquire),
 * {@code ee2proxy.admission.held.now}, and counters of the calls answered without a decision:
 * {@code ee2proxy.admission.auth.unavailable}, {@code ee2proxy.admission.ledger.unavailable},
 * {@code ee2proxy.admission.hold.cap} (admission.maxHeld reached), {@code ee2proxy.admission.hold.cap.user}
 * (admission.maxHeldPerUser reached), {@code ee2proxy.admission.hold.cap.child_admitted} (a child
 * that found no room admitted rather than refused), {@code ee2proxy.admission.child.beyond_bound} (a
 * call sent as a running app's child whose parent had children.perParent unfinished children
 * already: classified as if it had no parent), {@code ee2proxy.admission.lease.kept} (EE2 may have
 * created a job whose id never came back: the provisional lease is left to expire) and, of those,
 * {@code ee2proxy.admission.lease.kept.unclear_answer} (an answer that named no job and did not
 * prove none was made: an empty 200, a gateway's 502, ...). Redis errors are the ledger's own
 * {@code ledger.redis.errors}.
 */
public final class AdmissionMetrics {
    private static final String PREFIX = "ee2proxy.admission.";

    private final MetricRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Timer holdTime;
    private final Timer ledgerTime;

    public AdmissionMetrics(MetricRegistry registry) {
        this.registry = registry;
        this.holdTime = registry.timer(PREFIX + "hold.seconds");
        this.ledgerTime = registry.timer(PREFIX + "ledger.seconds");
    }

    /** The class label of a call: plain, parent, child, batch or exempt. */
    static String label(JobClass c) {
        return c.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    void admitted(JobClass c) {
        count("admitted." + label(c));
    }

    void held(JobClass c) {
        count("held." + label(c));
    }

    void refused(JobClass c) {
        count("refused." + label(c));
    }

    /** In shadow mode: enforce would have held or refused this admitted call. */
    void shadow(JobClass c, Decision wouldHave) {
        count("shadow." + (wouldHave instanceof Decision.Hold ? "held." : "refused.") + label(c));
    }

    void holdEnded(Duration waited) {
        holdTime.update(waited.toNanos(), TimeUnit.NANOSECONDS);
    }

    void ledgerTook(long nanos) {
        ledgerTime.update(nanos, TimeUnit.NANOSECONDS);
    }

    void authUnavailable() {
        count("auth.unavailable");
    }

    void ledgerUnavailable() {
        count("ledger.unavailable");
    }

    void holdCapReached() {
        count("hold.cap");
    }

    void userHoldCapReached() {
        count("hold.cap.user");
    }

    /** A child found no room to wait and was admitted rather than refused. */
    void childAdmittedWithoutRoom() {
        count("hold.cap.child_admitted");
    }

    void beyondChildBound() {
        count("child.beyond_bound");
    }

    void leaseKept() {
        count("lease.kept");
    }

    /** Kept because an answer named no job and did not prove none was made (also counted in lease.kept). */
    void leaseKeptOnUnclearAnswer() {
        count("lease.kept");
        count("lease.kept.unclear_answer");
    }

    /** Registers the gauge of calls held now. */
    void heldNow(IntSupplier held) {
        registry.gauge(PREFIX + "held.now", () -> (Gauge<Integer>) held::getAsInt);
    }

    private void count(String name) {
        counters.computeIfAbsent(name, n -> registry.counter(PREFIX + n)).inc();
    }
}
