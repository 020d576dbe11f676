package us.kbase.ee2proxy.policy.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.Mode;
import us.kbase.ee2proxy.policy.RedisFailureMode;
import us.kbase.ee2proxy.policy.WhenFull;
import us.kbase.ee2proxy.policy.request.RunJobParams;

class PolicyLoaderTest {
    static final Path CONFIG = Path.of("..", "config");

    static List<Problem> problems(String yaml) {
        try {
            PolicyLoader.parse(yaml, "p.yaml");
        } catch (PolicyException e) {
            return e.problems();
        }
        throw new AssertionError("expected the policy to be refused:\n" + yaml);
    }

    static Problem only(String yaml) {
        List<Problem> ps = problems(yaml);
        assertThat(ps).hasSize(1);
        return ps.get(0);
    }

    @Test
    void theShippedDefaultFileIsKBaseToday() throws Exception {
        AdmissionPolicy p = PolicyLoader.load(CONFIG.resolve("policy.yaml"));
        AdmissionPolicy d = AdmissionPolicy.defaults();
        assertThat(p.defaultLimits()).isEqualTo(d.defaultLimits()).isEqualTo(Limits.KBASE);
        assertThat(p.parallelApps()).isEqualTo(d.parallelApps());
        assertThat(p.mode()).isEqualTo(Mode.ENFORCE);
        assertThat(p.redisFailureMode()).isEqualTo(RedisFailureMode.WAIT);
        assertThat(d.redisFailureMode()).isEqualTo(RedisFailureMode.WAIT);
        assertThat(p.exemptUsers()).isEmpty();
        assertThat(p.overrides()).isEmpty();
        assertThat(p.ownModuleJobs()).isEqualTo(d.ownModuleJobs());
    }

    @Test
    void everyShippedExampleLoads() throws Exception {
        try (Stream<Path> files = Files.list(CONFIG.resolve("examples"))) {
            List<Path> yamls = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
            assertThat(yamls).hasSizeGreaterThanOrEqualTo(3);
            for (Path f : yamls) {
                assertThat(PolicyLoader.load(f).source()).isEqualTo(f.toString());
            }
        }
    }

    @Test
    void theStrictAndShadowExamplesSayWhatTheirNamesPromise() throws Exception {
        AdmissionPolicy strict = PolicyLoader.load(CONFIG.resolve("examples/strict.yaml"));
        assertThat(strict.mode()).isEqualTo(Mode.ENFORCE);
        assertThat(strict.redisFailureMode()).isEqualTo(RedisFailureMode.REFUSE);
        assertThat(strict.defaultLimits().parentsWhenFull()).isEqualTo(WhenFull.REFUSE);
        assertThat(strict.defaultLimits().parentsMaxPerUser()).isLessThan(Limits.KBASE.parentsMaxPerUser());
        AdmissionPolicy shadow = PolicyLoader.load(CONFIG.resolve("examples/shadow.yaml"));
        assertThat(shadow.mode()).isEqualTo(Mode.SHADOW);
        assertThat(shadow.redisFailureMode()).isEqualTo(RedisFailureMode.ADMIT);
        assertThat(shadow.defaultLimits()).isEqualTo(Limits.KBASE);
    }

