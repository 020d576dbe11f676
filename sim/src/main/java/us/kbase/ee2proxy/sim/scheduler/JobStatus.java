package us.kbase.ee2proxy.sim.scheduler;

import java.util.Locale;

/** EE2's job states, in the order a job passes them ({@code estimating} is unused in practice). */
public enum JobStatus {
    CREATED, ESTIMATING, QUEUED, RUNNING, COMPLETED, ERROR, TERMINATED;

    private final String wire = name().toLowerCase(Locale.ROOT);

    /** The name EE2 writes in {@code status}. */
    public String wire() {
        return wire;
    }

    public boolean isTerminal() {
        return this == COMPLETED || this == ERROR || this == TERMINATED;
    }

    /** Parses EE2's status text; null when it is not one. */
    public static JobStatus fromWire(String s) {
        for (JobStatus st : values()) {
            if (st.wire.equals(s)) {
                return st;
            }
        }
        return null;
    }
}
