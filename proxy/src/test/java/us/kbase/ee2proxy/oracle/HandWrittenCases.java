package us.kbase.ee2proxy.oracle;

import static us.kbase.ee2proxy.oracle.Bodies.app;
import static us.kbase.ee2proxy.oracle.Bodies.call;
import static us.kbase.ee2proxy.oracle.Bodies.job;
import static us.kbase.ee2proxy.oracle.Js.list;
import static us.kbase.ee2proxy.oracle.Js.obj;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The hand-written corpus: each case is a short story on its own users, sent through the proxy,
 * every step compared with what EE2 (the oracle) did. The test policy: one parallel app per user
 * (two when nested one level), refused at once beyond that; {@code kb_Bowtie2} (a module),
 * {@code kb_concoct/run_concoct} (an app id) and {@code kb_BatchApp.run_batch} (a method) are
 * parallel apps.
 *
 * <p>Cases expected to fail until their fix lands are listed in {@link KnownFailures}.
 */
final class HandWrittenCases {
    private HandWrittenCases() {}

    static final String BOWTIE = "kb_Bowtie2.align_reads_to_assembly_app";
    static final String CONCOCT = "kb_concoct.run_concoct";
    static final String BATCH_APP = "kb_BatchApp.run_batch";
    static final String PLAIN = "kb_uploadmethods.import_fastq_sra_as_reads_from_staging";
    static final String QUAST = "kb_quast.run_QUAST_app";

    /** A case: its name (what KnownFailures lists), what it shows, and the steps. */
    record Case(String name, String what, boolean concierge, Consumer<CaseRun> steps) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> all() {
        List<Case> c = new ArrayList<>();

        // ---- What holds: the admission rules, against EE2's own decisions.

