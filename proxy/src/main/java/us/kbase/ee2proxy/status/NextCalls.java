package us.kbase.ee2proxy.status;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.AppPattern;
import us.kbase.ee2proxy.policy.DurationText;
import us.kbase.ee2proxy.policy.EffectivePolicy;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.UserCounts;
import us.kbase.ee2proxy.policy.classify.Classification;
import us.kbase.ee2proxy.policy.classify.JobClass;
import us.kbase.ee2proxy.policy.decide.Admission;
import us.kbase.ee2proxy.policy.decide.Decision;

/**
 * What a user's next call of each class would get on the counts the ledger last gave admission
 * (the console's {@code explain --live}): a plain job, a new parallel app, and a child of the
 * user's first running parallel app. Pure: the policy's own decision on those counts; the
 * ledger's atomic take may still find them changed.
 */
final class NextCalls {
    private NextCalls() {}

    static List<Views.Next> of(AdmissionPolicy policy, String user, UserCounts counts, List<ParallelApp> apps) {
        EffectivePolicy p = policy.forUser(user);
        UserCounts c = counts == null ? UserCounts.ZERO : counts;
        List<Views.Next> out = new ArrayList<>(3);
        String plain = "plain job";
        out.add(next(plain, p, c, new Classification(new JobClass.Plain(plain), user, List.of(SlotClaim.job(plain)),
                List.of(0))));
        String app = parallelApp(policy, apps);
        out.add(next("new parallel app (" + app + ")", p, c, new Classification(new JobClass.Parent(0, app, null), user,
                List.of(SlotClaim.parentAt(0, app)), List.of(0))));
        for (ParallelApp a : apps) {
            if (a.listed()) {
                String child = "child job";
                out.add(next("child of " + a.jobId() + " (" + a.app() + ")", p, c, new Classification(
                        new JobClass.Child(a.jobId(), child), user, List.of(SlotClaim.childOf(a.jobId(), child)),
                        List.of(0), true)));
                break;
            }
        }
        return out;
    }

    private static Views.Next next(String call, EffectivePolicy p, UserCounts c, Classification k) {
        Decision d = Admission.decide(p, c, k, Duration.ZERO);
        return new Views.Next(call, headline(d), d.reason().adminMessage());
    }

    private static String headline(Decision d) {
        if (d instanceof Decision.Admit a) {
            return a.shadowOf().map(e -> "admitted (shadow mode; enforce: " + headline(e) + ")").orElse("admitted");
        }
        if (d instanceof Decision.Hold h) {
            return "waits at the proxy up to " + DurationText.compact(h.atMost()) + ", then "
                    + h.then().name().toLowerCase(Locale.ROOT);
        }
        return "refused";
    }

    /** The user's own listed app, else the policy's first plain parents.apps entry's module. */
    private static String parallelApp(AdmissionPolicy policy, List<ParallelApp> apps) {
        for (ParallelApp a : apps) {
            if (a.listed()) {
                return a.app();
            }
        }
        for (AppPattern pattern : policy.parallelApps()) {
            String t = pattern.text();
            if (!t.contains("*") && !t.contains("?")) {
                return t.split("[./]")[0];
            }
        }
        return "parallel app";
    }
}
