package us.kbase.ee2proxy.oracle;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import us.kbase.ee2proxy.oracle.Differential.Kind;

/**
 * What the differential admission test knows fails today, in one place. Each entry goes when its
 * fix merges: the test fails for a listed case that passes ("remove it from KnownFailures"), so the
 * list can only shrink with the fixes, never hide one.
 */
final class KnownFailures {
    private KnownFailures() {}

    /** Hand-written cases (HandWrittenCases) expected to show a violation, and why. */
    static final Map<String, String> CASES = Map.ofEntries(
            Map.entry("new-concierge-keeps-limits", "not in issue 16: a concierge job with ignore_concurrency_limits 0 "
                    + "takes account_group's slot at HTCondor (the concierge only)"),
            Map.entry("new-finish-invalid-output", "not in issue 16: over-count only: EE2 ends a job whose finish_job it "
                    + "answers with an error"));

    /** Why a generator tag is known to fail, and the findings it explains. */
    record Known(String why, Set<Kind> kinds) {}

    private static final Set<Kind> BYPASS = EnumSet.of(Kind.CAP, Kind.UNCOUNTED);

    /**
     * Generator tags (BodyGenerator) whose bodies are expected to show findings: a finding in a
     * generated step carrying one of these, of one of its kinds, is reported as known; any other
     * finding fails the test.
     */
    static final Map<String, Known> GENERATED_TAGS = Map.ofEntries(
            // Fixed: a ticket without a job id stays counted until it expires, an over-count. (Its
            // bypasses in seed 162016 were all KBParallel-shaped calls, explained by KBPARALLEL_SHAPE.)
            Map.entry(BodyGenerator.UNREADABLE_REPLY, new Known("issue 16 item 2 (now fails closed: an over-count)",
                    EnumSet.of(Kind.OVERCOUNT))),
            // Fixed: a retry whose lookup fails is now counted as a parallel app, the strictest class.
            Map.entry(BodyGenerator.RETRY_LOOKUP_FAILS, new Known("issue 16 item 6 (now fails closed: an over-count)",
                    EnumSet.of(Kind.OVERCOUNT))),
            Map.entry(BodyGenerator.KBPARALLEL_SHAPE, new Known("by design (issue 11): a run_job in KBParallel's shape"
                    + " while the user runs a parallel app is trusted as that app's child or nested app, up to"
                    + " C_maxNestingDepth, and its workers up to children.perParent x the user's running apps (issue"
                    + " 16 item 8); the truth here does not attribute calls without parent_job_id", BYPASS)),
            Map.entry(BodyGenerator.UNPROVEN_FINISH, new Known("by design (issue 16 item 2): a finish or cancel whose"
                    + " answer proves nothing keeps the lease until a check_* reply or the reconciler",
                    EnumSet.of(Kind.OVERCOUNT))),
            // Fixed: a job-creating call auth2 cannot vouch for is refused; a finish by a caller auth2
            // cannot identify frees nothing until a check_* reply or the reconciler (an over-count).
            Map.entry(BodyGenerator.AUTH2_4XX, new Known("issue 16 item 7 (now fails closed: an over-count)",
                    EnumSet.of(Kind.OVERCOUNT))),
            // Fixed (issue 16 item 8): own-module copies are children up to children.perParent, and the
            // truth (Truth) follows that rule; OWN_MODULE_CHILD still tags them in the report.
            Map.entry(BodyGenerator.FINISH_INVALID_OUTPUT, new Known("not in issue 16: over-count after an output EE2 "
                    + "rejects", EnumSet.of(Kind.OVERCOUNT))),
            Map.entry(BodyGenerator.JOB_ID_CASE, new Known("not in issue 16: over-count, EE2 reads job ids in any case",
                    EnumSet.of(Kind.OVERCOUNT))));
}
