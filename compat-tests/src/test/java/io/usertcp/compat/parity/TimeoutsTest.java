package io.usertcp.compat.parity;

import static io.usertcp.compat.harness.Timing.DELAY_MS;
import static io.usertcp.compat.harness.Timing.LONG_TIMEOUT_MS;
import static io.usertcp.compat.harness.Timing.NEVER_MS;
import static io.usertcp.compat.harness.Timing.TIMEOUT_MS;
import static io.usertcp.compat.harness.Timing.max;
import static io.usertcp.compat.harness.Timing.min;

import io.usertcp.compat.harness.Async;
import io.usertcp.compat.harness.Backlog;
import io.usertcp.compat.harness.Case;
import io.usertcp.compat.harness.Pair;
import io.usertcp.compat.harness.ProviderTest;
import io.usertcp.compat.harness.SocketProvider;
import io.usertcp.compat.harness.SocketProvider.Capability;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

/**
 * The cases of OpenJDK's test/jdk/java/net/Socket/Timeouts.java, one for one (same names), run on
 * every provider, with shorter timeouts (see Timing) and the same style: tight lower bound,
 * generous upper bound.
 */
class TimeoutsTest {
    static final int JDK = Runtime.version().feature();
    static final String READ_TIMED_OUT = "java.net.SocketTimeoutException: Read timed out";
    static final String ACCEPT_TIMED_OUT = "java.net.SocketTimeoutException: Accept timed out";
    static final Duration WAIT = Duration.ofSeconds(20);

    // ---- connect ----------------------------------------------------------------------------

