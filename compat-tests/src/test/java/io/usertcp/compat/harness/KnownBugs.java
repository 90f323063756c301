package io.usertcp.compat.harness;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * usertcp bugs this suite has found and reported, not yet fixed: each case listed here is reported
 * as SKIPPED with the bug text when it still differs from jdk (so main stays green while the owner
 * fixes it), and the summary says "no longer reproduces" once it agrees — then delete the entry.
 * This is NOT a list of accepted differences (that is {@link AllowedDifferences}); every entry is a
 * defect with the exact expected and observed behaviour.
 */
public final class KnownBugs {

    /** One open bug: the case, the provider, what jdk does, what usertcp does. */
    public record Bug(String caseId, String provider, String description) {}

    /** Empty: every reported bug is fixed. Add an entry (case, provider, jdk vs usertcp) when a new one is found. */
    private static final List<Bug> TABLE = List.of();

    private static final Set<Bug> REPRODUCED = ConcurrentHashMap.newKeySet();
    private static final Set<Bug> AGREED = ConcurrentHashMap.newKeySet();

    private KnownBugs() {}

    public static List<Bug> table() { return TABLE; }

    static Optional<Bug> find(String caseId, String provider) {
        for (Bug b : TABLE) {
            if (b.caseId.equals(caseId) && b.provider.equals(provider)) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** An assertion that fails while {@code caseId}/{@code provider} is a listed bug.
     *  Listed: failure → skipped with the bug text; success → reported as fixed. Not listed: runs as is. */
    public static void expectFixed(String caseId, String provider, Recorder.ThrowingRunnable assertion)
            throws Exception {
        Optional<Bug> bug = find(caseId, provider);
        if (bug.isEmpty()) {
            assertion.run();
            return;
        }
        try {
            assertion.run();
        } catch (AssertionError stillBroken) {
            reproduced(bug.get());
            throw new org.opentest4j.TestAbortedException("KNOWN USERTCP BUG (reported, see KnownBugs): "
                    + bug.get().description() + "\n" + stillBroken.getMessage());
        }
        agreed(bug.get());
    }

    static void reproduced(Bug b) { REPRODUCED.add(b); }

    static void agreed(Bug b) { AGREED.add(b); }

    /** Bugs whose case ran and still differed. */
    public static Set<Bug> reproduced() { return Set.copyOf(REPRODUCED); }

    /** Bugs whose case ran and agreed with jdk: fixed, delete the entry. */
    public static Set<Bug> noLongerReproduced() {
        Map<Bug, Boolean> m = new ConcurrentHashMap<>();
        AGREED.forEach(b -> m.put(b, true));
        REPRODUCED.forEach(m::remove);
        return m.keySet();
    }
}
