package us.kbase.ee2proxy.sim.ee2;

import com.fasterxml.jackson.databind.JsonNode;
import us.kbase.ee2proxy.sim.rpc.Caller;
import us.kbase.ee2proxy.sim.rpc.MethodError;
import us.kbase.ee2proxy.sim.scheduler.Job;
import us.kbase.ee2proxy.sim.scheduler.Scheduler;

/**
 * EE2's permission rules, simplified to owner or admin: a job's owner reads and changes it;
 * {@code as_admin} with EE2_ADMIN_RO reads any job, with EE2_ADMIN changes any. (Real EE2 also
 * lets workspace readers read; the simulator has no workspaces.)
 */
final class Access {
    private final Scheduler scheduler;

    Access(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    Job read(Caller caller, JsonNode params) throws MethodError {
        return check(caller, params, false);
    }

    Job write(Caller caller, JsonNode params) throws MethodError {
        return check(caller, params, true);
    }

    Job find(String jobId) throws MethodError {
        Job job = scheduler.find(jobId);
        if (job == null) {
            throw MethodError.notFound(jobId);
        }
        return job;
    }

    Job check(Caller caller, String jobId, boolean asAdmin, boolean write) throws MethodError {
        Job job = find(jobId);
        if (job.user().equals(caller.user())) {
            return job;
        }
        if (asAdmin) {
            requireAdmin(caller, write);
            return job;
        }
        throw MethodError.permission("User " + caller.user() + " does not have permission to "
                + (write ? "modify" : "read") + " job " + jobId);
    }

    private Job check(Caller caller, JsonNode params, boolean write) throws MethodError {
        return check(caller, Args.jobId(params), Args.asAdmin(params), write);
    }

    static void requireAdmin(Caller caller, boolean write) throws MethodError {
        boolean ok = caller.identity() != null
                && (write ? caller.identity().ee2Admin() : caller.identity().ee2Reader());
        if (!ok) {
            throw MethodError.permission("Access Denied: You are not an administrator. AdminPermissions.NONE");
        }
    }
}