    @Test
    void keysLeftOutTakeTheDefaultsAndOverridesInheritThem() throws Exception {
        AdmissionPolicy p = PolicyLoader.parse("""
                mode: shadow
                redis: {onFailure: refuse}
                parents:
                  apps: [kb_meta_*, kb_Foo.bar, kb_Baz/run_app]
                  whenFull: refuse
                overrides:
                  - name: smith-lab
                    users: [alice, bob]
                    slots: 20
                    parents: {maxPerUser: 12}
                    children: {maxWait: 5m}
                """, "p.yaml");
        assertThat(p.mode()).isEqualTo(Mode.SHADOW);
        assertThat(p.redisFailureMode()).isEqualTo(RedisFailureMode.REFUSE);
        assertThat(p.defaultLimits()).isEqualTo(new Limits(10, 5, 2, WhenFull.REFUSE, Duration.ofMinutes(10), 0,
                Duration.ofMinutes(15), 1, Limits.KBPARALLEL_MAX_TASKS, Limits.OWN_JOBS_NEVER_WAIT, Duration.ofMinutes(10),
                Duration.ofMinutes(10)));
        var alice = p.forUser("alice");
        assertThat(alice.override()).isEqualTo("smith-lab");
        assertThat(alice.limits()).isEqualTo(new Limits(20, 12, 2, WhenFull.REFUSE, Duration.ofMinutes(10), 0,
                Duration.ofMinutes(5), 1, Limits.KBPARALLEL_MAX_TASKS, Limits.OWN_JOBS_NEVER_WAIT, Duration.ofMinutes(10),
                Duration.ofMinutes(10)));
        assertThat(p.forUser("carol").limits()).isEqualTo(p.defaultLimits());
        assertThat(p.overrides().get(0).keys())
                .containsExactlyInAnyOrder("slots", "parents.maxPerUser", "children.maxWait");
        assertThat(p.isParallelApp(RunJobParams.of("kb_meta_decoder.run"))).isTrue();
        assertThat(p.isParallelApp(RunJobParams.of("kb_Foo.bar"))).isTrue();
        assertThat(p.isParallelApp(RunJobParams.of("kb_Foo.baz"))).isFalse();
        assertThat(p.isParallelApp(new RunJobParams("kb_Baz.run_app", "kb_Baz/run_app", null, false,
                us.kbase.ee2proxy.policy.request.JobRequirements.NONE))).isTrue();
        assertThat(p.isParallelApp(RunJobParams.of("kb_Bowtie2.align"))).isFalse();
    }

    @Test
    void ownJobsKeysAreReadAtTheTopAndInOverridesAndCheckedWithAClearFix() throws Exception {
        AdmissionPolicy p = PolicyLoader.parse("""
                ownJobs: {maxQueued: 2, maxWait: 3m}
                overrides:
                  - name: old-rules
                    users: [alice]
                    ownJobs: {maxQueued: 1000000}
                """, "p.yaml");
        assertThat(p.defaultLimits().ownJobsMaxQueued()).isEqualTo(2);
        assertThat(p.defaultLimits().ownJobLimit()).isEqualTo(12);
        assertThat(p.defaultLimits().ownJobsMaxWait()).isEqualTo(Duration.ofMinutes(3));
        Limits alice = p.forUser("alice").limits();
        assertThat(alice.ownJobsMaxQueued()).isEqualTo(Limits.OWN_JOBS_NEVER_WAIT);
        assertThat(alice.ownJobLimit()).isEqualTo(us.kbase.ee2proxy.policy.SlotDemand.UNLIMITED);
        assertThat(alice.ownJobsMaxWait()).isEqualTo(Duration.ofMinutes(3));
        assertThat(p.overrides().get(0).keys()).containsExactly("ownJobs.maxQueued");
        Problem negative = only("ownJobs:\n  maxQueued: -1\n");
        assertThat(negative.what()).isEqualTo("ownJobs.maxQueued must be between 0 and 1000000, got -1");
        assertThat(negative.fix()).contains("1000000 means they never wait");
        Problem tooLong = only("ownJobs:\n  maxWait: 30m\n");
        assertThat(tooLong.toString()).contains("ownJobs.maxWait").contains("30 minutes");
    }

    @Test
    void unknownKeyIsPlacedAndTheNearestKeySuggested() {
        Problem p = only("""
                slots: 10
                parents:
                  maxPerUsers: 4
                """);
        assertThat(p.line()).isEqualTo(3);
        assertThat(p.column()).isEqualTo(3);
        assertThat(p.what()).isEqualTo("unknown key parents.maxPerUsers");
        assertThat(p.fix()).startsWith("did you mean parents.maxPerUser?");
        assertThat(p.toString()).startsWith("p.yaml:3:3: unknown key parents.maxPerUsers");
    }

    @Test
    void unknownKeyFarFromEveryKnownOneListsTheAllowedKeys() {
        Problem p = only("colour: blue\n");
        assertThat(p.fix()).startsWith("remove it; keys allowed here: mode, redis, parents, children, ownJobs, slots");
    }

