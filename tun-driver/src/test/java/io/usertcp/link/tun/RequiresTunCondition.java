package io.usertcp.link.tun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

/**
 * The check behind {@link RequiresTun}: a private network namespace, then TUN devices that can be
 * created in it. Locally a missing prerequisite disables the test with the reason; under
 * {@code CI=true} the test is enabled and then fails in {@code beforeAll}/{@code beforeEach} with
 * the reason, so a CI run cannot pass by skipping.
 */
public final class RequiresTunCondition implements ExecutionCondition, BeforeAllCallback, BeforeEachCallback {

    /** Set by build/netns/bin/java when it could not create a namespace (the reason). */
    public static final String NETNS_ERROR_ENV = "USERTCP_NETNS_ERROR";
    /** Exported by build/netns/bin/java inside the namespace it created. */
    public static final String IN_NETNS_ENV = "USERTCP_IN_NETNS";

    /** Why a TUN test cannot run here, or null when it can. Computed once per JVM. */
    public static String unmetReason() {
        return Holder.REASON;
    }

    private static final class Holder {
        static final String REASON = computeReason();
    }

    private static String computeReason() {
        String netnsError = System.getenv(NETNS_ERROR_ENV);
        if (netnsError != null && !netnsError.isBlank()) {
            return "no private network namespace for TUN tests: " + netnsError;
        }
        if (!"1".equals(System.getenv(IN_NETNS_ENV))) {
            return "this test opens TUN devices and must run inside a private network namespace, not in the machine's own:"
                    + " run it through Maven (`mvn -B verify -pl tun-driver -am`; the tun-tests execution starts the test JVM with"
                    + " build/netns/bin/java, which enters `unshare --net`), or start your IDE's test JVM with build/netns/bin/java";
        }
        String sameNs = sharesInitNamespace();
        if (sameNs != null) {
            return sameNs;
        }
        Throwable cause = Tun.createUnavailabilityCause();
        if (cause != null) {
            return "TUN devices cannot be created in this namespace: " + cause.getMessage();
        }
        return null;
    }

    /**
     * A second check that does not trust the environment variable alone: when this process can see
     * init's network namespace and it is ours, we are in the machine's namespace.
     */
    private static String sharesInitNamespace() {
        try {
            Path mine = Files.readSymbolicLink(Path.of("/proc/self/ns/net"));
            Path init = Files.readSymbolicLink(Path.of("/proc/1/ns/net"));
            if (mine.equals(init)) {
                return "USERTCP_IN_NETNS=1 is set but this JVM shares the network namespace of PID 1 (" + mine
                        + "): refusing to open TUN devices in the machine's own namespace; start the JVM through"
                        + " build/netns/bin/java";
            }
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            // /proc/1 not readable (not root, or a PID namespace): rely on the environment variable
        }
        return null;
    }

    static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String reason = unmetReason();
        if (reason == null) {
            return ConditionEvaluationResult.enabled("TUN available in a private network namespace");
        }
        if (onCi()) {
            return ConditionEvaluationResult.enabled("CI=true: the test will fail because " + reason);
        }
        return ConditionEvaluationResult.disabled("skipped (set CI=true to make this a failure): " + reason);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        failOnCi();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        failOnCi();
    }

    private static void failOnCi() {
        String reason = unmetReason();
        if (reason != null) {
            // Reaching here means CI=true (otherwise the condition disabled the test).
            throw new AssertionFailedError("TUN test cannot run (CI=true, so this is a failure, not a skip): " + reason);
        }
    }
}