        c.add(new Case("cap-then-room-after-finish", "a second parallel app waits for the first to finish", false, r -> {
            String first = r.job(r.run(r.a, app(BOWTIE)));
            r.nothing(r.run(r.a, app(CONCOCT)));
            r.send(r.a, call("finish_job", Bodies.finishedOk(first)));
            r.job(r.run(r.a, app(CONCOCT)));
        }));
        c.add(new Case("app-id-entry", "kb_concoct/run_concoct with the narrative's app_id is a parallel app", false, r -> {
            r.job(r.run(r.a, app(CONCOCT)));
            r.nothing(r.run(r.a, app(CONCOCT)));
        }));
        c.add(new Case("method-entry", "kb_BatchApp.run_batch is a parallel app whatever its app_id", false, r -> {
            r.job(r.run(r.a, job(BATCH_APP, "kb_BatchApp")));
            r.nothing(r.run(r.a, app(BOWTIE)));
        }));
        c.add(new Case("cancel-frees-own", "cancelling one's own parallel app makes room", false, r -> {
            String p = r.job(r.run(r.a, app(BOWTIE)));
            r.send(r.a, Bodies.jobIdCall("cancel_job", p));
            r.job(r.run(r.a, app(BOWTIE)));
        }));
        c.add(new Case("nested-one-level", "a parallel app started under one's own parallel app gets one more slot, not two",
                false, r -> {
                    String p = r.job(r.run(r.a, app(BOWTIE)));
                    r.job(r.run(r.a, app(CONCOCT).put("parent_job_id", p)));
                    r.nothing(r.run(r.a, app(BATCH_APP).put("parent_job_id", p)));
                }));
        c.add(new Case("batch", "a batch's parallel apps count; a batch with more than the cap is refused", false, r -> {
            r.job(r.send(r.a, call("run_job_batch", list(app(CONCOCT), app(PLAIN)), obj("wsid", 42))));
            r.nothing(r.send(r.b, call("run_job_batch", list(app(BOWTIE), app(CONCOCT)), obj("wsid", 42))));
            r.nothing(r.run(r.a, app(BOWTIE)));
        }));
        c.add(new Case("retry-keeps-class", "retrying a parallel app that failed is a parallel app", false, r -> {
            String p = r.erroredJob(r.a, app(BOWTIE));
            r.job(r.send(r.a, Bodies.jobIdCall("retry_job", p)));
            r.nothing(r.run(r.a, app(CONCOCT)));
            r.job(r.send(r.b, call("retry_jobs", obj("job_ids", list(r.erroredJob(r.b, app(PLAIN)))))));
        }));
        c.add(new Case("others-cannot-free", "another user's cancel or finish of a job is refused and frees nothing", false, r -> {
            String p = r.job(r.run(r.a, app(BOWTIE)));
            r.send(r.b, Bodies.jobIdCall("cancel_job", p));
            r.send(r.b, call("finish_job", Bodies.finishedOk(p)));
            r.send(r.b, call("update_job_status", obj("job_id", p, "status", "completed")));
            r.nothing(r.run(r.a, app(CONCOCT)));
        }));
        c.add(new Case("one-user-two-tokens", "the cap is per user, whatever the token", false, r -> {
            r.job(r.run(r.a, app(BOWTIE)));
            r.nothing(r.send(Differential.Request.post(r.a + " (2nd token)", "tok2-" + r.a, Bodies.runJob(app(CONCOCT)))));
        }));
        c.add(new Case("admin-bills-user", "an EE2 admin's bill_to_user takes that user's slot", false, r -> {
            r.job(r.run(r.root, app(BOWTIE).put("as_admin", 1).put("job_requirements", obj("bill_to_user", r.a))));
            r.nothing(r.run(r.a, app(CONCOCT)));
        }));
        c.add(new Case("admin-ignores-limits", "an admin's ignore_concurrency_limits takes no slot", false, r -> {
            r.job(r.run(r.root, app(BOWTIE).put("as_admin", true).put("job_requirements",
                    obj("ignore_concurrency_limits", "false"))));
            r.job(r.run(r.root, app(CONCOCT)));
        }));
        c.add(new Case("user-job-requirements-refused", "job_requirements without admin rights: EE2 refuses", false, r -> {
            r.nothing(r.run(r.a, app(BOWTIE).put("job_requirements", obj("bill_to_user", r.b))));
            r.nothing(r.run(r.a, app(BOWTIE).put("as_admin", "false").put("job_requirements", obj("bill_to_user", r.b))));
            r.nothing(r.run(r.a, app(BOWTIE).put("as_admin", "false")));
            r.job(r.run(r.a, app(BOWTIE)));
        }));
        c.add(new Case("concierge", "the concierge's jobs take no slot (its own concierge parameters)", true, r -> {
            r.job(r.send("kbaseconcierge", call("run_job_concierge", app(BOWTIE), obj("request_cpu", 4))));
            r.job(r.send("kbaseconcierge", call("run_job_concierge", app(CONCOCT), obj("client_group", "bigmem"))));
            r.nothing(r.send(r.a, call("run_job_concierge", app(BOWTIE), obj("request_cpu", 4))));
        }));
        c.add(new Case("bodies-ee2-never-runs", "what EE2 crashes on or refuses creates nothing", false, r -> {
            Js.Obj ok = call("run_job", app(BOWTIE));
            r.nothing(r.send(r.a, CaseRun.text("[" + Js.write(ok) + "]")));
            r.nothing(r.send(r.a, ok.copy().remove("id")));
            r.nothing(r.send(r.a, ok.copy().remove("params")));
            r.nothing(r.send(r.a, ok.copy().set("id", list(1))));
            r.nothing(r.send(r.a, ok.copy().set("method", "execution_engine2.run_job.x")));
            r.nothing(r.send(r.a, ok.copy().set("method", "run_job")));
            r.nothing(r.send(r.a, ok.copy().set("jsonrpc", "1.0")));
            r.nothing(r.send(r.a, ok.copy().set("params", obj("params", app(BOWTIE)))));
            r.nothing(r.send(r.a, ok.copy().set("params", list(app(BOWTIE), obj()))));
            r.nothing(r.send(r.a, CaseRun.text(Js.write(ok).replace("\"id\": ", "\"id\" "))));
            r.nothing(r.send(r.a, call("run_job", Js.NULL)));
            r.nothing(r.send(r.a, call("run_job", list(app(BOWTIE)))));
            r.nothing(r.send(Differential.Request.post(r.a + " (no token)", null, Bodies.runJob(app(BOWTIE)))));
            r.nothing(r.send(Differential.Request.post(r.a + " (unknown token)", "tok-nobody", Bodies.runJob(app(BOWTIE)))));
            r.job(r.run(r.a, app(BOWTIE)));
        }));
        c.add(new Case("falsy-parent-job-id", "a falsy parent_job_id names no parent", false, r -> {
            r.job(r.run(r.a, app(BOWTIE)));
            for (Object falsy : new Object[] {0, "", false, list(), obj(), Js.NULL}) {
                r.nothing(r.run(r.a, app(CONCOCT).put("parent_job_id", falsy)));
            }
        }));
        c.add(new Case("python-json", "duplicate keys, escapes, encodings: read as json.loads reads them", false, r -> {
            Js.Obj twoMethods = app(PLAIN);
            twoMethods.members.add(0, new Js.Member("method", BOWTIE));
            String plain = r.job(r.run(r.a, twoMethods));
            r.send(r.a, Bodies.jobIdCall("cancel_job", plain));
            Js.Obj escaped = call("run_job", app(BOWTIE));
            String p1 = r.job(r.send(r.a, Js.bytes(escaped, new Js.Style(": ", ", ", true, true), StandardCharsets.UTF_8)));
            r.nothing(r.run(r.a, app(CONCOCT)));
            r.send(r.a, Bodies.jobIdCall("cancel_job", p1));
            String p2 = r.job(r.send(r.a, Js.bytes(call("run_job", app(CONCOCT)), Js.Style.PYTHON, Charset.forName("UTF-16"))));
            r.send(r.a, Bodies.jobIdCall("cancel_job", p2));
            byte[] utf8 = Bodies.runJob(app(BOWTIE));
            byte[] bom = new byte[utf8.length + 3];
            bom[0] = (byte) 0xEF;
            bom[1] = (byte) 0xBB;
            bom[2] = (byte) 0xBF;
            System.arraycopy(utf8, 0, bom, 3, utf8.length);
            String p3 = r.job(r.send(r.a, bom));
            r.send(r.a, Bodies.jobIdCall("cancel_job", p3));
            r.job(r.run(r.a, app(BOWTIE).put("params", list(obj("x", new Js.Raw("NaN"), "y", new Js.Raw("-Infinity"))))));
        }));
        c.add(new Case("cancel-finished-is-noop", "cancelling a finished job: 200, and nothing else is freed", false, r -> {
            String p = r.job(r.run(r.a, app(BOWTIE)));
            String done = r.finishedJob(r.a, app(PLAIN));
            r.send(r.a, Bodies.jobIdCall("cancel_job", done));
            r.send(r.a, Bodies.jobIdCall("cancel_job", done.toUpperCase()));
            r.nothing(r.run(r.a, app(CONCOCT)));
            r.send(r.a, Bodies.jobIdCall("check_job", p));
        }));