    @Test
    void wrongTypesSayWhatWasFoundAndWhatToWrite() throws Exception {
        assertThat(only("slots: \"12\"\n")).satisfies(p -> {
            assertThat(p.what()).isEqualTo("slots must be a whole number, but it is the text \"12\"");
            assertThat(p.fix()).isEqualTo("write the number without quotes: slots: 12");
            assertThat(p.line()).isEqualTo(1);
            assertThat(p.column()).isEqualTo(8);
        });
        assertThat(only("slots: 9.5\n").what()).isEqualTo("slots must be a whole number, but it is the number 9.5");
        assertThat(only("parents: 5\n").what())
                .isEqualTo("parents must be a mapping of keys, but it is the number 5");
        assertThat(only("parents:\n  apps: {a: b}\n").what())
                .isEqualTo("parents.apps must be a list of names, but it is a mapping (key: value lines)");
        assertThat(only("parents:\n  apps: [kb_Bwa, 7]\n")).satisfies(p -> {
            assertThat(p.what()).isEqualTo("an item of parents.apps is the number 7, not a name");
            assertThat(p.column()).isEqualTo(18);
        });
        assertThat(only("mode: strict\n")).satisfies(p -> {
            assertThat(p.what()).isEqualTo("mode is \"strict\", which is not one of: enforce, shadow");
            assertThat(p.fix()).isEqualTo("write one of: enforce, shadow");
        });
        assertThat(only("redis:\n  onFailure: true\n").what())
                .isEqualTo("redis.onFailure must be one of: wait, local, admit, refuse, but it is the boolean true");
        // local decides on one replica's own counts: several replicas would each fill a cap.
        assertThat(only("redis:\n  onFailure: local\n").what()).startsWith("redis.onFailure: local decides on this");
        assertThat(only("redis:\n  onFailure: local\n  replicas: 3\n").what()).startsWith("redis.onFailure: local");
        assertThat(PolicyLoader.parse("redis:\n  onFailure: local\n  replicas: 1\n", "one").redisReplicas()).isEqualTo(1);
        assertThat(only("overrides: {alice: {slots: 3}}\n").what())
                .isEqualTo("overrides must be a list of entries, but it is a mapping (key: value lines)");
    }

    @Test
    void emptyValuesListsWhereScalarsBelongAndNonMappingEntries() {
        assertThat(only("slots:\n").what()).isEqualTo("slots must be a whole number, but it is nothing (an empty value)");
        assertThat(only("children:\n  maxWait: [10m]\n").what())
                .isEqualTo("children.maxWait must be a duration such as 10m or 90s, but it is a list");
        assertThat(only("overrides:\n  - alice\n")).satisfies(p -> {
            assertThat(p.what()).isEqualTo("an entry of overrides is the text \"alice\", not a mapping");
            assertThat(p.fix()).startsWith("write each override as a list entry");
            assertThat(p.line()).isEqualTo(2);
        });
        assertThat(only("overrides:\n  - name: [a]\n    users: [alice]\n    slots: 11\n").what())
                .isEqualTo("overrides[0].name must be a non-empty name, but it is a list");
        assertThat(only("exempt:\n  users: nobody\n  groups: [x]\n").what()).isEqualTo("unknown key exempt.groups");
    }

    @Test
    void outOfRangeNumbersAreRefused() {
        assertThat(only("parents:\n  maxPerUser: 0\n")).satisfies(p -> {
            assertThat(p.what()).isEqualTo("parents.maxPerUser must be at least 1, got 0");
            assertThat(p.fix()).contains("KBase uses 5");
            assertThat(p.line()).isEqualTo(2);
        });
        assertThat(only("slots: 1\n").what()).isEqualTo("slots must be between 2 and 10000, got 1");
        assertThat(only("parents:\n  maxNestingDepth: -1\n").what())
                .isEqualTo("parents.maxNestingDepth must be at least 0, got -1");
        assertThat(only("children:\n  maxQueued: -3\n").what())
                .isEqualTo("children.maxQueued must be between 0 and 1000000, got -3");        assertThat(only("children:\n  perParent: 0\n")).satisfies(p -> {
            assertThat(p.what()).isEqualTo("children.perParent must be between 1 and 1000000, got 0");
            assertThat(p.fix()).contains("KBase uses 50");
        });
    }

    @Test
    void childrenPerParentIsReadAndOverridable() throws Exception {
        AdmissionPolicy p = PolicyLoader.parse("""
                children: {perParent: 20}
                overrides:
                  - users: [alice]
                    children: {perParent: 5}
                """, "p.yaml");
        assertThat(p.defaultLimits().childrenPerParent()).isEqualTo(20);
        assertThat(p.forUser("alice").limits().childrenPerParent()).isEqualTo(5);
        assertThat(p.overrides().get(0).keys()).containsExactly("children.perParent");
        assertThat(Limits.KBASE.childrenPerParent()).isEqualTo(Limits.KBPARALLEL_MAX_TASKS).isEqualTo(50);
    }

