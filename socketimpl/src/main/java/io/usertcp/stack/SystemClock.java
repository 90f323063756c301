package io.usertcp.stack;

/** The real monotonic clock: {@link System#nanoTime()}. The only place the engine reads real time. */
public final class SystemClock implements Clock {

    /** The one instance. */
    public static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {}

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public String toString() {
        return "SystemClock";
    }
}