    /** Timed connect where the connection is established. */
    @ProviderTest
    void timedConnect1(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket(); Socket s = q.newSocket()) {
                r.run("connect", () -> s.connect(ss.getLocalSocketAddress(), 2000));
                r.state("state", s);
            }
        }).expect("connect", "ok").expect("state", "bound=true connected=true closed=false inShut=false outShut=false");
    }

    /** Timed connect where the connection is refused. */
    @ProviderTest
    void timedConnect2(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            int port = q.unusedPort();
            try (Socket s = q.newSocket()) {
                r.run("connect", () -> s.connect(new java.net.InetSocketAddress(q.loopbackAddress(), port), 10_000));
            }
        }).expect("connect", "java.net.ConnectException: Connection refused");
    }

    /** Connect with a timeout of Integer.MAX_VALUE. */
    @ProviderTest
    void timedConnect3(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket(); Socket s = q.newSocket()) {
                r.run("connect", () -> s.connect(ss.getLocalSocketAddress(), Integer.MAX_VALUE));
            }
        }).expect("connect", "ok");
    }

    /** Connect with a negative timeout. */
    @ProviderTest
    void timedConnect4(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket(); Socket s = q.newSocket()) {
                r.run("connect", () -> s.connect(ss.getLocalSocketAddress(), -1));
                r.state("state", s);
            }
        }).expect("connect", "java.lang.IllegalArgumentException: connect: timeout can't be negative")
                .expect("state", "bound=false connected=false closed=false inShut=false outShut=false");
    }

    /** (added) Timed connect that times out: the SYN goes unanswered (full backlog on loopback). */
    @ProviderTest
    void timedConnect5(SocketProvider p, Case c) {
        c.require(p, Capability.UNANSWERED_CONNECT);
        c.observe(p, (q, r) -> {
            try (Backlog b = Backlog.full(q); Socket s = q.newSocket()) {
                long t0 = System.nanoTime();
                r.run("connect", () -> s.connect(b.address(), TIMEOUT_MS));
                r.duration("waited", t0, min(TIMEOUT_MS), max(TIMEOUT_MS));
                r.value("closed", s.isClosed());
                r.value("connected", s.isConnected());
            }
        }).expect("connect", "java.net.SocketTimeoutException: Connect timed out")
                .expect("waited", "in bounds")
                // JDK-8343791 (24): Socket.connect closes the socket on failure
                .expect("closed", JDK >= 24)
                .expect("connected", false);
    }

    // ---- read -------------------------------------------------------------------------------

    /** Timed read where the read succeeds immediately. */
    @ProviderTest
    void timedRead1(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.getOutputStream().write(99);
                x.accepted.setSoTimeout(NEVER_MS);
                r.call("read", () -> x.accepted.getInputStream().read());
            }
        }).expect("read", 99);
    }

    /** Timed read where the read succeeds after a delay. */
    @ProviderTest
    void timedRead2(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                long t0 = System.nanoTime(); // before scheduling: the delay counts from here at the latest
                scheduleWrite(x.client, 99, DELAY_MS);
                x.accepted.setSoTimeout(NEVER_MS);
                r.call("read", () -> x.accepted.getInputStream().read());
                r.duration("waited", t0, min(DELAY_MS), max(DELAY_MS));
            }
        }).expect("read", 99).expect("waited", "in bounds");
    }

    /** Timed read where the read times out. */
    @ProviderTest
    void timedRead3(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setSoTimeout(TIMEOUT_MS);
                long t0 = System.nanoTime();
                r.call("read", () -> x.accepted.getInputStream().read());
                r.duration("waited", t0, min(TIMEOUT_MS), max(TIMEOUT_MS));
                r.state("state", x.accepted);
            }
        }).expect("read", READ_TIMED_OUT).expect("waited", "in bounds")
                .expect("state", "bound=true connected=true closed=false inShut=false outShut=false");
    }

    /** Timed read that succeeds after a previous read has timed out. */
    @ProviderTest
    void timedRead4(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setSoTimeout(TIMEOUT_MS);
                r.call("read1", () -> x.accepted.getInputStream().read());
                x.client.getOutputStream().write(99);
                r.call("read2", () -> x.accepted.getInputStream().read());
            }
        }).expect("read1", READ_TIMED_OUT).expect("read2", 99);
    }

    /** Timed read that succeeds after a previous read has timed out and after a short delay. */
    @ProviderTest
    void timedRead5(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setSoTimeout(TIMEOUT_MS);
                r.call("read1", () -> x.accepted.getInputStream().read());
                x.accepted.setSoTimeout(NEVER_MS);
                scheduleWrite(x.client, 99, DELAY_MS);
                r.call("read2", () -> x.accepted.getInputStream().read());
            }
        }).expect("read1", READ_TIMED_OUT).expect("read2", 99);
    }

    /** Untimed read that succeeds after a previous read has timed out. */
    @ProviderTest
    void timedRead6(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setSoTimeout(TIMEOUT_MS);
                r.call("read1", () -> x.accepted.getInputStream().read());
                x.client.getOutputStream().write(99);
                x.accepted.setSoTimeout(0);
                r.call("read2", () -> x.accepted.getInputStream().read());
            }
        }).expect("read1", READ_TIMED_OUT).expect("read2", 99);
    }

    /** Untimed read that succeeds after a previous read has timed out and after a short delay. */
    @ProviderTest
    void timedRead7(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setSoTimeout(TIMEOUT_MS);
                r.call("read1", () -> x.accepted.getInputStream().read());
                scheduleWrite(x.client, 99, DELAY_MS);
                x.accepted.setSoTimeout(0);
                r.call("read2", () -> x.accepted.getInputStream().read());
            }
        }).expect("read1", READ_TIMED_OUT).expect("read2", 99);
    }

    /** Async close of a timed read. */
    @ProviderTest
    void timedRead8(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setSoTimeout(NEVER_MS);
                long t0 = System.nanoTime();
                Async.schedule(DELAY_MS, x.accepted::close);
                r.call("read", () -> x.accepted.getInputStream().read());
                r.duration("waited", t0, min(DELAY_MS), max(DELAY_MS));
            }
        }).expect("read", "java.net.SocketException: Socket closed").expect("waited", "in bounds");
    }

    /** Read with a timeout of Integer.MAX_VALUE. */
    @ProviderTest
    void timedRead9(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                scheduleWrite(x.client, 99, DELAY_MS);
                x.accepted.setSoTimeout(Integer.MAX_VALUE);
                r.call("read", () -> x.accepted.getInputStream().read());
            }
        }).expect("read", 99);
    }

    /** (added) setSoTimeout while a read is in progress does not change that read's timeout. */
    @ProviderTest
    void timedRead10(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setSoTimeout(LONG_TIMEOUT_MS);
                InputStream in = x.accepted.getInputStream();
                long t0 = System.nanoTime();
                Async.Task<Integer> t = Async.start("reader", in::read).awaitBlocked();
                x.accepted.setSoTimeout(NEVER_MS);
                r.value("read", t.outcome(WAIT));
                r.duration("waited", t0, min(LONG_TIMEOUT_MS), max(LONG_TIMEOUT_MS));
            }
        }).expect("read", READ_TIMED_OUT).expect("waited", "in bounds");
    }

    /** (added) Two threads in a timed read both time out after about SO_TIMEOUT, not twice that. */
    @ProviderTest
    void timedRead11(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setSoTimeout(LONG_TIMEOUT_MS);
                InputStream in = x.accepted.getInputStream();
                long t0 = System.nanoTime();
                Async.Task<Integer> t1 = Async.start("reader1", in::read);
                Async.Task<Integer> t2 = Async.start("reader2", in::read);
                r.value("read1", t1.outcome(WAIT));
                r.value("read2", t2.outcome(WAIT));
                // JDK 17 takes the read lock without a timeout, so the second reader may wait for
                // the first: up to 2 × SO_TIMEOUT there (JDK-CONTRACT §1.4).
                long bound = JDK >= 21 ? LONG_TIMEOUT_MS : 2L * LONG_TIMEOUT_MS;
                r.duration("waited", t0, min(LONG_TIMEOUT_MS), max(bound));
            }
        }).expect("read1", READ_TIMED_OUT).expect("read2", READ_TIMED_OUT).expect("waited", "in bounds");
    }

    // ---- write ------------------------------------------------------------------------------

    /** Writing after a timed read: a large write blocks until the peer reads. */
    @ProviderTest
    void timedWrite1(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.getOutputStream().write(99);
                x.accepted.setSoTimeout(3000);
                r.call("read", () -> x.accepted.getInputStream().read());
                Async.Task<Long> drain = Async.start("drain", () -> drain(x.client.getInputStream()));
                byte[] data = new byte[128 * 1024];
                r.run("write", () -> {
                    for (int i = 0; i < 32; i++) {
                        x.accepted.getOutputStream().write(data);
                    }
                    x.accepted.shutdownOutput();
                });
                r.value("drained", drain.outcome(WAIT));
            }
        }).expect("read", 99).expect("write", "ok").expect("drained", "returned " + 32 * 128 * 1024);
    }

    /** Async close of a writer (after a timed read) blocked because the peer does not read. */
    @ProviderTest
    void timedWrite2(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.getOutputStream().write(99);
                x.accepted.setSoTimeout(3000);
                r.call("read", () -> x.accepted.getInputStream().read());
                Async.Task<Void> writer = Async.<Void>start("writer", () -> {
                    byte[] data = new byte[128 * 1024];
                    while (true) {
                        x.accepted.getOutputStream().write(data);
                    }
                });
                writer.awaitBlocked();
                x.accepted.close();
                r.value("write", writer.outcome(WAIT));
            }
        }).expect("read", 99).expect("write", "java.net.SocketException: Socket closed");
    }

    // ---- accept -----------------------------------------------------------------------------

    /** Timed accept where a connection is established immediately. */
    @ProviderTest
    void timedAccept1(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket(); Socket s1 = q.connect(ss.getLocalSocketAddress())) {
                ss.setSoTimeout(NEVER_MS);
                try (Socket s2 = ss.accept()) {
                    r.value("accepted", s2.isConnected());
                    r.value("peerPort", s2.getPort() == s1.getLocalPort());
                }
            }
        }).expect("accepted", true).expect("peerPort", true);
    }

    /** Timed accept where a connection is established after a short delay. */
    @ProviderTest
    void timedAccept2(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                ss.setSoTimeout(NEVER_MS);
                long t0 = System.nanoTime();
                scheduleConnect(q, ss.getLocalSocketAddress(), DELAY_MS);
                r.run("accept", () -> ss.accept().close());
                r.duration("waited", t0, min(DELAY_MS), max(DELAY_MS));
            }
        }).expect("accept", "ok").expect("waited", "in bounds");
    }

    /** Timed accept where the accept times out. */
    @ProviderTest
    void timedAccept3(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                ss.setSoTimeout(TIMEOUT_MS);
                long t0 = System.nanoTime();
                r.run("accept", () -> ss.accept().close());
                r.duration("waited", t0, min(TIMEOUT_MS), max(TIMEOUT_MS));
                r.state("state", ss);
            }
        }).expect("accept", ACCEPT_TIMED_OUT).expect("waited", "in bounds").expect("state", "bound=true closed=false");
    }

    /** Timed accept where a connection is established immediately after a previous accept timed out. */
    @ProviderTest
    void timedAccept4(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                ss.setSoTimeout(TIMEOUT_MS);
                r.run("accept1", () -> ss.accept().close());
                try (Socket s1 = q.connect(ss.getLocalSocketAddress())) {
                    r.run("accept2", () -> ss.accept().close());
                }
            }
        }).expect("accept1", ACCEPT_TIMED_OUT).expect("accept2", "ok");
    }

    /** Untimed accept where a connection is established after a previous accept timed out. */
    @ProviderTest
    void timedAccept5(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                ss.setSoTimeout(TIMEOUT_MS);
                r.run("accept1", () -> ss.accept().close());
                ss.setSoTimeout(0);
                try (Socket s1 = q.connect(ss.getLocalSocketAddress())) {
                    r.run("accept2", () -> ss.accept().close());
                }
            }
        }).expect("accept1", ACCEPT_TIMED_OUT).expect("accept2", "ok");
    }

    /** Untimed accept after a previous accept timed out, the connection arriving after a delay. */
    @ProviderTest
    void timedAccept6(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                ss.setSoTimeout(TIMEOUT_MS);
                r.run("accept1", () -> ss.accept().close());
                ss.setSoTimeout(0);
                scheduleConnect(q, ss.getLocalSocketAddress(), DELAY_MS);
                r.run("accept2", () -> ss.accept().close());
            }
        }).expect("accept1", ACCEPT_TIMED_OUT).expect("accept2", "ok");
    }

    /** Async close of a timed accept. */
    @ProviderTest
    void timedAccept7(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                ss.setSoTimeout(NEVER_MS);
                long t0 = System.nanoTime();
                Async.schedule(DELAY_MS, ss::close);
                r.run("accept", () -> ss.accept().close());
                r.duration("waited", t0, min(DELAY_MS), max(DELAY_MS));
            }
        }).expect("accept", "java.net.SocketException: Socket closed").expect("waited", "in bounds");
    }

    /** Timed accept with the thread's interrupt status set: waits the full timeout, flag kept. */
    @ProviderTest
    void timedAccept8(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                ss.setSoTimeout(TIMEOUT_MS);
                Thread.currentThread().interrupt();
                long t0 = System.nanoTime();
                try {
                    r.run("accept", () -> ss.accept().close());
                    r.duration("waited", t0, min(TIMEOUT_MS), max(TIMEOUT_MS));
                    r.value("interrupted", Thread.currentThread().isInterrupted());
                } finally {
                    Thread.interrupted();
                }
            }
        }).expect("accept", ACCEPT_TIMED_OUT).expect("waited", "in bounds").expect("interrupted", true);
    }

    /** Interrupt of a (platform) thread blocked in timed accept: no effect, flag kept. */
    @ProviderTest
    void timedAccept9(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                ss.setSoTimeout(LONG_TIMEOUT_MS);
                Thread me = Thread.currentThread();
                long t0 = System.nanoTime();
                ScheduledFuture<?> interrupter = Async.schedule(DELAY_MS, me::interrupt);
                try {
                    r.run("accept", () -> ss.accept().close());
                    r.duration("waited", t0, min(LONG_TIMEOUT_MS), max(LONG_TIMEOUT_MS));
                    r.value("interrupted", Thread.currentThread().isInterrupted());
                } finally {
                    interrupter.cancel(false);
                    Thread.interrupted();
                }
            }
        }).expect("accept", ACCEPT_TIMED_OUT).expect("waited", "in bounds").expect("interrupted", true);
    }

    /** Two threads blocked in timed accept, no connection: both time out after about SO_TIMEOUT. */
    @ProviderTest
    void timedAccept10(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                ss.setSoTimeout(LONG_TIMEOUT_MS);
                long t0 = System.nanoTime();
                Async.Task<Socket> a1 = Async.start("accept1", ss::accept);
                Async.Task<Socket> a2 = Async.start("accept2", ss::accept);
                r.value("accept1", a1.outcome(WAIT));
                r.value("accept2", a2.outcome(WAIT));
                r.duration("waited", t0, min(LONG_TIMEOUT_MS), max(LONG_TIMEOUT_MS));
            }
        }).expect("accept1", ACCEPT_TIMED_OUT).expect("accept2", ACCEPT_TIMED_OUT).expect("waited", "in bounds");
    }

    /** Two threads blocked in timed accept where one connection is established. */
    @ProviderTest
    void timedAccept11(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                ss.setSoTimeout(LONG_TIMEOUT_MS);
                long t0 = System.nanoTime();
                Async.Task<Socket> a1 = Async.start("accept1", ss::accept);
                Async.Task<Socket> a2 = Async.start("accept2", ss::accept);
                scheduleConnect(q, ss.getLocalSocketAddress(), DELAY_MS);
                String o1 = a1.outcome(WAIT);
                String o2 = a2.outcome(WAIT);
                boolean ok1 = o1.startsWith("returned Socket[");
                boolean ok2 = o2.startsWith("returned Socket[");
                r.value("exactlyOneAccepted", ok1 ^ ok2);
                r.value("otherTimedOut", (ok1 ? o2 : o1).equals(ACCEPT_TIMED_OUT));
                r.note("accept1", o1);
                r.note("accept2", o2);
                r.duration("waited", t0, min(LONG_TIMEOUT_MS), max(LONG_TIMEOUT_MS));
                for (Async.Task<Socket> t : java.util.List.of(a1, a2)) {
                    try {
                        t.join(WAIT).close();
                    } catch (Exception ignored) {
                        // the one that timed out
                    }
                }
            }
        }).expect("exactlyOneAccepted", true).expect("otherTimedOut", true).expect("waited", "in bounds");
    }

    /** (added) An accepted socket does not inherit the ServerSocket's SO_TIMEOUT (InheritTimeout). */
    @ProviderTest
    void timedAccept12(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket(); Socket s1 = q.connect(ss.getLocalSocketAddress())) {
                ss.setSoTimeout(5000);
                try (Socket s2 = ss.accept()) {
                    r.value("acceptedTimeout", s2.getSoTimeout());
                }
            }
        }).expect("acceptedTimeout", 0);
    }

    // ---- bad values -------------------------------------------------------------------------

    /** Socket setSoTimeout with a negative timeout. */
    @ProviderTest
    void testBadTimeout1(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                r.run("set", () -> s.setSoTimeout(-1));
            }
        }).expect("set", "java.lang.IllegalArgumentException: timeout can't be negative");
    }

    /** ServerSocket setSoTimeout with a negative timeout. */
    @ProviderTest
    void testBadTimeout2(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.newServerSocket()) {
                r.run("set", () -> ss.setSoTimeout(-1));
            }
        }).expect("set", "java.lang.IllegalArgumentException: timeout < 0");
    }

    // ---- helpers ----------------------------------------------------------------------------

    static void scheduleWrite(Socket s, int b, long delay) {
        Async.schedule(delay, () -> s.getOutputStream().write(b));
    }

    static void scheduleConnect(SocketProvider q, SocketAddress remote, long delay) {
        Async.schedule(delay, () -> {
            try (Socket s = q.newSocket()) {
                s.connect(remote);
            }
        });
    }

    static long drain(InputStream in) throws java.io.IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buf)) != -1; ) {
            total += n;
        }
        return total;
    }
}
