package us.kbase.ee2proxy.bench.priority;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import us.kbase.ee2proxy.sim.workload.WaitAnatomy;
import us.kbase.ee2proxy.sim.workload.WaitAnatomy.InteractiveWait;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;

/**
 * Prints what the slowest interactive jobs (p90 and up, over every run) waited behind, and how
 * the users' slots were used, from the runs' {@link WaitAnatomy}.
 */
final class AnatomyPrinter {
    private static final int SAMPLE = 15;

    private AnatomyPrinter() {}

    static void print(String variant, List<WorkloadReport> reports) {
        List<InteractiveWait> all = new ArrayList<>();
        double available = 0;
        double idleAtProxy = 0;
        double idleAtEe2 = 0;
        Map<String, Double> busy = new TreeMap<>();
        for (WorkloadReport r : reports) {
            if (r.anatomy() == null) {
                continue;
            }
            all.addAll(r.anatomy().interactive());
            WaitAnatomy.SlotUse u = r.anatomy().slotUse();
            available += u.available();
            idleAtProxy += u.idleWhileWaitingAtProxy();
            idleAtEe2 += u.idleWhileQueuedAtEe2();
            u.busy().forEach((k, v) -> busy.merge(k, v, Double::sum));
        }
        all.sort(Comparator.comparingDouble(InteractiveWait::waited));
        int n = all.size();
        if (n == 0) {
            return;
        }
        System.out.printf(Locale.ROOT, "%n== %s: %d interactive jobs, wait p50 %.1f p90 %.1f p95 %.1f max %.1f s%n",
                variant, n, at(all, 0.50), at(all, 0.90), at(all, 0.95), all.get(n - 1).waited());
        List<InteractiveWait> slow = all.subList((int) Math.floor(0.9 * n), n);
        System.out.printf(Locale.ROOT, "p90+ (%d jobs), mean wait: before EE2 created it %.1f s, queued at EE2 %.1f s, "
                + "starting %.1f s%n", slow.size(), mean(slow, InteractiveWait::beforeEe2),
                mean(slow, InteractiveWait::queuedAtEe2), mean(slow, InteractiveWait::starting));
        Map<String, Integer> ahead = new TreeMap<>();
        Map<String, Integer> running = new TreeMap<>();
        Map<String, Integer> atProxy = new TreeMap<>();
        for (InteractiveWait w : slow) {
            w.queuedAhead().forEach((k, v) -> ahead.merge(k, v, Integer::sum));
            w.running().forEach((k, v) -> running.merge(k, v, Integer::sum));
            w.atProxy().forEach((k, v) -> atProxy.merge(k, v, Integer::sum));
        }
        System.out.printf("p90+ summed at its creation: queued ahead at EE2 %s; holding slots %s; on the way %s%n",
                ahead, running, atProxy);
        for (int i = slow.size() - 1; i >= Math.max(0, slow.size() - SAMPLE); i--) {
            InteractiveWait w = slow.get(i);
            System.out.printf(Locale.ROOT, "  %-12s %7.1f s = %6.1f + queued %6.1f + starting %5.1f | ahead %s | slots %s "
                    + "| on the way %s%n", w.user(), w.waited(), w.beforeEe2(), w.queuedAtEe2(), w.starting(),
                    w.queuedAhead(), w.running(), w.atProxy());
        }
        System.out.printf(Locale.ROOT, "slot-seconds: available %.0f, busy %s (%.0f%%), idle while calls waited at the "
                + "proxy or were on their way %.0f (%.1f%%), idle while jobs queued at EE2 %.0f%n", available, rounded(busy),
                100 * busy.values().stream().mapToDouble(Double::doubleValue).sum() / available, idleAtProxy,
                100 * idleAtProxy / available, idleAtEe2);
    }

    private static double mean(List<InteractiveWait> l, ToDoubleFunction<InteractiveWait> f) {
        return l.stream().mapToDouble(f).average().orElse(0);
    }

    private static double at(List<InteractiveWait> sorted, double p) {
        int idx = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx))).waited();
    }

    private static Map<String, Long> rounded(Map<String, Double> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, Math.round(v)));
        return out;
    }
}