        // ---- Issue 16: ways to run more parallel apps than the cap with well-formed calls.

        c.add(new Case("item1-concierge-empty-object", "run_job_concierge(params, {}) runs a normal job for anyone", false, r -> {
            r.send(r.a, call("run_job_concierge", app(BOWTIE), obj()));
            r.run(r.a, app(CONCOCT));
        }));
        c.add(new Case("item1-concierge-null", "run_job_concierge(params, null) runs a normal job for anyone", false, r -> {
            r.send(r.a, call("run_job_concierge", app(BOWTIE), Js.NULL));
            r.run(r.a, app(CONCOCT));
        }));
        c.add(new Case("item2-id-null", "\"id\": null: EE2 runs the job and answers an empty 200", false, r -> {
            r.send(r.a, call("run_job", app(BOWTIE)).set("id", Js.NULL));
            r.run(r.a, app(CONCOCT));
        }));
        c.add(new Case("item2-id-null-duplicate-method", "\"id\": null and two \"method\" keys (seed 162016, episode 23,"
                + " without KBParallel's shape): EE2 runs the last one and answers an empty 200", false, r -> {
            Js.Obj body = call("run_job", app(BOWTIE)).set("id", Js.NULL);
            body.members.add(0, new Js.Member("method", "execution_engine2.ver"));
            r.send(r.a, body);
            r.run(r.a, app(CONCOCT));
        }));
        c.add(new Case("item2-http-head", "HEAD: EE2 runs the job; the answer has no body", false, r -> {
            r.send(Differential.Request.post(r.a, CaseRun.token(r.a), Bodies.runJob(app(BOWTIE))).withMethod("HEAD"));
            r.run(r.a, app(CONCOCT));
        }));
        c.add(new Case("item2-http-connect", "CONNECT: EE2 runs the job; a 2xx to CONNECT has no body", false, r -> {
            r.send(Differential.Request.post(r.a, CaseRun.token(r.a), Bodies.runJob(app(BOWTIE))).withMethod("CONNECT"));
            r.run(r.a, app(CONCOCT));
        }));
        c.add(new Case("item3-app-id-missing", "kb_concoct.run_concoct without app_id", false, r -> {
            r.run(r.a, job(CONCOCT, null));
            r.run(r.a, app(BOWTIE));
        }));
        c.add(new Case("item3-app-id-module", "kb_concoct.run_concoct with app_id \"kb_concoct\"", false, r -> {
            r.run(r.a, job(CONCOCT, "kb_concoct"));
            r.run(r.a, app(BOWTIE));
        }));
        c.add(new Case("item3-app-id-dotted", "kb_concoct.run_concoct with app_id \"kb_concoct.run_concoct\"", false, r -> {
            r.run(r.a, job(CONCOCT, "kb_concoct.run_concoct"));
            r.run(r.a, app(BOWTIE));
        }));
        c.add(new Case("item3-app-id-spaced", "app_id \"kb_concoct / run_concoct\" (EE2 strips each part)", false, r -> {
            r.run(r.a, job(CONCOCT, "kb_concoct / run_concoct"));
            r.run(r.a, app(BOWTIE));
        }));
        c.add(new Case("item3-app-id-spaced-other-function", "kb_concoct.concoct_stats with app_id \" kb_concoct / run_concoct\u00a0\":"
                + " EE2 strips each part, so the app entry names it", false, r -> {
            r.run(r.a, job("kb_concoct.concoct_stats", " kb_concoct / run_concoct\u00a0"));
            r.run(r.a, app(BOWTIE));
        }));
        c.add(new Case("item4-method-spaces", "\" kb_Bowtie2.align \": EE2's check_string strips it", false, r -> {
            r.run(r.a, job(" " + BOWTIE + " ", "kb_Bowtie2/align_reads_to_assembly_app"));
            r.run(r.a, app(CONCOCT));
        }));
        c.add(new Case("item4-method-unicode-space", "a no-break space before the method: Python's strip() removes it too", false, r -> {
            r.run(r.a, job("\u00a0" + BATCH_APP + "\u2003", "kb_BatchApp/run_batch"));
            r.run(r.a, app(CONCOCT));
        }));
        c.add(new Case("item4-method-inner-spaces", "\"kb_Bowtie2 . align\": EE2 strips each part", false, r -> {
            r.run(r.a, job("kb_Bowtie2 . align_reads_to_assembly_app", null));
            r.run(r.a, app(CONCOCT));
        }));
        c.add(new Case("item4-method-inner-odd-spaces", "U+001C, kb_BatchApp, U+00A0, \".  run_batch\" (seed 162016, episode 68):"
                + " EE2 strips each part, when it runs the job and when it retries it", false, r -> {
            String p = r.erroredJob(r.a, job("\u001ckb_BatchApp\u00a0.  run_batch", null));
            r.job(r.run(r.a, app(BOWTIE)));
            r.send(r.a, Bodies.jobIdCall("retry_job", p));
        }));
        c.add(new Case("item5-cancel-extra-job-ids", "cancel_job({job_id: own finished job, job_ids: [running parent]})", false, r -> {
            String p = r.job(r.run(r.a, app(BOWTIE)));
            String done = r.finishedJob(r.a, app(PLAIN));
            r.send(r.a, call("cancel_job", obj("job_id", done, "job_ids", list(p))));
            r.run(r.a, app(CONCOCT));
        }));
        c.add(new Case("item5-cancel-other-users-parent", "the same, naming another user's running parent", false, r -> {
            String bs = r.job(r.run(r.b, app(BOWTIE)));
            String done = r.finishedJob(r.a, app(PLAIN));
            r.send(r.a, call("cancel_job", obj("job_id", done, "job_ids", list(bs))));
            r.run(r.b, app(CONCOCT));
        }));
        c.add(new Case("item5-finish-extra-job-ids", "finish_job({job_id: own plain job, job_ids: [running parent]})", false, r -> {
            String p = r.job(r.run(r.a, app(BOWTIE)));
            String plain = r.job(r.run(r.a, app(PLAIN)));
            r.send(r.a, call("finish_job", Bodies.finishedOk(plain).put("job_ids", list(p))));
            r.run(r.a, app(CONCOCT));
        }));
        c.add(new Case("item6-retry-lookup-fails", "the retried job cannot be looked up (EE2 busy): counted as plain", false, r -> {
            String p = r.erroredJob(r.a, app(BOWTIE));
            r.send(Differential.Request.post(r.a, CaseRun.token(r.a), Bodies.jobIdCall("retry_job", p))
                    .before(() -> r.session.oracle().failNext("execution_engine2.check_job", 1)));
            r.session.oracle().clearFailures();
            r.run(r.a, app(CONCOCT));
        }));
        c.add(new Case("item6-admin-retries-users-job", "an admin's as_admin retry: the proxy's lookup (no as_admin) fails", false,
                r -> {
                    String p = r.erroredJob(r.a, app(BOWTIE));
                    r.send(r.root, call("retry_job", obj("job_id", p, "as_admin", 1)));
                    r.run(r.root, app(CONCOCT));
                }));
        for (int status : new int[] {404, 400, 403, 405}) {
            c.add(new Case("item7-auth2-" + status, "auth2 answers " + status + ": read as an invalid token, forwarded uncounted",
                    false, r -> {
                        String token = "tok" + status + "-" + r.a;
                        r.send(Differential.Request.post(r.a + " (auth2 " + status + ")", token, Bodies.runJob(app(BOWTIE))));
                        r.send(Differential.Request.post(r.a + " (auth2 " + status + ")", token, Bodies.runJob(app(CONCOCT))));
                    }));
        }
        c.add(new Case("item8-own-module-copies", "copies of a parallel app's own module naming it as parent_job_id: its "
                + "children up to children.perParent (50), then parallel apps at the cap (refused); a finished one makes room",
                false, r -> {
                    String p = r.job(r.run(r.a, app(BOWTIE)));
                    List<String> copies = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        copies.add(r.job(r.run(r.a, job("kb_Bowtie2.align_one_library", "kb_Bowtie2").put("parent_job_id", p))));
                    }
                    r.nothing(r.run(r.a, job("kb_Bowtie2.align_one_library", "kb_Bowtie2").put("parent_job_id", p)));
                    r.nothing(r.run(r.a, app(BOWTIE).put("parent_job_id", p)));
                    r.send(r.a, call("finish_job", Bodies.finishedOk(copies.get(0))));
                    r.job(r.run(r.a, job("kb_Bowtie2.align_one_library", "kb_Bowtie2").put("parent_job_id", p)));
                    r.nothing(r.run(r.a, job("kb_Bowtie2.align_one_library", "kb_Bowtie2").put("parent_job_id", p)));
                }));

