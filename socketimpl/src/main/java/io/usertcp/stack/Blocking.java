package io.usertcp.stack;

import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.locks.Condition;

/**
 * How a socket call blocks (JDK-CONTRACT.md §1.6): always on a {@link Condition} of the engine lock,
 * never in {@code synchronized} or native code, so a virtual thread unmounts while it waits.
 *
 * <ul>
 *   <li>On a <b>virtual</b> thread an interrupt — pending on entry or arriving while parked — ends
 *       the wait with {@link InterruptedIOException}, the interrupt flag left set. The JDK's Socket
 *       wrapper (JDK 21+) then closes the socket and throws "Closed by interrupt".</li>
 *   <li>On a <b>platform</b> thread an interrupt has no effect, as with the JDK's NioSocketImpl: the
 *       wait goes on (never spinning: the flag is cleared while parked) and the flag is restored
 *       before returning.</li>
 * </ul>
 * {@code Thread.isVirtual()} does not exist on JDK 17, so it is looked up once as a
 * {@link MethodHandle}; without it every thread is a platform thread.
 */
final class Blocking {

    /** Wait without a deadline. */
    static final long FOREVER = Long.MAX_VALUE;

    private static final MethodHandle IS_VIRTUAL = lookupIsVirtual();

    private Blocking() {}

    private static MethodHandle lookupIsVirtual() {
        try {
            return MethodHandles.publicLookup()
                    .findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null; // JDK < 19 (JDK 17): there are no virtual threads
        }
    }

    /** Whether this JVM has virtual threads ({@code Thread.isVirtual()} exists). */
    static boolean virtualThreadsSupported() {
        return IS_VIRTUAL != null;
    }

    /** Whether {@code t} is a virtual thread (always false on JDK 17). */
    static boolean isVirtual(Thread t) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(t);
        } catch (Throwable e) {
            return false;
        }
    }

    /**
     * Parks on {@code cond} (whose lock the caller holds) for at most {@code nanos} ({@link #FOREVER}
     * for no limit) or until signalled. Returns on any wake-up, spurious ones included: the caller
     * re-checks its condition and its own deadline in a loop.
     *
     * @throws InterruptedIOException on a virtual thread that is or gets interrupted (flag kept)
     */
    static void await(Condition cond, long nanos) throws InterruptedIOException {
        if (nanos <= 0) {
            return;
        }
        if (isVirtual(Thread.currentThread())) {
            try {
                if (nanos == FOREVER) {
                    cond.await();
                } else {
                    cond.awaitNanos(nanos);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // JDK-CONTRACT §1.6: leave the flag set
                throw new InterruptedIOException("interrupted");
            }
            return;
        }
        // Platform thread: NioSocketImpl is not interruptible here. Clear the flag while parked (a
        // pending interrupt would make awaitNanos return at once, i.e. spin) and restore it after.
        boolean interrupted = Thread.interrupted();
        try {
            if (nanos == FOREVER) {
                cond.awaitUninterruptibly();
            } else {
                try {
                    cond.awaitNanos(nanos);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
