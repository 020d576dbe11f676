package us.kbase.ee2proxy.policy;

/** Whether the proxy acts on its decisions or only records them. */
public enum Mode {
    /** Holds and refusals happen. */
    ENFORCE,
    /** Every decision is computed and recorded, but every call is admitted at once. */
    SHADOW
}
