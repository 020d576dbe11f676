package us.kbase.ee2proxy.ledger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.UserCounts;

/** What the ledger's scripts store and answer, as text: claims, counts, numbers. */
final class ScriptValues {
    private ScriptValues() {}

    /** Parses {server time us, jobs, parents, reserve kept ms, app1, n1, ...} from {@code offset}. */
    static UserCounts counts(List<Object> reply, int offset) {
        int jobs = number(reply.get(offset + 1));
        int parents = number(reply.get(offset + 2));
        Object kept = reply.get(offset + 3);
        long reserveKeptMs = kept instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(kept));
        Map<String, Integer> byApp = new HashMap<>();
        for (int i = offset + 4; i + 1 < reply.size(); i += 2) {
            byApp.put((String) reply.get(i), number(reply.get(i + 1)));
        }
        return new UserCounts(parents, jobs, byApp, reserveKeptMs);
    }

    /** The (job id, claim) pairs of {@code reply} from {@code from} (inclusive) to {@code to} (exclusive). */
    static List<TrackedJob> trackedJobs(List<Object> reply, int from, int to) {
        List<TrackedJob> jobs = new ArrayList<>((to - from) / 2);
        for (int i = from; i + 1 < to; i += 2) {
            jobs.add(new TrackedJob((String) reply.get(i), decode((String) reply.get(i + 1))));
        }
        return jobs;
    }

    /** Lua integers arrive as Long, but a codec may hand them over as text. */
    static int number(Object value) {
        return value instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(value));
    }

    /**
     * A claim as the scripts store it: {@code "<parent 0|1>:<depth>:<app>"}, or for a job admitted
     * as a running app's child {@code "c:<bytes>:<parent>:<app>"}, the parent's length in UTF-8
     * bytes first so that neither a parent id nor an app label can be read as the other.
     */
    static String encode(SlotClaim claim) {
        if (claim.childOf() != null) {
            return childPrefix(claim.childOf()) + claim.app();
        }
        return (claim.parent() ? "1:" : "0:") + claim.depth() + ":" + claim.app();
    }

    static SlotClaim decode(String text) {
        int second = text.indexOf(':', 2);
        if (text.startsWith("c:")) {
            int bytes = Integer.parseInt(text, 2, second, 10);
            byte[] rest = text.substring(second + 1).getBytes(StandardCharsets.UTF_8);
            String parent = new String(rest, 0, bytes, StandardCharsets.UTF_8);
            return SlotClaim.childOf(parent, new String(rest, bytes + 1, rest.length - bytes - 1, StandardCharsets.UTF_8));
        }
        return new SlotClaim(text.charAt(0) == '1', Integer.parseInt(text, 2, second, 10), text.substring(second + 1));
    }

    /** How every claim of a child of {@code parent} begins (acquire.lua counts them by it). */
    static String childPrefix(String parent) {
        return "c:" + parent.getBytes(StandardCharsets.UTF_8).length + ":" + parent + ":";
    }
}
