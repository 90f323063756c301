package io.usertcp.stack;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to (gVisor's {@code faketime.ManualClock}): tests advance it and
 * then call {@link Stack#pump()} to run whatever became due. Thread-safe.
 */
public final class ManualClock implements Clock {

    private final AtomicLong now;

    /** A clock that starts at one second (so that "0" never looks like a valid past deadline). */
    public ManualClock() {
        this(1_000_000_000L);
    }

    /** A clock that starts at {@code startNanos}. */
    public ManualClock(long startNanos) {
        this.now = new AtomicLong(startNanos);
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    /** Moves the clock forward by {@code d} (must not be negative). */
    public void advance(Duration d) {
        Objects.requireNonNull(d, "d");
        advanceNanos(d.toNanos());
    }

    /** Moves the clock forward by {@code nanos} (must not be negative). */
    public void advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("a clock never goes back: " + nanos);
        }
        now.addAndGet(nanos);
    }

    /** Moves the clock forward by {@code millis} milliseconds. */
    public void advanceMillis(long millis) {
        advanceNanos(Math.multiplyExact(millis, 1_000_000L));
    }

    @Override
    public String toString() {
        return "ManualClock[" + now.get() + " ns]";
    }
}
