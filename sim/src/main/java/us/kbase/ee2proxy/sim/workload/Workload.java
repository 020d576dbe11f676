package us.kbase.ee2proxy.sim.workload;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import us.kbase.ee2proxy.sim.app.AppProfile;

/**
 * A reproducible load on EE2: users and their tokens, how each app behaves, and who submits
 * what when. Times are simulated seconds; {@code speed} turns them into real time. The
 * detector's periods ({@code quietSeconds}, {@code stallSeconds}, {@code timeoutSeconds}) are
 * real seconds. A zero (or absent) number takes its default.
 *
 * @param speed simulated seconds per real second (default 100)
 * @param runners simulated job runners report start_job / check_job_canceled / finish_job
 * @param defaultSeconds run time of apps without a profile (default 60)
 * @param quietSeconds no job changed state this long, with the deadlock pattern present: deadlock (default 2)
 * @param stallSeconds no job changed state this long, without the pattern: stalled (default 30)
 * @param timeoutSeconds the run gives up after this long (default 300)
 * @param slots per-user running limit for the run (null keeps the simulator's)
 * @param capacity cluster-wide running limit (null keeps the simulator's)
 */
public record Workload(
        String name,
        String description,
        double speed,
        boolean runners,
        double defaultSeconds,
        double quietSeconds,
        double stallSeconds,
        double timeoutSeconds,
        Integer slots,
        Integer capacity,
        Map<String, Integer> slotOverrides,
        List<WorkloadUser> users,
        List<AppProfile> apps,
        List<Submission> submissions) {

    public Workload {
        speed = speed > 0 ? speed : 100;
        defaultSeconds = defaultSeconds > 0 ? defaultSeconds : 60;
        quietSeconds = quietSeconds > 0 ? quietSeconds : 2;
        stallSeconds = stallSeconds > 0 ? stallSeconds : 30;
        timeoutSeconds = timeoutSeconds > 0 ? timeoutSeconds : 300;
        slotOverrides = slotOverrides == null ? Map.of() : Map.copyOf(slotOverrides);
        users = users == null ? List.of() : List.copyOf(users);
        apps = apps == null ? List.of() : List.copyOf(apps);
        submissions = submissions == null ? List.of() : List.copyOf(submissions);
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Reads and checks a workload YAML file; problems name the file, line and column. */
    public static Workload load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString());
        }
        Workload w;
        try {
            w = YAML.readValue(file.toFile(), Workload.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(where(file, e) + ": unknown key '" + e.getPropertyName() + "' at "
                    + path(e) + "; the keys there are " + e.getKnownPropertyIds(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where(file, e) + ": " + e.getOriginalMessage(), e);
        }
        if (w.name() == null) {
            String base = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
            w = w.named(base);
        }
        List<String> problems = w.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(file + ": " + String.join("; ", problems));
        }
        return w;
    }

    private static String where(Path file, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        return at == null ? file.toString() : file + ":" + at.getLineNr() + ":" + at.getColumnNr();
    }

    /** "users[0]" for the object holding the offending key. */
    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        List<JsonMappingException.Reference> refs = e.getPath();
        for (int i = 0; i < refs.size() - 1; i++) {
            JsonMappingException.Reference r = refs.get(i);
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "the top level" : sb.toString();
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public Workload named(String newName) {
        return new Workload(newName, description, speed, runners, defaultSeconds, quietSeconds, stallSeconds,
                timeoutSeconds, slots, capacity, slotOverrides, users, apps, submissions);
    }

    public AppProfile profile(String method) {
        for (AppProfile a : apps) {
            if (a.method().equals(method)) {
                return a;
            }
        }
        return null;
    }

    public WorkloadUser user(String name) {
        for (WorkloadUser u : users) {
            if (u.name().equals(name)) {
                return u;
            }
        }
        return null;
    }

    /** What is wrong with this workload, in words a person can fix; empty when nothing. */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (WorkloadUser u : users) {
            if (u.name() == null || u.name().isBlank()) {
                out.add("a user has no name");
            } else if (!names.add(u.name())) {
                out.add("user '" + u.name() + "' is listed twice");
            }
            if (u.tokens().isEmpty()) {
                out.add("user '" + u.name() + "' needs at least one token");
            }
        }
        Set<String> appNames = new HashSet<>();
        for (AppProfile a : apps) {
            if (a.method() == null || a.method().indexOf('.') <= 0) {
                out.add("app '" + a.method() + "': method must be Module.function");
            } else if (!appNames.add(a.method())) {
                out.add("app '" + a.method() + "' is listed twice");
            }
            if (a.seconds() < 0) {
                out.add("app '" + a.method() + "': seconds must be >= 0");
            }
            if (a.isParent() && (a.children().app() == null || a.children().app().indexOf('.') <= 0)) {
                out.add("app '" + a.method() + "': children.app must be Module.function");
            }
        }
        out.addAll(nestingProblems());
        for (int i = 0; i < submissions.size(); i++) {
            Submission s = submissions.get(i);
            String at = "submissions[" + i + "]";
            if (s.user() == null || user(s.user()) == null) {
                out.add(at + ": user '" + s.user() + "' is not in users");
            }
            if ((s.app() == null) == (s.batch() == null)) {
                out.add(at + ": give exactly one of app and batch");
            }
            if (s.batch() != null && s.batch().isEmpty()) {
                out.add(at + ": batch must list at least one app");
            }
            if (s.at() < 0 || s.every() < 0 || s.retries() < 0) {
                out.add(at + ": at, every and retries must be >= 0");
            }
            if (s.token() != null && s.user() != null && user(s.user()) != null
                    && !user(s.user()).tokens().contains(s.token())) {
                out.add(at + ": token is not one of " + s.user() + "'s tokens");
            }
        }
        return out;
    }

    /** A parent whose children (transitively) include itself would never finish. */
    private List<String> nestingProblems() {
        List<String> out = new ArrayList<>();
        for (AppProfile a : apps) {
            Set<String> seen = new HashSet<>();
            AppProfile cur = a;
            while (cur != null && cur.isParent()) {
                if (!seen.add(cur.method())) {
                    out.add("app '" + a.method() + "': its children nest back into " + cur.method());
                    break;
                }
                cur = profile(cur.children().app());
            }
        }
        return out;
    }

    /** Builds a workload in code (tests generate hundreds). */
    public static final class Builder {
        private final String name;
        private String description;
        private double speed;
        private boolean runners;
        private double defaultSeconds;
        private double quietSeconds;
        private double stallSeconds;
        private double timeoutSeconds;
        private Integer slots;
        private Integer capacity;
        private final Map<String, Integer> slotOverrides = new LinkedHashMap<>();
        private final Map<String, WorkloadUser> users = new LinkedHashMap<>();
        private final Map<String, AppProfile> apps = new LinkedHashMap<>();
        private final List<Submission> submissions = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        public Builder description(String d) {
            this.description = d;
            return this;
        }

        public Builder speed(double s) {
            this.speed = s;
            return this;
        }

        public Builder runners(boolean on) {
            this.runners = on;
            return this;
        }

        public Builder defaultSeconds(double s) {
            this.defaultSeconds = s;
            return this;
        }

        public Builder quietSeconds(double s) {
            this.quietSeconds = s;
            return this;
        }

        public Builder stallSeconds(double s) {
            this.stallSeconds = s;
            return this;
        }

        public Builder timeoutSeconds(double s) {
            this.timeoutSeconds = s;
            return this;
        }

        public Builder slots(int n) {
            this.slots = n;
            return this;
        }

        public Builder capacity(int n) {
            this.capacity = n;
            return this;
        }

        public Builder slots(String user, int n) {
            slotOverrides.put(user, n);
            return this;
        }

        public Builder user(String name, String... tokens) {
            users.put(name, WorkloadUser.of(name, tokens));
            return this;
        }

        public Builder user(WorkloadUser u) {
            users.put(u.name(), u);
            return this;
        }

        public Builder app(AppProfile profile) {
            apps.put(profile.method(), profile);
            return this;
        }

        public Builder submit(Submission s) {
            submissions.add(s);
            return this;
        }

        /** The workload; throws IllegalArgumentException listing every problem. */
        public Workload build() {
            Workload w = new Workload(name, description, speed, runners, defaultSeconds, quietSeconds, stallSeconds,
                    timeoutSeconds, slots, capacity, slotOverrides, List.copyOf(users.values()),
                    List.copyOf(apps.values()), submissions);
            List<String> problems = w.problems();
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("workload " + name + ": " + String.join("; ", problems));
            }
            return w;
        }
    }
}
