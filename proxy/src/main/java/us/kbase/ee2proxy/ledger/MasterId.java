package us.kbase.ee2proxy.ledger;

/**
 * Which Redis master answered, by its replication ids ({@code INFO replication}): {@code replid}
 * names the history of writes it holds; a replica promoted by a failover starts a new one and keeps
 * its old master's as {@code previous} (a master never promoted has {@code previous} all zeros).
 */
public record MasterId(String replid, String previous) {}
