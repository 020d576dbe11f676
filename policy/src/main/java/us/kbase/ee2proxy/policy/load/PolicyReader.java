package us.kbase.ee2proxy.policy.load;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import us.kbase.ee2proxy.policy.AdmissionPolicy;
import us.kbase.ee2proxy.policy.Limits;
import us.kbase.ee2proxy.policy.Mode;
import us.kbase.ee2proxy.policy.OwnModuleJobs;
import us.kbase.ee2proxy.policy.RedisFailureMode;
import us.kbase.ee2proxy.policy.UserOverride;
import us.kbase.ee2proxy.policy.load.Section.Located;
import us.kbase.ee2proxy.policy.load.YamlTree.Mapping;

/** The policy file's schema: reads a located YAML tree into an {@link AdmissionPolicy}. */
final class PolicyReader {
    /** A module, Module.method or Module/method, each part letters, digits, _ and the globs * ?. */
    private static final Pattern APP = Pattern.compile("[A-Za-z0-9_*?]+([./][A-Za-z0-9_*?]+)?");
    private static final String OVERRIDE_EXAMPLE =
            "write each override as a list entry:  - name: smith-lab / users: [alice, bob] / slots: 20";

    private final Problems problems;

    PolicyReader(Problems problems) {
        this.problems = problems;
    }

    AdmissionPolicy read(Mapping root, String source) {
        AdmissionPolicy.Builder b = AdmissionPolicy.builder().source(source);
        Section top = new Section(root, "", problems);

        Mode mode = top.choice("mode", Mode.class);
        if (mode != null) b.mode(mode);

        Section redis = top.section("redis");
        if (redis != null) {
            RedisFailureMode onFailure = redis.choice("onFailure", RedisFailureMode.class);
            if (onFailure != null) b.redisFailureMode(onFailure);
            Integer replicas = redis.integer("replicas", 1, 1000, "set how many proxy replicas share this Redis");
            b.redisReplicas(replicas);
            if (onFailure == RedisFailureMode.LOCAL && (replicas == null || replicas != 1)) {
                // Several replicas each deciding on their own counts together admit past every cap.
                problems.add(redis.keyAt("onFailure"), "redis.onFailure: local decides on this replica's own counts, "
                        + "which is safe only when exactly one proxy replica uses the Redis",
                        "add redis.replicas: 1 if only one replica runs, else use onFailure: wait (the default)");
            }
            redis.finish();
        }

        Section parents = top.section("parents");
        Section children = top.section("children");
        Section ownJobs = top.section("ownJobs");
        if (parents != null) {
            List<Located> apps = parents.strings("apps");
            if (apps != null) b.parallelApps(appPatterns(apps));
            OwnModuleJobs own = parents.choice("ownModuleJobs", OwnModuleJobs.class);
            if (own != null) b.ownModuleJobs(own);
        }
        LimitsReader limitsReader = new LimitsReader();
        Limits defaults = limitsReader.read(top, parents, children, ownJobs, Limits.KBASE);
        limitsReader.checkCombination(defaults, "", root.at(), problems);
        b.defaults(defaults);
        if (parents != null) parents.finish();
        if (children != null) children.finish();
        if (ownJobs != null) ownJobs.finish();

        Set<String> exempt = new LinkedHashSet<>();
        Map<String, Located> exemptAt = new HashMap<>();
        Section exemptSection = top.section("exempt");
        if (exemptSection != null) {
            List<Located> users = exemptSection.strings("users");
            if (users != null) {
                for (Located u : users) {
                    exempt.add(u.value());
                    exemptAt.put(u.value(), u);
                }
            }
            exemptSection.finish();
        }
        b.exemptUsers(exempt);

        List<Mapping> overrides = top.mappings("overrides", OVERRIDE_EXAMPLE);
        if (overrides != null) {
            Map<String, String> overrideOf = new HashMap<>();
            for (int i = 0; i < overrides.size(); i++) {
                UserOverride o = override(overrides.get(i), i, defaults, exempt, overrideOf);
                if (o != null) b.override(o);
            }
        }
        top.finish();
        return b.build();
    }

    private List<String> appPatterns(List<Located> apps) {
        Set<String> out = new LinkedHashSet<>();
        for (Located a : apps) {
            if (!APP.matcher(a.value()).matches()) {
                problems.add(a.at(), "parents.apps entry \"" + a.value() + "\" is not a module, Module.method or app id",
                        "write kb_Bowtie2 (every method of a module), kb_BatchApp.run_batch (one method) or"
                                + " kb_Bowtie2/align_reads_to_assembly_app (an app id); * and ? may stand for characters");
            } else if (!out.add(a.value())) {
                problems.add(a.at(), "parents.apps lists \"" + a.value() + "\" twice", "remove one of them");
            }
        }
        return List.copyOf(out);
    }

    private UserOverride override(Mapping m, int index, Limits defaults, Set<String> exempt,
            Map<String, String> overrideOf) {
        Section s = new Section(m, "overrides[" + index + "]", problems);
        Located nameValue = s.string("name");
        String name = nameValue != null ? nameValue.value() : "overrides[" + index + "]";
        String scope = "override " + name + ": ";
        List<Located> users = s.strings("users");
        if (users == null || users.isEmpty()) {
            if (!s.has("users") || users != null) {
                problems.add(m.at(), scope + "names no users", "add users: [user1, user2] with the KBase user ids it applies to");
            }
        }
        Section parents = s.section("parents");
        Section children = s.section("children");
        Section ownJobs = s.section("ownJobs");
        if (parents != null) {
            for (String global : List.of("apps", "ownModuleJobs")) {
                if (parents.has(global)) {
                    problems.add(parents.keyAt(global), scope + "parents." + global
                            + " applies to every user and cannot be overridden",
                            "move it to the top-level parents section, or remove it here");
                }
            }
        }
        LimitsReader reader = new LimitsReader();
        Limits limits = reader.read(s, parents, children, ownJobs, defaults);
        if (parents != null) parents.finish();
        if (children != null) children.finish();
        if (ownJobs != null) ownJobs.finish();
        s.finish();
        if (reader.keys().isEmpty()) {
            problems.add(m.at(), scope + "sets no limit, so it changes nothing",
                    "set at least one of slots, parents.maxPerUser, parents.maxNestingDepth, parents.whenFull,"
                            + " parents.maxWait, children.maxQueued, children.reserve, children.reserveFor, children.maxWait, children.perParent,"
                            + " ownJobs.maxQueued,"
                            + " ownJobs.maxWait, or remove"
                            + " the entry");
        }
        if (reader.keys().stream().anyMatch(LimitsReader.COMBINATION_KEYS::contains)) {
            // Otherwise its combination is the defaults', already checked: say it once.
            reader.checkCombination(limits, scope, m.at(), problems);
        }
        if (users == null) {
            return null;
        }
        for (Located u : users) {
            String previous = overrideOf.putIfAbsent(u.value(), name);
            if (previous != null) {
                problems.add(u.at(), "user " + u.value() + " is in override " + previous + " and in override " + name,
                        "keep the user in one override only: which limits apply would otherwise be a guess");
            }
            if (exempt.contains(u.value())) {
                problems.add(u.at(), "user " + u.value() + " is exempt, so override " + name + " would never apply",
                        "remove the user from exempt.users or from this override");
            }
        }
        return new UserOverride(name, users.stream().map(Located::value).distinct().toList(), limits, reader.keys());
    }
}
