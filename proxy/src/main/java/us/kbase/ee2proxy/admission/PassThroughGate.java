package us.kbase.ee2proxy.admission;

import java.util.concurrent.CompletionStage;
import us.kbase.ee2proxy.jsonrpc.SniffResult;

/** Forwards every call untouched: the proxy without admission (and the fast path's baseline). */
public final class PassThroughGate implements AdmissionGate {
    public static final PassThroughGate INSTANCE = new PassThroughGate();

    private PassThroughGate() {}

    @Override
    public CompletionStage<Verdict> decide(SniffResult.Call call, Caller caller) {
        return Verdict.FORWARD_NOW;
    }
}
