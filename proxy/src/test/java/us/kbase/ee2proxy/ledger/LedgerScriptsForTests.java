package us.kbase.ee2proxy.ledger;

import org.redisson.api.RScript;

/** What tests outside this package may know of the ledger's scripts. */
public final class LedgerScriptsForTests {
    private LedgerScriptsForTests() {}

    /** The SHA-1 EVALSHA names the acquire script by. */
    public static String acquireSha() {
        return LedgerScript.load("acquire", RScript.Mode.READ_WRITE, RScript.ReturnType.LIST).sha();
    }
}
