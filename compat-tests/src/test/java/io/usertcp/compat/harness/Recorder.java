package io.usertcp.compat.harness;

import java.net.ServerSocket;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Collects what a scenario observed, in order, as strings: return values, exceptions (class and
 * exact message), state flags. Two providers agree on a case when their recordings are equal key by
 * key (see {@link Parity}). Only record what must be identical across stacks; use {@link #note} for
 * values that legitimately vary (ports, durations).
 */
public final class Recorder {

    /** Like {@code Runnable} but may throw. */
    @FunctionalInterface
    public interface ThrowingRunnable { void run() throws Exception; }

    /** Like {@code Supplier} but may throw. */
    @FunctionalInterface
    public interface ThrowingSupplier<T> { T get() throws Exception; }

    final Map<String, String> values = new LinkedHashMap<>();
    final Map<String, String> notes = new LinkedHashMap<>();

    /** Records a value (its {@code String.valueOf}). A repeated key gets a numeric suffix. */
    public void value(String key, Object v) {
        String k = key;
        for (int i = 2; values.containsKey(k); i++) {
            k = key + "#" + i;
        }
        values.put(k, String.valueOf(v));
    }

    /** Records a value that is printed on mismatch but never compared. */
    public void note(String key, Object v) {
        notes.put(key, String.valueOf(v));
    }

    /** Runs {@code r}; records {@code ok} or the exception it threw. Never throws (except Errors). */
    public boolean run(String key, ThrowingRunnable r) {
        try {
            r.run();
            value(key, "ok");
            return true;
        } catch (Exception e) {
            value(key, describe(e));
            return false;
        }
    }

    /** Calls {@code s}; records its result or the exception. Returns the result, or null on exception. */
    public <T> T call(String key, ThrowingSupplier<T> s) {
        try {
            T v = s.get();
            value(key, v);
            return v;
        } catch (Exception e) {
            value(key, describe(e));
            return null;
        }
    }

    /** Records the five life-cycle flags of a socket. */
    public void state(String key, Socket s) {
        value(key, stateOf(s));
    }

    /** Records the life-cycle flags of a server socket. */
    public void state(String key, ServerSocket s) {
        value(key, "bound=" + s.isBound() + " closed=" + s.isClosed());
    }

    /**
     * Records whether {@code startNanos → now} lies within [minMillis, maxMillis]: "in bounds", or
     * the actual duration. The actual duration is also kept as a note.
     */
    public void duration(String key, long startNanos, long minMillis, long maxMillis) {
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        note(key + ".ms", took);
        value(key, took >= minMillis && took <= maxMillis ? "in bounds"
                : "took " + took + " ms, expected [" + minMillis + ", " + maxMillis + "]");
    }

    public static String stateOf(Socket s) {
        return "bound=" + s.isBound() + " connected=" + s.isConnected() + " closed=" + s.isClosed()
                + " inShut=" + s.isInputShutdown() + " outShut=" + s.isOutputShutdown();
    }

    /** {@code fully.qualified.Class: message} — what callers can observe of an exception. */
    public static String describe(Throwable e) {
        return e.getClass().getName() + ": " + e.getMessage();
    }
}
