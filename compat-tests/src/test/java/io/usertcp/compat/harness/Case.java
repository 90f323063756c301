package io.usertcp.compat.harness;

import org.junit.jupiter.api.Assumptions;

/** The identity of one parity case ({@code TestClass.method}), injected into every @ProviderTest. */
public final class Case {
    private final String id;

    Case(String id) {
        this.id = id;
    }

    public String id() { return id; }

    /** Runs the scenario on {@code p}, compares with jdk (see {@link Parity}), returns the outcome. */
    public Outcome observe(SocketProvider p, Parity.Scenario scenario) {
        return Parity.observe(id, p, scenario);
    }

    /** Skips this invocation, with the provider's reason, when it lacks the capability. */
    public void require(SocketProvider p, SocketProvider.Capability c) {
        Assumptions.assumeTrue(p.capabilities().contains(c), () -> p.missingCapabilityReason(c));
    }

    /** Skips unless the JDK running the test is at least {@code feature}. */
    public void requireJdk(int feature, String why) {
        Assumptions.assumeTrue(Runtime.version().feature() >= feature,
                () -> "needs JDK " + feature + "+ (" + why + "); this is JDK " + Runtime.version().feature()
                        + " — runs in CI's JDK 25 re-run of compat-tests");
    }

    @Override public String toString() { return id; }
}
