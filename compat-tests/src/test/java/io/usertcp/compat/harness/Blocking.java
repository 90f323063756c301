package io.usertcp.compat.harness;

import java.time.Duration;
import org.opentest4j.AssertionFailedError;

/**
 * Knowing that another thread is really blocked in a socket call, without sleeping a guessed
 * amount: the thread is WAITING/TIMED_WAITING (usertcp parks on a Condition; a virtual thread in
 * the JDK parks too) or RUNNABLE in a native frame (the JDK's poll on a platform thread), with a
 * socket-stack frame (java.net, sun.nio.ch, io.usertcp) on its stack.
 */
public final class Blocking {
    private Blocking() {}

    public static void awaitBlocked(Thread t, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        int stable = 0;
        while (System.nanoTime() < deadline) {
            if (!t.isAlive()) {
                throw new AssertionFailedError("thread " + t.getName() + " ended before it blocked");
            }
            stable = isBlockedInSocketCall(t) ? stable + 1 : 0;
            if (stable >= 10) { // seen blocked ten times in a row, 2 ms apart
                return;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionFailedError("interrupted while waiting for " + t.getName() + " to block");
            }
        }
        throw new AssertionFailedError("thread " + t.getName() + " did not block in a socket call within "
                + max + "; state " + t.getState() + ", stack:\n" + stackOf(t));
    }

    static boolean isBlockedInSocketCall(Thread t) {
        Thread.State st = t.getState();
        StackTraceElement[] stack = t.getStackTrace();
        if (stack.length == 0) {
            return false;
        }
        boolean socketFrame = false;
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            if (c.startsWith("java.net.") || c.startsWith("sun.nio.ch.") || c.startsWith("io.usertcp.")
                    && !c.startsWith("io.usertcp.compat.")) {
                socketFrame = true;
                break;
            }
        }
        if (!socketFrame) {
            return false;
        }
        return st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING
                || (st == Thread.State.RUNNABLE && stack[0].isNativeMethod());
    }

    static String stackOf(Thread t) {
        StringBuilder sb = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            sb.append("    at ").append(e).append('\n');
        }
        return sb.toString();
    }
}
