package io.usertcp.compat.harness;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The parity harness: runs a scenario on a provider, records an {@link Outcome}, and — for every
 * provider but jdk — compares it key by key with the jdk outcome of the same case. A mismatch not
 * listed in {@link AllowedDifferences} fails the test and prints both outcomes.
 */
public final class Parity {

    /** A scenario: the code of one case, run once per provider. */
    @FunctionalInterface
    public interface Scenario {
        void run(SocketProvider p, Recorder r) throws Exception;
    }

    /** jdk outcomes by case id (the jdk invocation of a case runs first; otherwise run on demand). */
    private static final Map<String, Outcome> JDK_OUTCOMES = new ConcurrentHashMap<>();

    /** COMPAT_PRINT=true in the environment (or -Dcompat.print=true) dumps every outcome to stderr. */
    private static final boolean PRINT = Boolean.getBoolean("compat.print") || "true".equals(System.getenv("COMPAT_PRINT"));

    private Parity() {}

    public static Outcome observe(String caseId, SocketProvider p, Scenario scenario) {
        Outcome got = runOn(caseId, p, scenario);
        if (PRINT) {
            System.err.print(got.render());
        }
        if (JdkProvider.NAME.equals(p.name())) {
            if (got.scenarioFailure != null) {
                throw new AssertionFailedError("[" + caseId + " on jdk] scenario failed on the reference stack\n"
                        + got.render(), got.scenarioFailure);
            }
            JDK_OUTCOMES.put(caseId, got);
            return got;
        }
        Outcome ref = JDK_OUTCOMES.get(caseId);
        if (ref == null) {
            ref = runOn(caseId, Providers.jdk(), scenario);
            if (ref.scenarioFailure == null) {
                JDK_OUTCOMES.put(caseId, ref);
            }
        }
        Optional<KnownBugs.Bug> bug = KnownBugs.find(caseId, p.name());
        if (bug.isPresent()) {
            try {
                compare(ref, got);
            } catch (AssertionFailedError stillBroken) {
                KnownBugs.reproduced(bug.get());
                throw new TestAbortedException("KNOWN USERTCP BUG (reported, see KnownBugs): "
                        + bug.get().description() + "\n" + stillBroken.getMessage());
            }
            KnownBugs.agreed(bug.get());
            return got;
        }
        compare(ref, got);
        return got;
    }

    private static Outcome runOn(String caseId, SocketProvider p, Scenario scenario) {
        Recorder r = new Recorder();
        Throwable failure = null;
        try {
            scenario.run(p, r);
        } catch (Throwable t) { // an assertion or unexpected exception inside the scenario
            if (t instanceof VirtualMachineError) {
                throw (VirtualMachineError) t;
            }
            failure = t;
        }
        return new Outcome(caseId, p.name(), r, failure);
    }

    /** Fails, printing both outcomes, unless every difference is allowed. */
    static void compare(Outcome ref, Outcome got) {
        Set<String> keys = new LinkedHashSet<>(ref.values.keySet());
        keys.addAll(got.values.keySet());
        List<String> bad = new ArrayList<>();
        for (String k : keys) {
            String want = ref.values.get(k);
            String have = got.values.get(k);
            if (want != null && want.equals(have)) {
                continue;
            }
            Optional<String> reason = AllowedDifferences.reason(got.caseId, got.provider, k);
            if (reason.isPresent()) {
                AllowedDifferences.used(got.caseId, got.provider, k, want, have, reason.get());
            } else {
                bad.add(k + ": jdk <" + want + "> vs " + got.provider + " <" + have + ">");
            }
        }
        if (!bad.isEmpty() || got.scenarioFailure != null) {
            StringBuilder sb = new StringBuilder();
            sb.append("[").append(got.caseId).append("] ").append(got.provider).append(" differs from jdk");
            bad.forEach(b -> sb.append("\n  ").append(b));
            if (got.scenarioFailure != null) {
                sb.append("\n  ").append(got.provider).append(" scenario threw ")
                        .append(Recorder.describe(got.scenarioFailure));
            }
            sb.append('\n').append(ref.render()).append(got.render());
            throw new AssertionFailedError(sb.toString(), got.scenarioFailure);
        }
    }
}
