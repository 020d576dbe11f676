package us.kbase.ee2proxy.oracle;

import java.nio.charset.StandardCharsets;

/**
 * One hand-written case being run: its own users (a, b, and an EE2 admin r, named after the case
 * so no two cases share a user), their tokens, and steps through the {@link Differential}.
 */
final class CaseRun {
    final Differential.Session session;
    final String a;
    final String b;
    final String root;

    CaseRun(Differential.Session session, String prefix) {
        this.session = session;
        this.a = prefix + "a";
        this.b = prefix + "b";
        this.root = prefix + "r";
    }

    static String token(String user) {
        return "tok-" + user;
    }

    /** Sends run_job({params}) as {@code user}. */
    Differential.Step run(String user, Js.Obj params) {
        return send(user, Bodies.runJob(params));
    }

    Differential.Step send(String user, Js.Obj body) {
        return send(user, Js.bytes(body));
    }

    Differential.Step send(String user, byte[] body) {
        return send(Differential.Request.post(user, token(user), body));
    }

    Differential.Step send(Differential.Request r) {
        return session.send(r);
    }

    /** A step that must have made a job at EE2 (a case's setup); returns its id. */
    String job(Differential.Step s) {
        String id = s.created();
        if (id == null) {
            throw new AssertionError("a setup step of " + session.name + " made no job at EE2:\n" + session.report());
        }
        return id;
    }

    /** A step that must not have made a job at EE2. */
    void nothing(Differential.Step s) {
        if (!s.createdIds().isEmpty()) {
            throw new AssertionError("a step of " + session.name + " that EE2 should refuse made a job:\n" + session.report());
        }
    }

    /** Runs and then finishes (as its runner would, successfully) a job of {@code user}: a finished job of theirs. */
    String finishedJob(String user, Js.Obj params) {
        String id = job(run(user, params));
        send(user, Bodies.call("finish_job", Bodies.finishedOk(id)));
        return id;
    }

    /** A job of {@code user} that ended in error (retryable). */
    String erroredJob(String user, Js.Obj params) {
        String id = job(run(user, params));
        send(user, Bodies.call("finish_job", Bodies.finishedWithError(id)));
        return id;
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
