package io.usertcp.compat.parity;

import io.usertcp.compat.harness.Async;
import io.usertcp.compat.harness.Backlog;
import io.usertcp.compat.harness.Case;
import io.usertcp.compat.harness.Pair;
import io.usertcp.compat.harness.ProviderTest;
import io.usertcp.compat.harness.Recorder;
import io.usertcp.compat.harness.SocketProvider;
import io.usertcp.compat.harness.SocketProvider.Capability;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cases of OpenJDK's test/jdk/java/net/Socket/asyncClose/ (AsyncClose's Socket and
 * ServerSocket tests, BrokenPipe, Race, Leaky), plus close of a blocked connect. A blocked thread
 * is detected with {@link Async.Task#awaitBlocked()} instead of the JDK tests' sleeps.
 */
class AsyncCloseTest {
    static final String SOCKET_CLOSED = "java.net.SocketException: Socket closed";
    static final Duration WAIT = Duration.ofSeconds(20);

    /** Socket_getInputStream_read: a blocked read wakes with "Socket closed". */
    @ProviderTest
    void socketReadClosed(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                InputStream in = x.client.getInputStream();
                Async.Task<Integer> t = Async.start("reader", in::read).awaitBlocked();
                x.client.close();
                r.value("read", t.outcome(WAIT));
                r.state("state", x.client);
            }
        }).expect("read", SOCKET_CLOSED)
                .expect("state", "bound=true connected=true closed=true inShut=false outShut=false");
    }

    /** Socket_getInputStream_read(20000): the same with SO_TIMEOUT set. */
    @ProviderTest
    void socketReadWithTimeoutClosed(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.setSoTimeout(20_000);
                InputStream in = x.client.getInputStream();
                Async.Task<Integer> t = Async.start("reader", in::read).awaitBlocked();
                x.client.close();
                r.value("read", t.outcome(WAIT));
            }
        }).expect("read", SOCKET_CLOSED);
    }

    /** Socket_getOutputStream_write: a writer blocked on a full window wakes with "Socket closed". */
    @ProviderTest
    void socketWriteClosed(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                OutputStream out = x.client.getOutputStream();
                Async.Task<Void> t = Async.<Void>start("writer", () -> {
                    byte[] b = new byte[8192];
                    for (;;) {
                        out.write(b);
                    }
                }).awaitBlocked();
                x.client.close();
                r.value("write", t.outcome(WAIT));
            }
        }).expect("write", SOCKET_CLOSED);
    }

    /** ServerSocket_accept: a blocked accept wakes with "Socket closed". */
    @ProviderTest
    void serverSocketAcceptClosed(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                Async.Task<Socket> t = Async.start("acceptor", ss::accept).awaitBlocked();
                ss.close();
                r.value("accept", t.outcome(WAIT));
                r.state("state", ss);
            }
        }).expect("accept", SOCKET_CLOSED).expect("state", "bound=true closed=true");
    }

    /** ServerSocket_accept(20000): the same with SO_TIMEOUT set. */
    @ProviderTest
    void serverSocketAcceptWithTimeoutClosed(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                ss.setSoTimeout(20_000);
                Async.Task<Socket> t = Async.start("acceptor", ss::accept).awaitBlocked();
                ss.close();
                r.value("accept", t.outcome(WAIT));
            }
        }).expect("accept", SOCKET_CLOSED);
    }

    /** (added) A connect blocked on an unanswered SYN wakes with "Socket closed". */
    @ProviderTest
    void socketConnectClosed(SocketProvider p, Case c) {
        c.require(p, Capability.UNANSWERED_CONNECT);
        c.observe(p, (q, r) -> {
            try (Backlog b = Backlog.full(q); Socket s = q.newSocket()) {
                Async.Task<Void> t = Async.<Void>start("connector", () -> {
                    s.connect(b.address());
                    return null;
                }).awaitBlocked();
                s.close();
                r.value("connect", t.outcome(WAIT));
                r.value("connected", s.isConnected());
                r.value("closed", s.isClosed());
            }
        }).expect("connect", SOCKET_CLOSED).expect("connected", false).expect("closed", true);
    }

    /** (added) A timed connect blocked on an unanswered SYN wakes with "Socket closed". */
    @ProviderTest
    void socketTimedConnectClosed(SocketProvider p, Case c) {
        c.require(p, Capability.UNANSWERED_CONNECT);
        c.observe(p, (q, r) -> {
            try (Backlog b = Backlog.full(q); Socket s = q.newSocket()) {
                Async.Task<Void> t = Async.<Void>start("connector", () -> {
                    s.connect(b.address(), 20_000);
                    return null;
                }).awaitBlocked();
                s.close();
                r.value("connect", t.outcome(WAIT));
            }
        }).expect("connect", SOCKET_CLOSED);
    }

    /**
     * BrokenPipe: the peer is closed (with unread data) while a large write blocks; the writer's
     * exception must not say the socket is closed.
     */
    @ProviderTest
    void brokenPipe(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                OutputStream out = x.client.getOutputStream();
                Async.Task<Void> t = Async.<Void>start("writer", () -> {
                    byte[] chunk = new byte[64 * 1024];
                    for (;;) { // until the window is full and the write blocks
                        out.write(chunk);
                    }
                }).awaitBlocked();
                x.accepted.close();
                String o = t.outcome(WAIT);
                r.note("write", o);
                r.value("threwSocketException", o.startsWith("java.net.SocketException: "));
                r.value("mentionsClosed", o.toLowerCase().contains("closed"));
                r.value("writerSocketClosed", x.client.isClosed());
            }
        }).expect("threwSocketException", true).expect("mentionsClosed", false).expect("writerSocketClosed", false);
    }

    /** Race: many threads reading one socket while it is closed; each ends with "Socket closed". */
    @ProviderTest
    void race(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            int threads = 20;
            int rounds = 5;
            List<String> odd = new ArrayList<>();
            try (ServerSocket ss = q.boundServerSocket()) {
                for (int round = 0; round < rounds; round++) {
                    try (Socket s = q.connect(ss.getLocalSocketAddress()); Socket sa = ss.accept()) {
                        InputStream in = s.getInputStream();
                        CountDownLatch start = new CountDownLatch(threads + 1);
                        List<Async.Task<Integer>> readers = new ArrayList<>();
                        for (int j = 0; j < threads; j++) {
                            readers.add(Async.start("race-reader-" + j, () -> {
                                start.countDown();
                                start.await();
                                return in.read();
                            }));
                        }
                        start.countDown();
                        start.await();
                        s.close();
                        for (Async.Task<Integer> t : readers) {
                            String o = t.outcome(WAIT);
                            if (!o.equals(SOCKET_CLOSED)) {
                                odd.add(o);
                            }
                        }
                    }
                }
            }
            r.value("unexpected", odd);
        }).expect("unexpected", "[]");
    }

    /** Leaky.raceBindAndClose: bind racing close either binds or fails only because closed. */
    @ProviderTest
    void leakyRaceBindAndClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            List<String> bad = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                Socket s = q.newSocket();
                race(s::close, () -> {
                    try {
                        s.bind(new InetSocketAddress(q.loopbackAddress(), 0));
                    } catch (java.io.IOException e) {
                        if (!s.isClosed()) {
                            bad.add(Recorder.describe(e));
                        }
                    }
                });
                if (!s.isClosed()) {
                    bad.add("not closed");
                }
                s.close();
            }
            r.value("bad", bad);
        }).expect("bad", "[]");
    }

    /** Leaky.raceConnectAndClose: connect racing close leaves nothing half-open. */
    @ProviderTest
    void leakyRaceConnectAndClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            List<String> bad = new ArrayList<>();
            try (ServerSocket listener = q.boundServerSocket()) {
                for (int i = 0; i < 30; i++) {
                    Socket s = q.newSocket();
                    race(s::close, () -> {
                        try {
                            s.connect(listener.getLocalSocketAddress());
                            listener.accept().close();
                        } catch (java.io.IOException e) {
                            if (!s.isClosed()) {
                                bad.add(Recorder.describe(e));
                            }
                        }
                    });
                    s.close();
                }
            }
            r.value("bad", bad);
        }).expect("bad", "[]");
    }

    /** Leaky.raceGetOptionAndClose: getOption racing close fails only because closed. */
    @ProviderTest
    void leakyRaceGetOptionAndClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            List<String> bad = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                Socket s = q.newSocket();
                race(s::close, () -> {
                    try {
                        s.getOption(StandardSocketOptions.SO_REUSEADDR);
                    } catch (java.io.IOException e) {
                        if (!s.isClosed()) {
                            bad.add(Recorder.describe(e));
                        }
                    }
                });
                s.close();
            }
            r.value("bad", bad);
        }).expect("bad", "[]");
    }

    /** (added) Closing an accepted socket while its peer blocks in read: the peer reads EOF. */
    @ProviderTest
    void peerReadWakesOnClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                InputStream in = x.client.getInputStream();
                Async.Task<Integer> t = Async.start("reader", in::read).awaitBlocked();
                x.accepted.close();
                r.value("read", t.outcome(WAIT));
            }
        }).expect("read", "returned -1");
    }

    private interface Action {
        void run() throws Exception;
    }

    /** Runs two actions after small random delays, on two threads; waits for both. */
    private static void race(Action a, Action b) throws Exception {
        int d1 = ThreadLocalRandom.current().nextInt(3);
        int d2 = ThreadLocalRandom.current().nextInt(3);
        Async.Task<Void> t1 = Async.start("race-a", () -> {
            TimeUnit.MILLISECONDS.sleep(d1);
            a.run();
            return null;
        });
        Async.Task<Void> t2 = Async.start("race-b", () -> {
            TimeUnit.MILLISECONDS.sleep(d2);
            b.run();
            return null;
        });
        t1.join(WAIT);
        t2.join(WAIT);
    }

    static boolean isSocketException(Throwable t) {
        return t instanceof SocketException;
    }
}
