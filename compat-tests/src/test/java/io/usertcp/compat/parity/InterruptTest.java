package io.usertcp.compat.parity;

import io.usertcp.compat.harness.Async;
import io.usertcp.compat.harness.Backlog;
import io.usertcp.compat.harness.Case;
import io.usertcp.compat.harness.Pair;
import io.usertcp.compat.harness.ProviderTest;
import io.usertcp.compat.harness.Recorder;
import io.usertcp.compat.harness.SocketProvider;
import io.usertcp.compat.harness.SocketProvider.Capability;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Thread interrupts (JDK-CONTRACT §1.6): no effect on platform threads (flag kept); on virtual
 * threads (JDK 21+) "Closed by interrupt", the socket closed, the flag kept.
 */
class InterruptTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String CLOSED_BY_INTERRUPT = "java.net.SocketException: Closed by interrupt interrupted=true";

    /** Wraps a blocking call: "returned X interrupted=B" or "Exception: msg interrupted=B". */
    static Callable<String> withFlag(Recorder.ThrowingSupplier<Object> call) {
        return () -> {
            String o;
            try {
                o = "returned " + call.get();
            } catch (Exception e) {
                o = Recorder.describe(e);
            }
            return o + " interrupted=" + Thread.currentThread().isInterrupted();
        };
    }

    static void requireVirtual(SocketProvider p, Case c) {
        c.requireJdk(21, "virtual threads");
        c.require(p, Capability.VIRTUAL_THREADS);
    }

    // ---- platform threads -------------------------------------------------------------------

    @ProviderTest
    void platformReadIgnoresInterrupt(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                Async.Task<String> t = Async.start("reader", withFlag(() -> x.accepted.getInputStream().read()))
                        .awaitBlocked();
                t.thread().interrupt();
                // still blocked after the interrupt
                t.awaitBlocked();
                x.client.getOutputStream().write(33);
                r.value("read", t.outcome(WAIT));
                r.state("state", x.accepted);
            }
        }).expect("read", "returned returned 33 interrupted=true")
                .expect("state", "bound=true connected=true closed=false inShut=false outShut=false");
    }

    @ProviderTest
    void platformAcceptIgnoresInterrupt(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                Async.Task<String> t = Async.start("acceptor", withFlag(() -> {
                    ss.accept().close();
                    return "socket";
                })).awaitBlocked();
                t.thread().interrupt();
                t.awaitBlocked();
                try (Socket s = q.connect(ss.getLocalSocketAddress())) {
                    r.value("accept", t.outcome(WAIT));
                }
                r.state("server", ss);
            }
        }).expect("accept", "returned returned socket interrupted=true").expect("server", "bound=true closed=false");
    }

    @ProviderTest
    void platformPreInterruptedReadWithData(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.getOutputStream().write(5);
                Thread.currentThread().interrupt();
                try {
                    r.call("read", () -> x.accepted.getInputStream().read());
                    r.value("flag", Thread.currentThread().isInterrupted());
                } finally {
                    Thread.interrupted();
                }
                r.state("state", x.accepted);
            }
        }).expect("read", 5).expect("flag", true)
                .expect("state", "bound=true connected=true closed=false inShut=false outShut=false");
    }

    @ProviderTest
    void platformPreInterruptedTimedRead(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setSoTimeout(200);
                Thread.currentThread().interrupt();
                try {
                    r.call("read", () -> x.accepted.getInputStream().read());
                    r.value("flag", Thread.currentThread().isInterrupted());
                } finally {
                    Thread.interrupted();
                }
                r.value("closed", x.accepted.isClosed());
            }
        }).expect("read", "java.net.SocketTimeoutException: Read timed out").expect("flag", true).expect("closed", false);
    }

    @ProviderTest
    void platformWriteIgnoresInterrupt(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                byte[] big = new byte[4 << 20];
                Async.Task<String> t = Async.start("writer", withFlag(() -> {
                    x.client.getOutputStream().write(big);
                    return "all";
                })).awaitBlocked();
                t.thread().interrupt();
                Async.Task<Integer> reader = Async.start("reader",
                        () -> x.accepted.getInputStream().readNBytes(big.length).length);
                r.value("write", t.outcome(WAIT));
                r.value("read", reader.outcome(WAIT));
            }
        }).expect("write", "returned returned all interrupted=true").expect("read", "returned " + (4 << 20));
    }

    // ---- virtual threads (JDK 21+) -----------------------------------------------------------

    @ProviderTest
    void virtualReadInterrupted(SocketProvider p, Case c) {
        requireVirtual(p, c);
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                Async.Task<String> t = Async.startVirtual("vreader",
                        withFlag(() -> x.accepted.getInputStream().read())).awaitBlocked();
                t.thread().interrupt();
                r.value("read", t.outcome(WAIT));
                r.value("closed", x.accepted.isClosed());
                r.call("peerRead", () -> x.client.getInputStream().read());
            }
        }).expect("read", "returned " + CLOSED_BY_INTERRUPT).expect("closed", true).expect("peerRead", -1);
    }

    @ProviderTest
    void virtualAcceptInterrupted(SocketProvider p, Case c) {
        requireVirtual(p, c);
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                Async.Task<String> t = Async.startVirtual("vacceptor", withFlag(() -> ss.accept())).awaitBlocked();
                t.thread().interrupt();
                r.value("accept", t.outcome(WAIT));
                r.value("serverClosed", ss.isClosed());
            }
        }).expect("accept", "returned " + CLOSED_BY_INTERRUPT).expect("serverClosed", true);
    }

    @ProviderTest
    void virtualConnectInterrupted(SocketProvider p, Case c) {
        requireVirtual(p, c);
        c.require(p, Capability.UNANSWERED_CONNECT);
        c.observe(p, (q, r) -> {
            try (Backlog b = Backlog.full(q); Socket s = q.newSocket()) {
                Async.Task<String> t = Async.startVirtual("vconnector", withFlag(() -> {
                    s.connect(b.address());
                    return "connected";
                })).awaitBlocked();
                t.thread().interrupt();
                r.value("connect", t.outcome(WAIT));
                r.value("closed", s.isClosed());
            }
        }).expect("connect", "returned " + CLOSED_BY_INTERRUPT).expect("closed", true);
    }

    @ProviderTest
    void virtualWriteInterrupted(SocketProvider p, Case c) {
        requireVirtual(p, c);
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                Async.Task<String> t = Async.startVirtual("vwriter", withFlag(() -> {
                    byte[] b = new byte[64 * 1024];
                    for (;;) {
                        x.client.getOutputStream().write(b);
                    }
                })).awaitBlocked();
                t.thread().interrupt();
                r.value("write", t.outcome(WAIT));
                r.value("closed", x.client.isClosed());
            }
        }).expect("write", "returned " + CLOSED_BY_INTERRUPT).expect("closed", true);
    }

    @ProviderTest
    void virtualPreInterruptedReadWithData(SocketProvider p, Case c) {
        requireVirtual(p, c);
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.getOutputStream().write(8);
                Async.Task<String> t = Async.startVirtual("vreader", withFlag(() -> {
                    Thread.currentThread().interrupt();
                    return x.accepted.getInputStream().read();
                }));
                r.value("read", t.outcome(WAIT));
                r.value("closed", x.accepted.isClosed());
            }
        }).expect("read", "returned returned 8 interrupted=true").expect("closed", false);
    }

    @ProviderTest
    void virtualPreInterruptedReadNoData(SocketProvider p, Case c) {
        requireVirtual(p, c);
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                Async.Task<String> t = Async.startVirtual("vreader", withFlag(() -> {
                    Thread.currentThread().interrupt();
                    return x.accepted.getInputStream().read();
                }));
                r.value("read", t.outcome(WAIT));
                r.value("closed", x.accepted.isClosed());
            }
        }).expect("read", "returned " + CLOSED_BY_INTERRUPT).expect("closed", true);
    }

    @ProviderTest
    void virtualReadClosedByOtherThread(SocketProvider p, Case c) {
        requireVirtual(p, c);
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                Async.Task<String> t = Async.startVirtual("vreader",
                        withFlag(() -> x.accepted.getInputStream().read())).awaitBlocked();
                x.accepted.close();
                r.value("read", t.outcome(WAIT));
            }
        }).expect("read", "returned java.net.SocketException: Socket closed interrupted=false");
    }

    @ProviderTest
    void virtualTimedRead(SocketProvider p, Case c) {
        requireVirtual(p, c);
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setSoTimeout(300);
                Async.Task<String> t = Async.startVirtual("vreader",
                        withFlag(() -> x.accepted.getInputStream().read()));
                r.value("read", t.outcome(WAIT));
                x.client.getOutputStream().write(4);
                r.value("again", Async.startVirtual("vreader2",
                        withFlag(() -> x.accepted.getInputStream().read())).outcome(WAIT));
            }
        }).expect("read", "returned java.net.SocketTimeoutException: Read timed out interrupted=false")
                .expect("again", "returned returned 4 interrupted=false");
    }

    @ProviderTest
    void virtualTimedAccept(SocketProvider p, Case c) {
        requireVirtual(p, c);
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                ss.setSoTimeout(300);
                r.value("accept", Async.startVirtual("vacceptor", withFlag(() -> ss.accept())).outcome(WAIT));
            }
        }).expect("accept", "returned java.net.SocketTimeoutException: Accept timed out interrupted=false");
    }

    @ProviderTest
    void virtualThreadParksInRead(SocketProvider p, Case c) {
        requireVirtual(p, c);
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                Async.Task<String> t = Async.startVirtual("vreader",
                        withFlag(() -> x.accepted.getInputStream().read())).awaitBlocked();
                // a parked virtual thread is WAITING, never RUNNABLE in native code (pinned)
                r.value("state", t.thread().getState());
                x.client.getOutputStream().write(1);
                r.value("read", t.outcome(WAIT));
            }
        }).expect("state", "WAITING").expect("read", "returned returned 1 interrupted=false");
    }
}
