/**
 * The slot ledger: per-user leases that count P(u) (unfinished parents) and A(u) (unfinished
 * admitted jobs) for the admission rules.
 *
 * <p>{@link us.kbase.ee2proxy.ledger.SlotLedger} is the one interface. {@link
 * us.kbase.ee2proxy.ledger.InMemorySlotLedger} is the embedded default (no Redis configured);
 * {@link us.kbase.ee2proxy.ledger.RedisSlotLedger} is shared by replicas; {@link
 * us.kbase.ee2proxy.ledger.ResilientLedger} wraps the Redis one with everything that happens when
 * Redis fails. What happens then is one state machine, {@link us.kbase.ee2proxy.ledger.Outage}:
 * Redis decides or nobody does, writes Redis missed are journaled ({@link
 * us.kbase.ee2proxy.ledger.OutageJournal}) and written back in order before it decides again, and a
 * Redis that lost its data (its generation key gone or changed) or failed over ({@link
 * us.kbase.ee2proxy.ledger.MasterWatch}: the deciding master was promoted in place of one this
 * replica decided on) is rebuilt from EE2 before it decides ({@link
 * us.kbase.ee2proxy.ledger.LedgerRebuild}, {@link us.kbase.ee2proxy.ledger.CallsInFlight}). {@link
 * us.kbase.ee2proxy.ledger.LocalCopy} is {@code redis.onFailure: local}; {@link
 * us.kbase.ee2proxy.ledger.RecoveryThread} is the one thread that waits on Redis.
 *
 * <h2>Redis deployments</h2>
 * {@link us.kbase.ee2proxy.ledger.RedisClients} builds the Redisson client for one server, a
 * Cluster or a Sentinel-managed master ({@link us.kbase.ee2proxy.config.RedisAddress}'s URL
 * forms), optionally over TLS: reads and writes on masters only, no retries, the topology re-read
 * every 250 ms. A user's keys share one hash tag, so every script runs on one master; the job
 * index is one key per job; wake-ups are classic PUBLISH from the scripts (a Cluster relays them
 * to every node), heard through an {@code RTopic}. {@link us.kbase.ee2proxy.ledger.LedgerWarmUp}
 * connects, loads every script on every master and waits for one answer and the subscription at
 * start; until then the replica is not ready ({@code /health} 503). With replicas, every lease
 * write (acquire, bind, adopt, release) is one Redisson batch of the script and {@code WAIT} for
 * the replicas Redisson counts available for that master: acknowledged only once a promoted
 * replica would have it ({@link us.kbase.ee2proxy.ledger.UnreplicatedWriteException} otherwise).
 *
 * <h2>Lease lifecycle</h2>
 * {@code tryAcquire(user, ticket, demand)} takes claim i as the provisional lease {@code
 * t:<ticket>:<i>} (short TTL); {@code bind(user, ticket, jobIds)} turns it into {@code j:<jobId>}
 * (long TTL) and indexes the job's owner; {@code releaseTicket} / {@code releaseJob} free them and
 * publish the user's name; a released job id stays a tombstone for a while so a late bind, replay
 * or adopt cannot resurrect it; anything left past its TTL stops counting.
 *
 * <h2>Redis scripts</h2>
 * Each step is one EVALSHA (EVAL once after NOSCRIPT) of {@code prelude.lua} + the step's script,
 * with {@code KEYS = [leases, parents, claims, gone]} of one user (see {@link
 * us.kbase.ee2proxy.ledger.LedgerKeys}) and {@code ARGV = [user, channel, ...]}. Every script reads
 * {@code TIME} (never the client clock); the writing ones first sweep expired leases and tombstones,
 * publish the user on the channel if any lease went, and renew the keys' TTL. On one server or a
 * Sentinel set (every key on one node) a script also gets the key it would otherwise need another
 * round trip for, as {@code KEYS[5..]}: a job costs three calls (acquire, bind, finish). On a
 * Cluster those keys are in other slots: they are sent with the script instead (the generation
 * read in the same batch or at the same time, the owner index at the same time as the bind), and
 * a runner's finish of its own job is {@code finish_own} in its slot then the owner key's DEL: six
 * commands in four round trips. The Java side: {@link us.kbase.ee2proxy.ledger.UserScripts} runs
 * a script on a user's keys (with WAIT, {@link us.kbase.ee2proxy.ledger.ReplicaWaits}), {@link
 * us.kbase.ee2proxy.ledger.JobOwners} the job index, {@link us.kbase.ee2proxy.ledger.TimedCalls}
 * times and bounds every call, {@link us.kbase.ee2proxy.ledger.ReleaseWakeUps} hears releases.
 * <ul>
 *   <li>{@code acquire}: ARGV ticket, parentLimit, jobLimit, provisionalTtlMs, keyTtlMs,
 *       lentJobLimit, marksOwnCallMs, B, B pairs
 *       (childPrefix, or "c:" for all children; limit), claims... ({@code "<0|1>:<depth>:<app>"}, or a running app's child
 *       {@code "c:<bytes>:<parent>:<app>"}) -> {@code [admitted, master_replid, master_replid2,
 *       connected replicas, generation, time, jobs, parents, reserveKeptMs, app, n, ...]}; an own
 *       call (marksOwnCallMs > 0) first sets the claims hash's field {@code own} to now +
 *       marksOwnCallMs (children.reserveFor; never shortened), and any other call uses lentJobLimit as
 *       its jobLimit when that field has passed (the reserve is lent); KEYS[5] the generation
 *       key (one node; its value answered, '' when gone or not given);
 *       admitted (1) iff no child bound is exceeded (the user's claims and these beginning with a
 *       bound's prefix number at most its limit; else 2, nothing taken), {@code ZCARD parents +
 *       parent claims <= parentLimit} and {@code ZCARD leases + claims <= jobLimit}; a ticket that
 *       already holds leases is admitted again without taking more.
 *   <li>{@code bind}: ARGV ticket, boundTtlMs, keyTtlMs, tombstoneTtlMs, jobIds... -> the job ids
 *       bound; KEYS[5..] (one node) each job's owner key: the owner recorded, a job marked gone
 *       (finished before its bind) released instead.
 *   <li>{@code release}: ARGV "ticket"|"job", id, tombstoneTtlMs, keyTtlMs -> leases freed;
 *       KEYS[5] (one node, a job) its owner key, deleted.
 *   <li>{@code finish} (one node): ARGV jobId, tombstoneTtlMs, keyTtlMs, KEYS[5] the job's owner
 *       key -> {@code [0]} no owner (marked gone), {@code [1, freed]} the caller (ARGV user) owned
 *       and released it, {@code [2, owner]} someone else owns it (nothing changed).
 *   <li>{@code adopt}: ARGV jobId, claim, boundTtlMs, keyTtlMs -> 1 new, 0 known or tombstone.
 *   <li>{@code counts}: -> {@code [time, jobs, parents, reserveKeptMs, app, n, ...]}.
 *   <li>{@code parent} (read only): ARGV jobId -> the claim of a live parent lease, or nil.
 *   <li>{@code tracked} (read only): -> {@code [jobId, claim, ...]} of live bound leases.
 *   <li>{@code leases}: -> {@code [2k, jobId, claim, ... (k pairs), time, jobs, parents, reserveKeptMs, app, n,
 *       ...]}: tracked and counts in one step.
 *   <li>{@code generation} (one key, {@code <prefix>:generation}, no prelude): ARGV "get" [createAs]
 *       -> the value ({@code ready:<id>} | {@code rebuilding:<id>}), written first when absent and
 *       createAs given; ARGV "ready", id -> {@code rebuilding:<id>} becomes {@code ready:<id>};
 *       ARGV "lost", value -> a ready (or absent) generation becomes value (a failover was seen).
 * </ul>
 */
package us.kbase.ee2proxy.ledger;
