package us.kbase.ee2proxy.sim;

/** Entry point of {@code ee2-sim.jar}; replaced by the simulator's picocli command. */
public final class SimMain {
    public static void main(String[] args) {
        System.out.println("ee2-sim: not built yet");
    }
}
