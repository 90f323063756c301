package io.usertcp.hardening;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How a blocked application call ended: the exception (type and message) or EOF, and when
 * ({@link System#nanoTime()}). Fault tests compare these with what a JDK socket gives.
 */
record Outcome(String what, long atNanos) {

    static final String EOF = "EOF (-1)";

    interface Call {
        /** Runs until it fails; returns normally only at EOF. */
        void run() throws Exception;
    }

    static Outcome of(Throwable e) {
        return new Outcome(e.getClass().getName() + ": " + e.getMessage(), System.nanoTime());
    }

    static Outcome eof() {
        return new Outcome(EOF, System.nanoTime());
    }

    /** A watched call: its thread and how it ended. */
    record Watch(Thread thread, CompletableFuture<Outcome> result) {
        /** Waits (bounded) until the thread is parked (a usertcp blocking call waits on a Condition). */
        Watch awaitParked() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                Thread.State st = thread.getState();
                if (st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING) {
                    return this;
                }
                assertTrue(!result.isDone(), () -> thread.getName() + " ended instead of blocking: " + result.join());
                assertTrue(System.nanoTime() < deadline, thread.getName() + " never blocked");
                Thread.sleep(5); // watching another thread's state: nothing to wait on
            }
        }
    }

    /** Runs {@code call} on its own daemon platform thread; completes with how it ended. */
    static Watch start(String name, Call call) {
        CompletableFuture<Outcome> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                call.run();
                f.complete(eof());
            } catch (Throwable e) {
                f.complete(of(e));
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return new Watch(t, f);
    }

    /** Runs {@code call} on its own daemon platform thread; completes with how it ended. */
    static CompletableFuture<Outcome> watch(String name, Call call) {
        return start(name, call).result();
    }

    /** Waits up to {@code seconds} for {@code f}; a hang fails the test instead of hanging it. */
    static Outcome await(CompletableFuture<Outcome> f, long seconds, String what) {
        try {
            return f.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return fail(what + ": still blocked after " + seconds + " s (hang)");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Milliseconds from {@code t0} to this outcome. */
    long millisAfter(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(atNanos - t0);
    }

    static void assertWithin(long millis, long boundMillis, String what) {
        assertTrue(millis <= boundMillis, what + " took " + millis + " ms, bound " + boundMillis + " ms");
    }
}
