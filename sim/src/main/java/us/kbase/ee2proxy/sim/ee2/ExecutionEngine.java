package us.kbase.ee2proxy.sim.ee2;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import us.kbase.ee2proxy.sim.rpc.MethodSpec;
import us.kbase.ee2proxy.sim.scheduler.Scheduler;

/** EE2's 28 methods over one scheduler. */
public final class ExecutionEngine {
    private ExecutionEngine() {}

    /** Every {@code execution_engine2.*} method; {@code externalUrl} ends with '/'. */
    public static List<MethodSpec> methods(Scheduler scheduler, Supplier<String> externalUrl) {
        Access access = new Access(scheduler);
        List<MethodSpec> all = new ArrayList<>();
        all.addAll(new JobSubmissionMethods(scheduler, access).specs());
        all.addAll(new JobQueryMethods(scheduler, access).specs());
        all.addAll(new JobLifecycleMethods(scheduler, access).specs());
        all.addAll(new ServiceMethods(externalUrl).specs());
        return all;
    }
}
