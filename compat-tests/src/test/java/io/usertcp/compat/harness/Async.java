package io.usertcp.compat.harness;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.opentest4j.AssertionFailedError;

/** Background work for the cases: blocking calls on their own thread, and delayed actions. */
public final class Async {

    private static final ScheduledExecutorService SCHEDULER = Executors.newScheduledThreadPool(4, r -> {
        Thread t = new Thread(r, "compat-scheduler");
        t.setDaemon(true);
        return t;
    });

    private Async() {}

    /** A call running on its own thread. */
    public static final class Task<T> {
        private final Thread thread;
        private final CompletableFuture<T> result = new CompletableFuture<>();

        private Task(String name, Callable<T> c, boolean virtual) {
            Runnable body = () -> {
                try {
                    result.complete(c.call());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            };
            if (virtual) {
                thread = VirtualThreads.start(name, body);
            } else {
                thread = new Thread(body, name);
                thread.setDaemon(true);
                thread.start();
            }
        }

        public Thread thread() { return thread; }

        /** Waits until the thread is parked or blocked inside a socket call (see {@link Blocking}). */
        public Task<T> awaitBlocked() {
            Blocking.awaitBlocked(thread, Duration.ofSeconds(10));
            return this;
        }

        /** The value, or the exception the call threw (rethrown as is); fails after {@code max}. */
        public T join(Duration max) throws Exception {
            try {
                return result.get(max.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof Exception ex) {
                    throw ex;
                }
                throw (Error) c;
            } catch (TimeoutException e) {
                throw new AssertionFailedError("task " + thread.getName() + " still running after " + max
                        + "; state " + thread.getState() + ", stack:\n" + Blocking.stackOf(thread));
            }
        }

        /** "returned &lt;v&gt;" or the exception's {@link Recorder#describe}; fails after {@code max}. */
        public String outcome(Duration max) {
            try {
                return "returned " + join(max);
            } catch (Exception e) {
                return Recorder.describe(e);
            }
        }
    }

    public static <T> Task<T> start(String name, Callable<T> c) {
        return new Task<>(name, c, false);
    }

    public static <T> Task<T> startVirtual(String name, Callable<T> c) {
        return new Task<>(name, c, true);
    }

    /** Runs {@code r} after {@code delayMillis}; exceptions are swallowed (the case observes effects). */
    public static ScheduledFuture<?> schedule(long delayMillis, Recorder.ThrowingRunnable r) {
        return SCHEDULER.schedule(() -> {
            try {
                r.run();
            } catch (Exception ignored) {
                // the case observes the effect (or its absence) on its own thread
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }
}
