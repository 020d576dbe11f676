package us.kbase.ee2proxy.sim.app;

/**
 * How jobs of one app behave once they run.
 *
 * @param method "Module.function"
 * @param seconds simulated run time (for a parent: its own work before it spawns children)
 * @param failures the first this-many runs of the app in a run end in error (to exercise retries)
 * @param children non-null for a KBParallel-style parent
 */
public record AppProfile(String method, double seconds, int failures, ChildPlan children) {

    public static AppProfile plain(String method, double seconds) {
        return new AppProfile(method, seconds, 0, null);
    }

    public static AppProfile parent(String method, double seconds, ChildPlan children) {
        return new AppProfile(method, seconds, 0, children);
    }

    public boolean isParent() {
        return children != null;
    }

    public AppProfile withFailures(int n) {
        return new AppProfile(method, seconds, n, children);
    }
}
