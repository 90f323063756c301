package io.usertcp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class ClockAndBlockingTest {

    @Test
    void manualClockMovesOnlyWhenTold() {
        ManualClock c = new ManualClock(5);
        assertEquals(5, c.nanoTime());
        c.advance(Duration.ofMillis(2));
        assertEquals(2_000_005, c.nanoTime());
        c.advanceMillis(1);
        assertEquals(3_000_005, c.nanoTime());
        assertThrows(IllegalArgumentException.class, () -> c.advanceNanos(-1));
    }

    @Test
    void systemClockIsMonotonic() {
        long a = SystemClock.INSTANCE.nanoTime();
        long b = SystemClock.INSTANCE.nanoTime();
        assertTrue(b - a >= 0);
    }

    @Test
    void virtualThreadDetectionMatchesTheRuntime() {
        assertFalse(Blocking.isVirtual(Thread.currentThread()), "JUnit runs on a platform thread");
        assertEquals(Runtime.version().feature() >= 21, Blocking.virtualThreadsSupported());
    }

    @Test
    void interruptedPlatformThreadWaitsTheFullTimeWithoutSpinningAndKeepsTheFlag() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        Condition never = lock.newCondition();
        Thread.currentThread().interrupt();
        long t0 = System.nanoTime();
        lock.lock();
        try {
            long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(100);
            int wakeups = 0;
            for (long left; (left = deadline - System.nanoTime()) > 0; wakeups++) {
                Blocking.await(never, left);
            }
            assertTrue(wakeups < 10, "spinning: " + wakeups + " wake-ups");
        } finally {
            lock.unlock();
        }
        assertTrue(Thread.interrupted(), "flag kept (and cleared here)");
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(95));
    }
}