    @Test
    void childrenReserveForIsADurationOrAlwaysAndOverridable() throws Exception {
        AdmissionPolicy p = PolicyLoader.parse("""
                children: {reserveFor: 10m}
                overrides:
                  - users: [alice]
                    children: {reserveFor: always}
                """, "p.yaml");
        assertThat(p.defaultLimits().childrenReserveFor()).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.defaultLimits().reserveForText()).isEqualTo("10m");
        assertThat(p.forUser("alice").limits().childrenReserveFor()).isEqualTo(Limits.RESERVE_ALWAYS);
        assertThat(p.forUser("bob").limits().childrenReserveFor()).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.overrides().get(0).keys()).containsExactly("children.reserveFor");
        assertThat(PolicyLoader.parse("children: {reserveFor: Always}\n", "p.yaml").defaultLimits()
                .childrenReserveFor()).isEqualTo(Limits.RESERVE_ALWAYS);
        assertThat(Limits.KBASE.childrenReserveFor()).isEqualTo(Duration.ofMinutes(10));
        assertThat(only("children:\n  reserveFor: 0s\n").what())
                .isEqualTo("children.reserveFor must be longer than zero, got 0s");
        assertThat(only("children:\n  reserveFor: soon\n")).satisfies(pr -> {
            assertThat(pr.what()).isEqualTo("children.reserveFor is \"soon\", which is not a duration");
            assertThat(pr.fix()).contains("write always or a duration");
            assertThat(pr.line()).isEqualTo(2);
        });
        assertThat(only("children:\n  reserveFor: 48h\n").what())
                .startsWith("children.reserveFor is 48h, but it must be shorter than 24h");
        assertThat(only("children:\n  reserveFor: 600\n").what())
                .isEqualTo("children.reserveFor is the bare number 600, which has no unit");
    }

    @Test
    void waitsMustBePositiveAndEndBeforeTheClientsTimeout() {
        assertThat(only("children:\n  maxWait: 0s\n").what()).isEqualTo("children.maxWait must be longer than zero, got 0s");
        assertThat(only("children:\n  maxWait: -5m\n").what())
                .isEqualTo("children.maxWait is \"-5m\", which is not a duration");
        assertThat(only("children:\n  maxWait: 30m\n")).satisfies(p -> {
            assertThat(p.what()).startsWith("children.maxWait is 30m, but it must be shorter than 30m: KBase clients");
            assertThat(p.fix()).contains("between 1s and 29m");
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.column()).isEqualTo(12);
        });
        assertThat(only("children:\n  maxWait: 1h\n").what()).startsWith("children.maxWait is 1h, but it must be shorter");
        assertThat(only("parents:\n  maxWait: 1800s\n").what()).startsWith("parents.maxWait is 30m, but it must be shorter");
        assertThat(only("parents:\n  maxWait: 600\n")).satisfies(p -> {
            assertThat(p.what()).isEqualTo("parents.maxWait is the bare number 600, which has no unit");
            assertThat(p.fix()).isEqualTo("write the unit: maxWait: 600s for seconds, or 600m for minutes");
        });
        assertThat(only("parents:\n  maxWait: ten minutes\n").fix()).startsWith("write a number and a unit");
    }

    @Test
    void theDeadlockRuleIsCheckedOnTheDefaults() {
        Problem p = only("""
                slots: 10
                parents:
                  maxPerUser: 6
                  maxNestingDepth: 4
                """);
        assertThat(p.line()).isEqualTo(4);
        assertThat(p.what()).startsWith("parents.maxPerUser (6) + parents.maxNestingDepth (4) = 10 is more than"
                + " slots - 1 (9)");
        assertThat(p.fix()).isEqualTo("lower parents.maxNestingDepth to 3, or lower parents.maxPerUser to 5,"
                + " or raise slots to 11 (only if HTCondor really runs that many of this user's jobs at once)");
    }

    @Test
    void theDeadlockRuleIsCheckedOnEveryOverrideWithWhatItInherits() {
        Problem p = only("""
                overrides:
                  - name: small
                    users: [alice]
                    slots: 6
                """);
        assertThat(p.what()).startsWith("override small: parents.maxPerUser (5) + parents.maxNestingDepth (2) = 7"
                + " is more than slots - 1 (5)");
        assertThat(p.line()).isEqualTo(4);
        assertThat(p.fix()).startsWith("lower parents.maxNestingDepth to 0, or lower parents.maxPerUser to 3");
        assertThat(only("slots: 3\n").fix()).isEqualTo("lower both so that maxPerUser + maxNestingDepth <= 2, or"
                + " raise slots to 8 (only if HTCondor really runs that many of this user's jobs at once)");
    }

    @Test
    void anOverrideThatKeepsTheDefaultsCombinationDoesNotRepeatItsProblem() {
        assertThat(problems("slots: 7\noverrides:\n  - users: [a]\n    children: {maxQueued: 3}\n"))
                .extracting(Problem::line).containsExactly(1);
    }

    @Test
    void overrideMistakesAreEachReported() {
        List<Problem> ps = problems("""
                exempt:
                  users: [svc]
                overrides:
                  - name: a
                    users: [alice, svc]
                    slots: 12
                  - name: b
                    users: [alice]
                    parents: {apps: [kb_Bwa], maxPerUser: 3}
                  - name: c
                    users: []
                  - users: [dave]
                    slot: 12
                """);
        assertThat(ps).extracting(Problem::what).containsExactlyInAnyOrder(
                "user svc is exempt, so override a would never apply",
                "override b: parents.apps applies to every user and cannot be overridden",
                "user alice is in override a and in override b",
                "override c: names no users",
                "override c: sets no limit, so it changes nothing",
                "unknown key overrides[3].slot",
                "override overrides[3]: sets no limit, so it changes nothing");
        assertThat(ps).filteredOn(p -> p.what().startsWith("user alice")).singleElement()
                .satisfies(p -> assertThat(p.line()).isEqualTo(8));
        assertThat(ps).filteredOn(p -> p.what().startsWith("unknown key")).singleElement()
                .satisfies(p -> assertThat(p.fix()).startsWith("did you mean overrides[3].slots?"));
    }

    @Test
    void badAppPatternsAndDuplicates() {
        List<Problem> ps = problems("parents:\n  apps: [kb_Bwa, kb_Bwa, \"kb Bwa\", a.b.c]\n");
        assertThat(ps).extracting(Problem::what).containsExactly(
                "parents.apps lists \"kb_Bwa\" twice",
                "parents.apps entry \"kb Bwa\" is not a module, Module.method or app id",
                "parents.apps entry \"a.b.c\" is not a module, Module.method or app id");
    }

    @Test
    void duplicateKeysAreRefusedRatherThanSilentlyOverwritten() {
        Problem p = only("slots: 10\nslots: 12\n");
        assertThat(p.what()).isEqualTo("slots appears twice in the same mapping");
        assertThat(p.line()).isEqualTo(2);
    }

    @Test
    void brokenYamlEmptyFilesAndSecondDocuments() {
        Problem syntax = only("parents:\n  maxPerUser: 5\n apps: [x]\n");
        assertThat(syntax.what()).startsWith("not valid YAML: ");
        assertThat(syntax.line()).isEqualTo(3);
        assertThat(only("# nothing but a comment\n").what()).isEqualTo("the policy is empty");
        assertThat(only("slots: 10\n---\nslots: 11\n").what())
                .isEqualTo("the file holds a second YAML document (after ---)");
        assertThat(only("- slots\n").what()).startsWith("the policy must be a mapping of keys");
    }

    @Test
    void allProblemsOfAFileAreReportedAtOnce() {
        assertThat(problems("slots: x\nparents:\n  maxPerUser: 0\nchildren:\n  maxWait: 0s\nmode: x\n")).hasSize(4);
    }

    @Test
    void missingAndUnreadableFiles(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> PolicyLoader.load(dir.resolve("nope.yaml")))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("nope.yaml:0:0: the policy file does not exist");
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, new byte[] {'#', ' ', (byte) 0xE9, '\n', 's', 'l', 'o', 't', 's', ':', ' ', '9', '\n'});
        assertThatThrownBy(() -> PolicyLoader.load(latin1)).hasMessageContaining("the file is not UTF-8 text");
    }
}
