package us.kbase.ee2proxy.oracle;

import static us.kbase.ee2proxy.oracle.Js.list;
import static us.kbase.ee2proxy.oracle.Js.obj;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Generated and mutated request bodies, from a seed: well-formed run_job, run_job_batch,
 * run_job_concierge, retry_job(s), cancel_job, finish_job, update_job_status, start_job and
 * check_* calls about the episode's own jobs (read from {@link Truth}), then mutated the way a
 * client or an attacker may: whitespace and unicode spaces, key order, duplicate keys, unicode
 * escapes, NaN, falsy values, nulls, nested lists, wrong types, extra keys such as remote_url,
 * app_id forms, other tokens, odd ids and HTTP methods, other encodings.
 *
 * <p>Every body carries tags naming what in it is known to defeat the proxy (issue 16's items and
 * what the oracle found besides): a violation in a step with such a tag is a known failure
 * ({@link KnownFailures#GENERATED_TAGS}); any other fails the test.
 */
final class BodyGenerator {
    static final String CONCIERGE_FALSY = "concierge-falsy-params";
    static final String UNREADABLE_REPLY = "unreadable-reply";
    static final String APP_ID_FORM = "app-id-form";
    static final String METHOD_WHITESPACE = "method-whitespace";
    static final String EXTRA_JOB_IDS = "extra-job-ids";
    static final String RETRY_LOOKUP_FAILS = "retry-lookup-fails";
    static final String AUTH2_4XX = "auth2-4xx";
    static final String OWN_MODULE_CHILD = "own-module-child";
    static final String BILL_TO_SPACES = "bill-to-user-spaces";
    static final String FINISH_INVALID_OUTPUT = "finish-invalid-output";
    static final String JOB_ID_CASE = "job-id-case";
    /** A run_job in KBParallel's shape (remote_url, or a module-only app_id): trusted as a running app's. */
    static final String KBPARALLEL_SHAPE = "kbparallel-shape";
    /** A finish or cancel whose answer proves nothing (id null: an empty 200; HEAD: no body). */
    static final String UNPROVEN_FINISH = "unproven-finish";
    /** Tags a retry takes from the job it retries: EE2 runs the retry from the job's stored input. */
    private static final Set<String> INHERITED = Set.of(APP_ID_FORM, METHOD_WHITESPACE, OWN_MODULE_CHILD);

    private static final String BOWTIE = HandWrittenCases.BOWTIE;
    private static final String CONCOCT = HandWrittenCases.CONCOCT;
    private static final String BATCH_APP = HandWrittenCases.BATCH_APP;
    private static final String[] PLAIN_APPS = {HandWrittenCases.PLAIN, HandWrittenCases.QUAST, "kb_hisat2.run_hisat2",
        "kb_concoct.concoct_stats"};
    /** Whitespace Python's str.strip() removes (and EE2 with it). */
    private static final String[] SPACES = {" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000", "\u000b", "\u001c",
        "\u0085"};
    static final String CONCIERGE = "kbaseconcierge";

    /** The users of one episode: two scientists and an EE2 admin, and their workspace. */
    record Cast(String a, String b, String admin, int wsid) {
        List<String> scientists() {
            return List.of(a, b);
        }
    }

    private final Random rnd;
    private final Ee2Oracle oracle;
    private final Set<String> tags = new HashSet<>();
    /** Of the last jobParams: whether it is a parallel app, and the module EE2 runs. */
    private boolean lastParallel;
    private String lastModule;
    /** What each job the generator's bodies made was made with, of the tags a retry inherits. */
    private final Map<String, Set<String>> origins = new HashMap<>();
    private long ids;

    BodyGenerator(long seed, Ee2Oracle oracle) {
        this.rnd = new Random(seed);
        this.oracle = oracle;
    }

    /** Remembers how the step's jobs were made, for the retries of them. */
    void observe(Differential.Step step) {
        Set<String> inherited = new HashSet<>(step.request().tags());
        inherited.retainAll(INHERITED);
        if (!inherited.isEmpty()) {
            step.createdIds().forEach(id -> origins.put(id, inherited));
        }
    }

    /** The next request of an episode, given what EE2 runs now. */
    Differential.Request next(Cast cast, Truth truth) {
        tags.clear();
        String user = pick(cast.scientists());
        int roll = rnd.nextInt(100);
        Body b;
        if (roll < 26) {
            b = runJob(user, cast, truth, false);
        } else if (roll < 30) {
            b = runJob(cast.admin(), cast, truth, true);
        } else if (roll < 36) {
            b = batch(user, cast, truth);
        } else if (roll < 41) {
            b = concierge(user, cast);
        } else if (roll < 48) {
            b = retry(user, cast, truth);
        } else if (roll < 59) {
            b = finish(user, cast, truth);
        } else if (roll < 67) {
            b = cancel(user, cast, truth);
        } else if (roll < 71) {
            b = update(user, cast, truth);
        } else if (roll < 73) {
            b = new Body(user, "start_job", list(obj("job_id", someJob(user, cast, truth))), false);
        } else if (roll < 93) {
            b = check(user, cast, truth);
        } else {
            b = noise(user);
        }
        return envelope(b, cast);
    }

    /** A request before its envelope, encoding and token are decided. */
    private static final class Body {
        String user;
        final String method;
        final List<Object> params;
        final boolean createsJobs;
        Runnable before;

        Body(String user, String method, List<Object> params, boolean createsJobs) {
            this.user = user;
            this.method = method;
            this.params = params;
            this.createsJobs = createsJobs;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Job-creating calls

    private Body runJob(String user, Cast cast, Truth truth, boolean admin) {
        Js.Obj job = jobParams(user, cast, truth, true);
        String ledgerUser = user;
        if (admin) {
            job.set("as_admin", pick(list(1, true, "1", "yes")));
            int r = rnd.nextInt(4);
            if (r == 0) {
                String billed = pick(cast.scientists());
                if (rnd.nextInt(4) == 0) {
                    billed = pick(SPACES) + billed + (rnd.nextBoolean() ? " " : "");
                    tags.add(BILL_TO_SPACES);
                }
                job.set("job_requirements", obj("bill_to_user", billed));
                ledgerUser = pythonStrip(billed);
            } else if (r == 1) {
                job.set("job_requirements", obj("ignore_concurrency_limits", pick(list(1, true, "false", 0, Js.NULL))));
            }
        }
        tagOwnModuleChild(job, ledgerUser, truth);
        return new Body(user, "run_job", list(job), true);
    }

    private Body batch(String user, Cast cast, Truth truth) {
        List<Object> jobs = new ArrayList<>();
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            Js.Obj j = jobParams(user, cast, truth, false);
            if (rnd.nextInt(12) == 0) {
                j.set("parent_job_id", "65f0a0000000000000000001");
            }
            jobs.add(j);
        }
        Object batchParams = switch (rnd.nextInt(8)) {
            case 0 -> obj();
            case 1 -> Js.NULL;
            case 2 -> obj("wsid", cast.wsid(), "as_admin", 1);
            default -> obj("wsid", cast.wsid());
        };
        if (rnd.nextInt(10) == 0) {
            user = cast.admin();
            batchParams = obj("wsid", cast.wsid(), "as_admin", 1);
        }
        return new Body(user, "run_job_batch", list(jobs, batchParams), true);
    }

    private Body concierge(String user, Cast cast) {
        if (rnd.nextInt(3) == 0) {
            user = CONCIERGE;
        }
        Js.Obj job = jobParams(user, cast, null, false);
        Object params;
        if (rnd.nextBoolean()) {
            params = pick(list(obj(), Js.NULL, list(), 0, false, ""));
            tags.add(CONCIERGE_FALSY);
        } else {
            params = pick(list(obj("request_cpu", 4), obj("client_group", "bigmem"), obj("ignore_concurrency_limits", 1),
                    obj("account_group", pick(cast.scientists())), list(1), "yes"));
        }
        return new Body(user, "run_job_concierge", list(job, params), true);
    }

    private Body retry(String user, Cast cast, Truth truth) {
        List<String> retryable = new ArrayList<>();
        for (Truth.Job j : truth.ownedBy(user)) {
            if (!j.container && ("error".equals(j.status) || "terminated".equals(j.status))) {
                retryable.add(j.id);
            }
        }
        String id = retryable.isEmpty() || rnd.nextInt(6) == 0 ? someJob(user, cast, truth) : pick(retryable);
        Js.Obj p;
        String method;
        if (rnd.nextInt(4) == 0) {
            method = "retry_jobs";
            List<Object> ids = list(id);
            if (!retryable.isEmpty() && rnd.nextBoolean()) {
                ids.add(pick(retryable));
            }
            p = obj("job_ids", ids);
        } else {
            method = "retry_job";
            p = obj("job_id", id);
        }
        for (Object retried : method.equals("retry_job") ? List.of(p.get("job_id")) : (List<?>) p.get("job_ids")) {
            tags.addAll(origins.getOrDefault(String.valueOf(retried).toLowerCase(), Set.of()));
        }
        Body b = new Body(user, method, list(p), true);
        int r = rnd.nextInt(10);
        if (r == 0) {
            // An EE2 admin retries a scientist's job: the new job is the admin's.
            b.user = cast.admin();
            p.set("as_admin", 1);
            tags.add(RETRY_LOOKUP_FAILS);
        } else if (r == 1) {
            b.before = () -> oracle.failNext("execution_engine2.check_job", 1);
            tags.add(RETRY_LOOKUP_FAILS);
        } else if (r == 2) {
            p.set("as_admin", pick(list(0, false, "", Js.NULL)));
        }
        return b;
    }

    /** RunJobParams: a parallel app or a plain job, in one of the forms EE2 accepts (or not). */
    private Js.Obj jobParams(String user, Cast cast, Truth truth, boolean mayNest) {
        String method;
        String appId;
        boolean parallel;
        int r = rnd.nextInt(100);
        if (r < 22) {
            method = BOWTIE;
            appId = pick(strings("kb_Bowtie2/align_reads_to_assembly_app", "kb_Bowtie2", null));
            parallel = true;
        } else if (r < 40) {
            method = CONCOCT;
            appId = "kb_concoct/run_concoct";
            if (rnd.nextInt(3) == 0) {
                appId = pick(strings(null, "kb_concoct", "kb_concoct.run_concoct", " kb_concoct/run_concoct",
                        "kb_concoct / run_concoct", "kb_concoct/run_concoct\u00a0"));
                tags.add(APP_ID_FORM);
            }
            parallel = true;
        } else if (r < 48) {
            method = BATCH_APP;
            appId = pick(strings("kb_BatchApp/run_batch", "kb_BatchApp", null));
            parallel = true;
        } else if (r < 54) {
            // KBParallel's own submission of one task of kb_Bowtie2
            method = "kb_Bowtie2.align_one_library";
            appId = "kb_Bowtie2";
            parallel = true;
        } else if (r < 94) {
            method = pick(PLAIN_APPS);
            appId = method.startsWith("kb_concoct") ? "kb_concoct" : method.replace('.', '/');
            parallel = false;
        } else {
            // what EE2 refuses: no dot, two dots, a module that does not match the app's, no method
            method = pick(strings("kb_Bowtie2", "kb_Bowtie2.align.x", ".align", "kb_Bowtie2.", "kb_Bow\u200btie2.align"));
            appId = pick(strings(null, "kb_other/align"));
            parallel = false;
        }
        if (rnd.nextInt(10) == 0) {
            String inner = rnd.nextInt(4) == 0 && method.contains(".")
                    ? method.replace(".", pick(SPACES) + "." + pick(SPACES))
                    : method;
            method = pick(SPACES) + inner + (rnd.nextBoolean() ? pick(SPACES) : "");
            if (parallel) {
                tags.add(METHOD_WHITESPACE);
            }
        }
        Js.Obj job = obj();
        if (rnd.nextInt(40) == 0) {
            job.put("method", pick(list(list(method), 42, Js.NULL)));
        } else {
            job.put("method", method);
        }
        if (appId != null) {
            job.put("app_id", appId);
        } else if (rnd.nextInt(4) == 0) {
            job.put("app_id", pick(list(Js.NULL, "", 0)));
        }
        job.put("params", rnd.nextInt(10) == 0 ? list(obj("x", new Js.Raw(pick(strings("NaN", "Infinity", "-Infinity", "1e400"))),
                "nested", list(list(list(1, Js.NULL), list()), obj()))) : list(obj("workspace_name", "ws_42")));
        switch (rnd.nextInt(12)) {
            case 0 -> job.put("service_ver", pick(list("release", "beta", "", Js.NULL, 3)));
            case 1 -> job.put("meta", pick(list(obj("run_id", "r1", "cell_id", "c1"), obj("tag", 1), list())));
            case 2 -> job.put("source_ws_objects", pick(list(list("1/2/3"), list("x/y"), "", list())));
            case 3 -> job.put("remote_url", "https://kbase.us/services/ee2");
            default -> { }
        }
        job.put("wsid", rnd.nextInt(15) == 0 ? pick(list(Js.NULL, "42", 0, -1, 1.5, true)) : cast.wsid());
        lastParallel = parallel;
        lastModule = pythonModule(method);
        if (mayNest && truth != null && rnd.nextInt(6) == 0) {
            nest(job, user, cast, truth);
        } else if (rnd.nextInt(20) == 0) {
            job.put("parent_job_id", pick(list(0, "", false, list(), obj(), Js.NULL, 5, " ")));
        }
        if (rnd.nextInt(25) == 0) {
            job.put("as_admin", pick(list(0, false, "", Js.NULL, "false", 1)));
        }
        if (rnd.nextInt(30) == 0) {
            job.put("job_requirements", pick(list(obj(), Js.NULL, obj("request_cpus", 4), list())));
        }
        if (rnd.nextInt(5) == 0) {
            Collections.shuffle(job.members, rnd);
        }
        return job;
    }

    /** A parent_job_id: one of the user's own parallel apps (nesting, or a copy of its module), or another's. */
    private void nest(Js.Obj job, String user, Cast cast, Truth truth) {
        List<String> own = truth.activeParents(user);
        String other = cast.a().equals(user) ? cast.b() : cast.a();
        if (!own.isEmpty() && rnd.nextInt(4) != 0) {
            job.put("parent_job_id", pick(own));
        } else if (!truth.activeParents(other).isEmpty()) {
            job.put("parent_job_id", pick(truth.activeParents(other)));
        } else {
            job.put("parent_job_id", hexId());
        }
    }

    /**
     * A parallel app whose parent_job_id names an active parallel app of the same module and the
     * same ledger user: the proxy takes it for that app's child (ownModuleJobs: child) up to children.perParent.
     */
    private void tagOwnModuleChild(Js.Obj job, String ledgerUser, Truth truth) {
        if (lastParallel && job.get("parent_job_id") instanceof String id && truth.job(id) != null) {
            Truth.Job parent = truth.job(id);
            if (parent.countsAsParent() && parent.ledgerUser.equals(ledgerUser) && lastModule.equals(parent.module)) {
                tags.add(OWN_MODULE_CHILD);
            }
        }
    }

    /** Python's str.strip(): what EE2's check_string removes. */
    static String pythonStrip(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && pythonSpace(s.charAt(from))) {
            from++;
        }
        while (to > from && pythonSpace(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean pythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** The module EE2 runs for {@code method}. */
    static String pythonModule(String method) {
        String m = pythonStrip(method);
        int dot = m.indexOf('.');
        return pythonStrip(dot < 0 ? m : m.substring(0, dot));
    }

    // ------------------------------------------------------------------------------------------
    // Lifecycle and status calls

    private Body finish(String user, Cast cast, Truth truth) {
        List<String> active = activeOwned(user, truth);
        String id = active.isEmpty() || rnd.nextInt(8) == 0 ? someJob(user, cast, truth) : pick(active);
        Js.Obj p;
        switch (rnd.nextInt(8)) {
            case 0, 1, 2 -> p = Bodies.finishedOk(id);
            case 3, 4 -> p = Bodies.finishedWithError(id);
            case 5 -> p = obj("job_id", id);
            case 6 -> {
                p = obj("job_id", id, "job_output", pick(list(obj("version", "1.1"), obj("version", 1, "result", list()),
                        obj("result", list()), obj("version", "1.1", "id", "not-an-id", "result", list()), list())));
                tags.add(FINISH_INVALID_OUTPUT);
            }
            default -> p = obj("job_id", id, "error_message", "boom", "error_code", pick(list(2, 9, "x", Js.NULL)));
        }
        extraIds(p, user, cast, truth);
        if (rnd.nextInt(8) == 0) {
            user = cast.admin();
            p.put("as_admin", 1);
        }
        return new Body(user, "finish_job", list(p), false);
    }

    private Body cancel(String user, Cast cast, Truth truth) {
        List<String> active = activeOwned(user, truth);
        String id;
        int r = rnd.nextInt(10);
        if (r < 6 && !active.isEmpty()) {
            id = pick(active);
        } else {
            id = someJob(user, cast, truth);
        }
        Js.Obj p = obj("job_id", id);
        if (rnd.nextInt(6) == 0) {
            p.put("terminated_code", pick(list(0, 1, 4, 9, "x", Js.NULL)));
        }
        extraIds(p, user, cast, truth);
        if (rnd.nextInt(8) == 0) {
            user = cast.admin();
            p.put("as_admin", pick(list(1, true)));
        }
        return new Body(user, "cancel_job", list(p), false);
    }

    private Body update(String user, Cast cast, Truth truth) {
        Js.Obj p = obj("job_id", someJob(user, cast, truth), "status",
                pick(list("running", "queued", "completed", "error", "terminated", "finished", "estimating")));
        extraIds(p, user, cast, truth);
        return new Body(user, "update_job_status", list(p), false);
    }

    /** Sometimes a job_ids list besides job_id: EE2 reads job_id only. */
    private void extraIds(Js.Obj p, String user, Cast cast, Truth truth) {
        if (rnd.nextInt(8) != 0) {
            return;
        }
        List<Object> ids = list();
        String other = rnd.nextBoolean() ? user : cast.a().equals(user) ? cast.b() : cast.a();
        List<String> active = truth.activeJobs(other);
        ids.add(active.isEmpty() ? someJob(other, cast, truth) : pick(active));
        p.put("job_ids", ids);
        tags.add(EXTRA_JOB_IDS);
    }

    private Body check(String user, Cast cast, Truth truth) {
        String id = someJob(user, cast, truth);
        return switch (rnd.nextInt(7)) {
            case 0 -> new Body(user, "check_job", list(obj("job_id", id, "projection", list())), false);
            case 1 -> new Body(user, "check_job", list(obj("job_id", id, "exclude_fields", list("job_input"))), false);
            case 2 -> {
                List<Object> ids = list(id);
                if (rnd.nextBoolean()) {
                    ids.add(someJob(user, cast, truth));
                }
                yield new Body(user, "check_jobs", list(obj("job_ids", ids, "return_list", rnd.nextInt(2))), false);
            }
            case 3 -> new Body(user, "check_job_canceled", list(obj("job_id", id)), false);
            case 4 -> new Body(user, "get_job_status", list(id), false);
            case 5 -> new Body(user, "check_job_batch", list(obj("batch_id", someContainer(user, truth, id))), false);
            default -> new Body(user, "check_workspace_jobs", list(obj("workspace_id", cast.wsid(), "return_list", 0)), false);
        };
    }

    private Body noise(String user) {
        return switch (rnd.nextInt(5)) {
            case 0 -> new Body(user, "ver", list(), false);
            case 1 -> new Body(user, "status", list(), false);
            case 2 -> new Body(user, "run_jobs", list(obj("method", BOWTIE)), false);
            case 3 -> new Body(user, "list_config", list(), false);
            default -> new Body(user, "get_client_groups", list(), false);
        };
    }

    // ------------------------------------------------------------------------------------------
    // Envelope, token, encoding

    /** run_job or run_job_concierge whose job carries remote_url or an app_id that is a module alone. */
    private static boolean kbParallelShaped(Body b) {
        if (!b.method.startsWith("run_job") || b.method.equals("run_job_batch") || b.params.isEmpty()
                || !(b.params.get(0) instanceof Js.Obj job)) {
            return false;
        }
        Object appId = job.get("app_id");
        return job.get("remote_url") != null
                || appId instanceof String a && !a.isEmpty() && a.indexOf('/') < 0 && a.indexOf('.') < 0;
    }

    private Differential.Request envelope(Body b, Cast cast) {
        Js.Obj env = obj("method", "execution_engine2." + b.method, "params", b.params, "version", "1.1",
                "id", Long.toString(++ids));
        String httpMethod = "POST";
        int r = rnd.nextInt(100);
        if (kbParallelShaped(b)) {
            tags.add(KBPARALLEL_SHAPE);
        }
        if (r < 4) {
            env.set("id", Js.NULL);
            if (b.createsJobs) {
                tags.add(UNREADABLE_REPLY);
            } else {
                tags.add(UNPROVEN_FINISH);
            }
        } else if (r < 7) {
            env.set("id", pick(list(7, 2.5, true, new Js.Raw("NaN"), "")));
        } else if (r < 8) {
            env.remove("id");
        } else if (r < 9) {
            env.set("id", list(1));
        } else if (r < 11) {
            httpMethod = "HEAD";
            if (b.createsJobs) {
                tags.add(UNREADABLE_REPLY);
            } else {
                tags.add(UNPROVEN_FINISH);
            }
        } else if (r < 12) {
            httpMethod = pick(strings("GET", "PUT"));
        }
        switch (rnd.nextInt(25)) {
            case 0 -> env.remove("version").put("jsonrpc", "2.0");
            case 1 -> env.remove("version");
            case 2 -> env.set("version", "1.0");
            case 3 -> env.put("jsonrpc", "1.0");
            default -> { }
        }
        if (rnd.nextInt(30) == 0) {
            Object params = pick(list(Js.NULL, obj(), "x", list(b.params.isEmpty() ? obj() : b.params.get(0), obj())));
            env.set("params", params);
            if (b.method.equals("run_job_concierge") && params instanceof List<?> l && l.size() == 2) {
                tags.add(CONCIERGE_FALSY); // [job, {}]: concierge parameters EE2 finds falsy
            }
        }
        if (rnd.nextInt(25) == 0) {
            env.members.add(0, new Js.Member("method", "execution_engine2.ver"));
        }
        if (rnd.nextInt(30) == 0) {
            env.set("context", obj("call_stack", list(obj("method", "x.y", "time", "2024-01-01T00:00:00Z"))));
        }
        if (rnd.nextInt(4) == 0) {
            Collections.shuffle(env.members, rnd);
        }
        Js.Style style = Js.Style.PYTHON;
        int s = rnd.nextInt(100);
        if (s < 10) {
            style = Js.Style.COMPACT;
        } else if (s < 14) {
            style = new Js.Style(" : ", " ,\n ", true, true);
        }
        String text = Js.write(env, style);
        if (rnd.nextInt(20) == 0) {
            text = pick(list(" ", "\n", "\t\r\n")) + text + pick(list("", " ", "\n"));
        }
        byte[] body;
        int e = rnd.nextInt(100);
        if (e < 2) {
            body = text.getBytes(Charset.forName(pick(strings("UTF-16LE", "UTF-16BE", "UTF-16"))));
        } else if (e < 3) {
            body = text.getBytes(Charset.forName("UTF-32LE"));
        } else if (e < 5) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            body = new byte[utf8.length + 3];
            body[0] = (byte) 0xEF;
            body[1] = (byte) 0xBB;
            body[2] = (byte) 0xBF;
            System.arraycopy(utf8, 0, body, 3, utf8.length);
        } else {
            body = text.getBytes(StandardCharsets.UTF_8);
        }
        String token = "tok-" + b.user;
        String label = b.user;
        int t = rnd.nextInt(100);
        if (t < 3 && !b.user.equals(CONCIERGE)) {
            int status = pick(new Integer[] {404, 400, 403, 405});
            token = "tok" + status + "-" + b.user;
            label = b.user + " (auth2 " + status + ")";
            tags.add(AUTH2_4XX);
        } else if (t < 6 && !b.user.equals(CONCIERGE)) {
            token = "tok2-" + b.user;
            label = b.user + " (2nd token)";
        } else if (t < 7) {
            token = pick(strings(null, "", "tok-nobody", " " + token));
            label = b.user + " (token " + (token == null ? "none" : Truth.quote(token)) + ")";
        }
        return new Differential.Request(label, token, httpMethod, body, Set.copyOf(tags), b.before);
    }

    // ------------------------------------------------------------------------------------------
    // Picking

    private List<String> activeOwned(String user, Truth truth) {
        List<String> out = new ArrayList<>();
        for (Truth.Job j : truth.ownedBy(user)) {
            if (j.active && !j.container) {
                out.add(j.id);
            }
        }
        return out;
    }

    /** A job id the user may or may not own, in any state; sometimes one EE2 never made. */
    private String someJob(String user, Cast cast, Truth truth) {
        int r = rnd.nextInt(10);
        String whose = r < 7 ? user : r < 9 ? (cast.a().equals(user) ? cast.b() : cast.a()) : null;
        List<Truth.Job> jobs = whose == null ? List.of() : truth.ownedBy(whose);
        if (jobs.isEmpty()) {
            return hexId();
        }
        String id = jobs.get(jobs.size() - 1 - rnd.nextInt(Math.min(jobs.size(), 6))).id;
        if (rnd.nextInt(30) == 0) {
            tags.add(JOB_ID_CASE); // EE2 reads ObjectIds in either case
            return id.toUpperCase();
        }
        return id;
    }

    private String someContainer(String user, Truth truth, String fallback) {
        for (Truth.Job j : truth.ownedBy(user)) {
            if (j.container && rnd.nextBoolean()) {
                return j.id;
            }
        }
        return fallback;
    }

    private String hexId() {
        return String.format("%024x", rnd.nextLong() & Long.MAX_VALUE);
    }

    private static List<String> strings(String... values) {
        return java.util.Arrays.asList(values);
    }

    private <T> T pick(List<T> values) {
        return values.get(rnd.nextInt(values.size()));
    }

    private <T> T pick(T[] values) {
        return values[rnd.nextInt(values.length)];
    }
}
