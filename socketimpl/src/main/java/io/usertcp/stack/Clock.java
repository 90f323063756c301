package io.usertcp.stack;

/**
 * The one source of time for the engine: monotonic nanoseconds, as {@link System#nanoTime()}.
 *
 * <p>Every time value inside the engine is a {@code long} of these nanoseconds; nothing below this
 * package reads a clock (DESIGN.md "Time"). Tests inject a {@link ManualClock} and advance it;
 * production uses {@link SystemClock}.
 */
@FunctionalInterface
public interface Clock {
    /** Monotonic time in nanoseconds; only differences are meaningful. */
    long nanoTime();
}
