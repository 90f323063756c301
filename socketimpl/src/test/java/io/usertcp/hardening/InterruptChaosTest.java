package io.usertcp.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.usertcp.net.UserTcp;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8, "the application misbehaves": threads interrupted at random points leave no wedged
 * connection. Platform threads (and, on JDK 21+, virtual threads) connect, accept, read, write and
 * close {@code java.net} sockets of a loopback-only {@link UserTcp} while an interrupter thread
 * interrupts them at random moments (seeded choices, bounded counts and time). Every blocking call
 * either has a timeout or a partner thread that ends it, so with correct interrupt handling nothing
 * can hang. Afterwards: every thread joined within a bound, every socket closed, the connection
 * table empty (MSL 100 ms: TIME-WAIT 200 ms), {@code internalErrors == 0}, a new connection works,
 * and no received byte was ever wrong.
 *
 * <p>JDK-CONTRACT.md §1.6 is checked on every call: a platform thread is never ended by an
 * interrupt (no {@link InterruptedIOException} other than a timeout, no "Closed by interrupt"); a
 * virtual thread interrupted in a blocking call gets {@code SocketException("Closed by interrupt")}
 * (JDK 21+'s Socket wrapper over our {@code InterruptedIOException}), its socket is closed, and the
 * interrupt flag stays set.
 */
@Timeout(120)
class InterruptChaosTest {

    static final long SEED = Long.getLong("usertcp.chaos.seed", 20261121L);
    static final int SOLO_ITERATIONS = 25;
    static final int PAIR_ROUNDS = 6;
    static final long RUN_BOUND_NANOS = TimeUnit.SECONDS.toNanos(40);
    static final InetAddress LO = InetAddress.getLoopbackAddress();

    private UserTcp ut;
    private final ConcurrentLinkedQueue<Closeable> created = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final LongAdder operations = new LongAdder();
    private final LongAdder bytesChecked = new LongAdder();
    private volatile long deadline;

    @AfterEach
    void tearDown() {
        if (ut != null) {
            ut.close();
        }
    }

    @Test
    void platformThreadsInterruptedAtRandom() throws Exception {
        run(false);
    }

    @Test
    void virtualAndPlatformThreadsInterruptedAtRandom() throws Exception {
        assumeTrue(virtualThreadsSupported(),
                "virtual threads need JDK 21+; this JVM is " + Runtime.version() + " (the platform-thread case ran)");
        run(true);
    }

    // ------------------------------------------------------------------------------------------

    private void run(boolean withVirtual) throws Exception {
        ut = UserTcp.builder().msl(Duration.ofMillis(100)).start();
        deadline = System.nanoTime() + RUN_BOUND_NANOS;
        SplittableRandom seeds = new SplittableRandom(SEED + (withVirtual ? 1 : 0));
        List<Thread> workers = new ArrayList<>();
        int index = 0;
        for (int i = 0; i < 6; i++) {
            boolean virtual = withVirtual && i % 2 == 1;
            long seed = seeds.nextLong();
            workers.add(newThread(virtual, "solo-" + i, () -> solo(seed, virtual)));
        }
        for (int i = 0; i < 4; i++) {
            ServerSocket ss = ut.serverSocketFactory().createServerSocket(0, 50, LO);
            created.add(ss);
            Pair pair = new Pair(ss);
            boolean writerVirtual = withVirtual && i % 2 == 0;
            boolean readerVirtual = withVirtual && i >= 2;
            long ws = seeds.nextLong();
            long rs = seeds.nextLong();
            workers.add(newThread(writerVirtual, "pair-writer-" + i, () -> pairWriter(pair, ws, writerVirtual)));
            workers.add(newThread(readerVirtual, "pair-reader-" + i, () -> pairReader(pair, rs, readerVirtual)));
        }
        AtomicLong interrupts = new AtomicLong();
        long interrupterSeed = seeds.nextLong();
        Thread interrupter = new Thread(() -> {
            SplittableRandom r = new SplittableRandom(interrupterSeed);
            while (workers.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline) {
                Thread victim = workers.get(r.nextInt(workers.size()));
                if (victim.isAlive()) {
                    victim.interrupt();
                    interrupts.incrementAndGet();
                }
                java.util.concurrent.locks.LockSupport.parkNanos(r.nextLong(TimeUnit.MILLISECONDS.toNanos(4)));
            }
        }, "interrupter");
        interrupter.setDaemon(true);
        for (Thread t : workers) {
            t.start();
        }
        interrupter.start();
        long t0 = System.nanoTime();

        // No thread stuck: all end within the run bound (+ slack).
        List<String> stuck = new ArrayList<>();
        for (Thread t : workers) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 10_000));
            if (t.isAlive()) {
                StringBuilder sb = new StringBuilder(t.getName() + " (" + t.getState() + ")");
                for (StackTraceElement e : t.getStackTrace()) {
                    sb.append("\n    at ").append(e);
                }
                stuck.add(sb.toString());
            }
        }
        interrupter.join(5000);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (!stuck.isEmpty()) {
            fail("threads stuck after the run:\n" + String.join("\n", stuck));
        }
        assertTrue(violations.isEmpty(), "JDK-CONTRACT §1.6 / data violations:\n" + String.join("\n", violations));
        if (withVirtual) {
            long byInterrupt = outcomesSnapshot().entrySet().stream()
                    .filter(e -> e.getKey().startsWith("v ") && e.getKey().endsWith("Closed by interrupt"))
                    .mapToLong(Map.Entry::getValue).sum();
            assertTrue(byInterrupt > 0, "no interrupt ever hit a virtual thread's blocking call: " + outcomesSnapshot());
        }

        // Every socket closed (the workers close theirs in finally; the servers here).
        for (Closeable c : created) {
            c.close();
        }
        for (Closeable c : created) {
            boolean closed = c instanceof Socket s ? s.isClosed() : ((ServerSocket) c).isClosed();
            assertTrue(closed, "not closed: " + c);
        }
        // The connection table drains (TIME-WAIT is 2 × 100 ms here).
        long drainBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!ut.stack().connections().isEmpty()) {
            assertTrue(System.nanoTime() < drainBy, "wedged connections: " + ut.stack().connections());
            Thread.sleep(20); // TIME-WAIT and FIN exchanges run on the stack's own threads
        }
        assertEquals(0, ut.stack().stats().internalErrors(), "exceptions in packet processing");
        // And the stack still works.
        try (ServerSocket ss = ut.serverSocketFactory().createServerSocket(0, 1, LO);
                Socket c = ut.socketFactory().createSocket(LO, ss.getLocalPort());
                Socket a = ss.accept()) {
            a.setSoTimeout(5000);
            c.getOutputStream().write(new byte[] {1, 2, 3});
            assertEquals(3, a.getInputStream().readNBytes(3).length);
        }
        String summary = (withVirtual ? "virtual+platform" : "platform") + " threads: " + workers.size() + " workers, "
                + operations.sum() + " socket calls, " + interrupts.get() + " interrupts in " + millis + " ms, "
                + bytesChecked.sum() + " bytes checked; outcomes " + new TreeMap<>(outcomesSnapshot())
                + "; all joined, all closed, table empty, internalErrors 0 (seed " + SEED + ")";
        System.out.println("[usertcp figures] " + summary);
        Reliability.record("interrupt chaos, " + summary);
    }

    private Map<String, Long> outcomesSnapshot() {
        Map<String, Long> m = new TreeMap<>();
        outcomes.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    interface Body {
        void run() throws Exception;
    }

    private Thread newThread(boolean virtual, String name, Body body) throws Exception {
        Runnable r = () -> {
            try {
                body.run();
            } catch (Throwable e) {
                violations.add(name + ": escaped " + e);
            } finally {
                Thread.interrupted();
            }
        };
        if (!virtual) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        Class<?> builderType = Class.forName("java.lang.Thread$Builder");
        builder = builderType.getMethod("name", String.class).invoke(builder, name);
        return (Thread) builderType.getMethod("unstarted", Runnable.class).invoke(builder, r);
    }

    static boolean virtualThreadsSupported() {
        try {
            Thread.class.getMethod("ofVirtual");
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private boolean overtime() {
        return System.nanoTime() > deadline;
    }

    /**
     * Counts a call's outcome and checks it against §1.6. {@code closeable} is the socket the call
     * was on (the ServerSocket for accept). Returns true when the caller should give up on it.
     */
    private boolean check(String thread, boolean virtual, String op, Throwable e, Closeable closeable) {
        operations.increment();
        String kind = e == null ? "ok" : e.getClass().getSimpleName() + ": " + e.getMessage();
        outcomes.computeIfAbsent((virtual ? "v " : "p ") + op + " → " + kind, k -> new LongAdder()).increment();
        if (e == null) {
            return false;
        }
        boolean byInterrupt = e instanceof SocketException && "Closed by interrupt".equals(e.getMessage());
        if (e instanceof SocketTimeoutException) {
            return false;
        }
        if (!virtual && (byInterrupt || e instanceof InterruptedIOException)) {
            violations.add(thread + ": a platform thread's " + op + " ended by an interrupt: " + e);
        }
        if (virtual && e instanceof InterruptedIOException) {
            violations.add(thread + ": " + op + " leaked InterruptedIOException past the Socket wrapper: " + e);
        }
        if (byInterrupt) {
            boolean closed = closeable instanceof Socket s ? s.isClosed() : ((ServerSocket) closeable).isClosed();
            if (!closed) {
                violations.add(thread + ": " + op + " said \"Closed by interrupt\" but the socket is open");
            }
            if (!Thread.currentThread().isInterrupted()) {
                violations.add(thread + ": " + op + " cleared the interrupt flag");
            }
        } else if (!(e instanceof IOException)) {
            violations.add(thread + ": " + op + " threw " + e);
        } else if (!expected(e.getMessage())) {
            violations.add(thread + ": " + op + " threw an unexpected " + e);
        }
        return true;
    }

    private static boolean expected(String m) {
        return m != null && (m.equals("Socket closed") || m.equals("Connection reset") || m.equals("Connection reset by peer")
                || m.equals("Broken pipe") || m.equals("Connection refused") || m.equals("Socket is closed"));
    }

    // ------------------------------------------------------------------------------------------
    // Solo worker: everything on one thread, every blocking call with a timeout
    // ------------------------------------------------------------------------------------------

    private void solo(long seed, boolean virtual) {
        SplittableRandom r = new SplittableRandom(seed);
        String me = Thread.currentThread().getName();
        for (int it = 0; it < SOLO_ITERATIONS && !overtime(); it++) {
            Thread.interrupted(); // each iteration starts clean; interrupts arrive during it
            ServerSocket ss = null;
            Socket c = null;
            Socket a = null;
            try {
                try {
                    ss = ut.serverSocketFactory().createServerSocket(0, 4, LO);
                    created.add(ss);
                    ss.setSoTimeout(1 + r.nextInt(20));
                } catch (IOException e) {
                    check(me, virtual, "listen", e, ss == null ? new ServerSocket() : ss);
                    continue;
                }
                c = ut.socketFactory().createSocket();
                created.add(c);
                if (r.nextInt(4) == 0) {
                    // accept with nobody connecting: blocks for the timeout, an interrupt window
                    try {
                        ss.accept().close();
                        violations.add(me + ": accept returned with nobody connecting");
                    } catch (IOException e) {
                        if (check(me, virtual, "accept(idle)", e, ss)) {
                            continue;
                        }
                    }
                }
                try {
                    c.connect(new InetSocketAddress(LO, ss.getLocalPort()), 2000);
                    check(me, virtual, "connect", null, c);
                } catch (IOException e) {
                    check(me, virtual, "connect", e, c);
                    continue;
                }
                try {
                    a = ss.accept();
                    created.add(a);
                    check(me, virtual, "accept", null, ss);
                } catch (IOException e) {
                    if (check(me, virtual, "accept", e, ss) && !(e instanceof SocketTimeoutException)) {
                        continue;
                    }
                    if (a == null) {
                        continue; // timed out before the handshake finished (rare)
                    }
                }
                c.setSoTimeout(1 + r.nextInt(20));
                a.setSoTimeout(1 + r.nextInt(20));
                int ops = 2 + r.nextInt(10);
                long[] sent = new long[2]; // bytes c→a, a→c
                long[] got = new long[2];
                boolean dead = false;
                for (int k = 0; k < ops && !dead && !overtime(); k++) {
                    boolean fromC = r.nextBoolean();
                    Socket from = fromC ? c : a;
                    Socket to = fromC ? a : c;
                    int dir = fromC ? 0 : 1;
                    switch (r.nextInt(3)) {
                        case 0 -> {
                            int n = 1 + r.nextInt(8192);
                            try {
                                from.getOutputStream().write(pattern(sent[dir], n, dir));
                                sent[dir] += n;
                                dead = check(me, virtual, "write", null, from);
                            } catch (IOException e) {
                                dead = check(me, virtual, "write", e, from);
                            }
                        }
                        default -> {
                            byte[] b = new byte[1 + r.nextInt(16384)];
                            try {
                                int n = to.getInputStream().read(b);
                                if (n > 0) {
                                    verify(me, b, n, got[dir], dir);
                                    got[dir] += n;
                                }
                                dead = check(me, virtual, "read", null, to);
                            } catch (IOException e) {
                                dead = check(me, virtual, "read", e, to) && !(e instanceof SocketTimeoutException);
                            }
                        }
                    }
                }
                if (r.nextInt(5) == 0) {
                    a.setSoLinger(true, 0); // an abortive close now and then
                }
            } catch (IOException e) {
                check(me, virtual, "setup", e, c != null ? c : new Socket());
            } finally {
                closeQuietly(a);
                closeQuietly(c);
                closeQuietly(ss);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Pair workers: a writer that blocks on a full window, a slow reader with read timeouts
    // ------------------------------------------------------------------------------------------

    static final class Pair {
        final ServerSocket ss;
        volatile boolean writerDone;

        Pair(ServerSocket ss) {
            this.ss = ss;
        }
    }

    private void pairWriter(Pair p, long seed, boolean virtual) {
        SplittableRandom r = new SplittableRandom(seed);
        String me = Thread.currentThread().getName();
        try {
            for (int round = 0; round < PAIR_ROUNDS && !overtime(); round++) {
                Thread.interrupted();
                Socket c;
                try {
                    c = ut.socketFactory().createSocket();
                } catch (IOException e) {
                    violations.add(me + ": createSocket " + e);
                    return;
                }
                created.add(c);
                try {
                    c.connect(new InetSocketAddress(LO, p.ss.getLocalPort()), 2000);
                    check(me, virtual, "connect", null, c);
                    OutputStream out = c.getOutputStream();
                    long total = 256 * 1024 + r.nextInt(2 * 1024 * 1024); // more than the buffers: writes block
                    long sent = 0;
                    while (sent < total && !overtime()) {
                        int n = (int) Math.min(total - sent, 1 + r.nextInt(128 * 1024));
                        out.write(pattern(sent, n, 2));
                        sent += n;
                    }
                    check(me, virtual, "write(bulk)", null, c);
                } catch (IOException e) {
                    if (check(me, virtual, "connect/write(bulk)", e, c) && p.ss.isClosed()) {
                        return;
                    }
                } finally {
                    closeQuietly(c);
                }
            }
        } finally {
            p.writerDone = true;
        }
    }

    private void pairReader(Pair p, long seed, boolean virtual) {
        SplittableRandom r = new SplittableRandom(seed);
        String me = Thread.currentThread().getName();
        try {
            p.ss.setSoTimeout(20);
        } catch (IOException e) {
            violations.add(me + ": setSoTimeout " + e);
            return;
        }
        while (!overtime()) {
            Thread.interrupted();
            Socket a;
            try {
                a = p.ss.accept();
                created.add(a);
                check(me, virtual, "accept", null, p.ss);
            } catch (SocketTimeoutException e) {
                if (p.writerDone) {
                    return;
                }
                continue;
            } catch (IOException e) {
                check(me, virtual, "accept", e, p.ss);
                if (p.ss.isClosed()) {
                    return; // closed by an interrupt (virtual): the writer's connects are refused
                }
                continue;
            }
            try {
                a.setSoTimeout(5 + r.nextInt(30));
                InputStream in = a.getInputStream();
                byte[] b = new byte[1 + r.nextInt(65536)];
                long got = 0;
                while (!overtime()) {
                    int n;
                    try {
                        n = in.read(b);
                    } catch (SocketTimeoutException e) {
                        check(me, virtual, "read(bulk)", e, a);
                        continue;
                    }
                    if (n < 0) {
                        break;
                    }
                    verify(me, b, n, got, 2);
                    got += n;
                }
                check(me, virtual, "read(bulk)", null, a);
            } catch (IOException e) {
                check(me, virtual, "read(bulk)", e, a);
            } finally {
                closeQuietly(a);
            }
        }
    }

    // ------------------------------------------------------------------------------------------

    /** Bytes {@code offset .. offset+n} of stream {@code stream}: every byte says where it belongs. */
    static byte[] pattern(long offset, int n, int stream) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = at(offset + i, stream);
        }
        return b;
    }

    static byte at(long pos, int stream) {
        long x = pos * 0x9E3779B97F4A7C15L + stream;
        return (byte) (x ^ (x >>> 29) ^ (x >>> 47));
    }

    private void verify(String me, byte[] b, int n, long offset, int stream) {
        for (int i = 0; i < n; i++) {
            if (b[i] != at(offset + i, stream)) {
                violations.add(me + ": wrong byte at stream offset " + (offset + i));
                return;
            }
        }
        bytesChecked.add(n);
    }

    private static void closeQuietly(Closeable c) {
        if (c == null) {
            return;
        }
        // Closing never blocks here (no SO_LINGER > 0), so an interrupt cannot disturb it.
        try {
            c.close();
        } catch (IOException e) {
            // close of a java.net socket does not fail in practice
        }
    }
}
