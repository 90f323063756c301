package io.usertcp.compat.harness;

/**
 * Timing style of OpenJDK's Timeouts.java: a tight lower bound, a generous upper bound. The values
 * are shorter than the JDK's (2 s) so that the module stays within its CI budget.
 */
public final class Timing {
    /** SO_TIMEOUT used by timeout cases. */
    public static final int TIMEOUT_MS = 400;
    /** Longer SO_TIMEOUT for cases where two timeouts must not add up. */
    public static final int LONG_TIMEOUT_MS = 800;
    /** Delay before a scheduled write/connect/close. */
    public static final int DELAY_MS = 250;
    /** A timeout that must not fire during the case. */
    public static final int NEVER_MS = 30_000;
    /** Allowed early wake-up below the timeout (ms rounding of timers). */
    public static final int LOWER_SLACK_MS = 20;
    /** Generous upper slack (loaded CI machine). */
    public static final int UPPER_SLACK_MS = 10_000;

    private Timing() {}

    /** The [min, max] window for an operation expected to take {@code ms}. */
    public static long min(long ms) { return ms - LOWER_SLACK_MS; }

    public static long max(long ms) { return ms + UPPER_SLACK_MS; }
}
