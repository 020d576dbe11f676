package us.kbase.ee2proxy;

/** Entry point of {@code ee2-admission-proxy.jar}; replaced by the picocli commands. */
public final class ProxyMain {
    public static void main(String[] args) {
        System.out.println("ee2-admission-proxy: not built yet");
    }
}