        // ---- Found while writing the oracle (not in issue 16).

        c.add(new Case("new-bill-to-user-spaces", "an admin's bill_to_user \" user \": EE2 strips it, the proxy bills \" user \"",
                false, r -> {
                    r.run(r.root, app(BOWTIE).put("as_admin", 1).put("job_requirements",
                            obj("bill_to_user", " " + r.a + " ")));
                    r.run(r.a, app(CONCOCT));
                }));
        c.add(new Case("new-concierge-keeps-limits", "the concierge with ignore_concurrency_limits: 0 and account_group",
                true, r -> r.send("kbaseconcierge", call("run_job_concierge", app(BOWTIE),
                        obj("ignore_concurrency_limits", 0, "account_group", r.a)))));
        c.add(new Case("new-finish-invalid-output", "finish_job with an output EE2 rejects: EE2 ends the job with an error "
                + "and answers 500, the proxy keeps the lease (until a check_* reply shows the error)", false, r -> {
                    String p = r.job(r.run(r.a, app(BOWTIE)));
                    r.send(r.a, call("finish_job", obj("job_id", p, "job_output", obj("version", "1.1", "id", Js.NULL))));
                    r.send(r.a, Bodies.jobIdCall("check_job", p));
                    r.run(r.a, app(CONCOCT));
                }));
        return c;
    }
}
