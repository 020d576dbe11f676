package us.kbase.ee2proxy.sim.rpc;

/** EE2's per-method token requirement ({@code method_authentication}); unknown methods are NONE. */
public enum Auth {
    NONE, OPTIONAL, REQUIRED
}
