package us.kbase.ee2proxy.ledger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import us.kbase.ee2proxy.policy.SlotClaim;
import us.kbase.ee2proxy.policy.SlotDemand;
import us.kbase.ee2proxy.policy.UserCounts;

/**
 * The embedded ledger of one process: used when no Redis is configured, and by {@link
 * ResilientLedger} as the deciding ledger of {@code redis.onFailure: local} (one replica). Each step locks only its user's book for microseconds, so
 * calling it from an event loop is fine; every stage it returns is already complete.
 */
public final class InMemorySlotLedger implements SlotLedger {
    private final LeaseTerms terms;
    private final LongSupplier clock;
    private final Map<String, UserBook> books = new ConcurrentHashMap<>();
    private final Map<String, String> jobOwners = new ConcurrentHashMap<>();
    /**
     * Jobs released by id alone before any lease named them (a quick job's finish_job can pass
     * before its run_job reply): a later bind or adopt of one takes nothing.
     */
    private final Cache<String, Boolean> goneUnowned;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    public InMemorySlotLedger(LeaseTerms terms) {
        this(terms, () -> System.nanoTime() / 1_000_000);
    }

    /** @param clock milliseconds on a monotonic clock */
    InMemorySlotLedger(LeaseTerms terms, LongSupplier clock) {
        this.terms = terms;
        this.clock = clock;
        this.goneUnowned = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(terms.tombstone()).build();
    }

    @Override
    public CompletionStage<Admission> tryAcquire(String user, String ticket, SlotDemand demand) {
        long expiresAt = clock.getAsLong() + terms.provisional().toMillis();
        return done(locked(user, book -> new Admission(book.acquire(ticket, demand, expiresAt), book.counts(), null)));
    }

    @Override
    public CompletionStage<List<String>> bind(String user, String ticket, List<String> jobIds) {
        long expiresAt = clock.getAsLong() + terms.bound().toMillis();
        int[] freed = {0};
        List<String> bound = locked(user, book -> {
            List<String> ids = book.bind(ticket, withoutGone(jobIds), expiresAt, freed);
            ids.forEach(id -> jobOwners.put(id, user));
            return ids;
        });
        if (freed[0] > 0) {
            wake(user);
        }
        return done(bound);
    }

    @Override
    public CompletionStage<Integer> releaseTicket(String user, String ticket) {
        int freed = locked(user, book -> book.releaseTicket(ticket));
        if (freed > 0) {
            wake(user);
        }
        return done(freed);
    }

    @Override
    public CompletionStage<Boolean> releaseJob(String jobId) {
        String user = jobOwners.get(jobId);
        if (user == null) {
            goneUnowned.put(jobId, Boolean.TRUE);
            return done(false);
        }
        return releaseJob(user, jobId);
    }

    @Override
    public CompletionStage<Boolean> releaseJob(String user, String jobId) {
        long tombstoneUntil = clock.getAsLong() + terms.tombstone().toMillis();
        boolean freed = locked(user, book -> {
            jobOwners.remove(jobId, user);
            return book.releaseJob(jobId, tombstoneUntil);
        });
        if (freed) {
            wake(user);
        }
        return done(freed);
    }

    @Override
    public CompletionStage<Optional<String>> jobOwner(String jobId) {
        String user = jobOwners.get(jobId);
        // The index may name a lease that has expired since: ask the owner's book.
        return done(user != null && locked(user, book -> book.holds(jobId)) ? Optional.of(user) : Optional.empty());
    }

    @Override
    public CompletionStage<UserCounts> counts(String user) {
        return done(locked(user, UserBook::counts));
    }

    @Override
    public CompletionStage<Optional<SlotClaim>> parentClaim(String user, String jobId) {
        return done(locked(user, book -> book.parentClaim(jobId)));
    }

    @Override
    public CompletionStage<Boolean> adopt(String user, String jobId, SlotClaim claim) {
        long expiresAt = clock.getAsLong() + terms.bound().toMillis();
        if (goneUnowned.getIfPresent(jobId) != null) {
            return done(false);
        }
        return done(locked(user, book -> {
            boolean adopted = book.adopt(jobId, claim, expiresAt);
            if (book.holds(jobId)) {
                jobOwners.put(jobId, user);
            }
            return adopted;
        }));
    }

    @Override
    public CompletionStage<List<TrackedJob>> trackedJobs(String user) {
        return done(locked(user, UserBook::tracked));
    }

    @Override
    public CompletionStage<Set<String>> users() {
        return done(Set.copyOf(books.keySet()));
    }

    @Override
    public void onRelease(Consumer<String> listener) {
        listeners.add(listener);
    }

    @Override
    public void close() {
        books.clear();
        jobOwners.clear();
    }

    /** The job ids with those released by id alone replaced by null (bind frees their claims). */
    private List<String> withoutGone(List<String> jobIds) {
        List<String> ids = new ArrayList<>(jobIds);
        ids.replaceAll(id -> id != null && goneUnowned.getIfPresent(id) != null ? null : id);
        return ids;
    }

    /**
     * Runs one step on the user's book under its lock, after sweeping expired leases. A book left
     * empty is retired and removed so idle users cost nothing; a step that raced with the removal
     * sees the retired flag and starts over on a fresh book.
     */
    private <T> T locked(String user, Function<UserBook, T> action) {
        long now = clock.getAsLong();
        while (true) {
            UserBook book = books.computeIfAbsent(user, u -> new UserBook());
            T result;
            List<String> expired;
            synchronized (book) {
                if (book.retired) {
                    continue;
                }
                expired = book.sweep(now);
                result = action.apply(book);
                if (book.isEmpty()) {
                    book.retired = true;
                    books.remove(user, book);
                }
            }
            if (!expired.isEmpty()) {
                for (String jobId : expired) {
                    if (jobId != null) {
                        jobOwners.remove(jobId, user);
                    }
                }
                wake(user);
            }
            return result;
        }
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    private void wake(String user) {
        for (Consumer<String> listener : listeners) {
            listener.accept(user);
        }
    }
}
