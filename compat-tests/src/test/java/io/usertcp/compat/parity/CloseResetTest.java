package io.usertcp.compat.parity;

import io.usertcp.compat.harness.Async;
import io.usertcp.compat.harness.Case;
import io.usertcp.compat.harness.Pair;
import io.usertcp.compat.harness.ProviderTest;
import io.usertcp.compat.harness.Recorder;
import io.usertcp.compat.harness.SocketProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** close, abort (linger 0), linger, reset: what each side observes. */
class CloseResetTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String RESET = "java.net.SocketException: Connection reset";

    /** Waits until the socket's peer has certainly acted: a read with a timeout fails or ends. */
    static String readWithin(Socket s, int ms) throws Exception {
        s.setSoTimeout(ms);
        try {
            return String.valueOf(s.getInputStream().read());
        } catch (Exception e) {
            return Recorder.describe(e);
        } finally {
            if (!s.isClosed()) {
                s.setSoTimeout(0);
            }
        }
    }

    @ProviderTest
    void closeDefaultPeerReadsEof(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.getOutputStream().write("bye".getBytes());
                x.client.close();
                r.value("peerGot", new String(x.accepted.getInputStream().readAllBytes()));
                r.state("peer", x.accepted);
            }
        }).expect("peerGot", "bye").expect("peer", "bound=true connected=true closed=false inShut=false outShut=false");
    }

    @ProviderTest
    void lingerZeroResetsPeer(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.setSoLinger(true, 0);
                x.client.close();
                r.value("read", readWithin(x.accepted, 10_000));
                r.call("readAgain", () -> x.accepted.getInputStream().read());
                r.call("available", () -> x.accepted.getInputStream().available());
                r.state("peer", x.accepted);
            }
        }).expect("read", RESET).expect("readAgain", RESET).expect("available", 0)
                .expect("peer", "bound=true connected=true closed=false inShut=false outShut=false");
    }

    @ProviderTest
    void resetDeliversQueuedDataFirst(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.getOutputStream().write(new byte[] {1, 2, 3});
                x.accepted.setSoTimeout(10_000);
                InputStream in = x.accepted.getInputStream();
                r.call("first", in::read); // data has arrived
                x.client.setSoLinger(true, 0);
                x.client.close();
                // wait for the RST: a peek that must time out or fail is not possible, so read on
                String second = readWithin(x.accepted, 10_000);
                r.value("second", second);
                r.value("third", readWithin(x.accepted, 10_000));
                r.value("fourth", readWithin(x.accepted, 10_000));
                r.value("fifth", readWithin(x.accepted, 10_000));
            }
        }).expect("first", 1).expect("second", 2).expect("third", 3).expect("fourth", RESET).expect("fifth", RESET);
    }

    @ProviderTest
    void closeWithUnreadDataPeerSeesEofFirst(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.getOutputStream().write(new byte[100]);
                // make sure the data arrived before closing (RFC 2525 §2.17: RST when unread data)
                InputStream in = x.accepted.getInputStream();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (in.available() < 100 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                // NioSocketImpl.close() shuts the output down (FIN) before closing; Linux then
                // answers the unread data with RST (RFC 2525 §2.17): the peer sees EOF first
                x.accepted.close();
                r.value("read", readWithin(x.client, 10_000));
            }
        }).expect("read", -1);
    }

    @ProviderTest
    void writeAfterPeerClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.close();
                r.value("eof", readWithin(x.client, 10_000)); // FIN arrived
                OutputStream out = x.client.getOutputStream();
                r.run("write1", () -> out.write(1)); // accepted; the peer answers with RST
                String failure = null;
                int attempts = 0;
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (failure == null && System.nanoTime() < deadline) {
                    attempts++;
                    try {
                        out.write(1);
                        Thread.sleep(1);
                    } catch (java.io.IOException e) {
                        failure = Recorder.describe(e);
                    }
                }
                r.value("laterWrite", failure);
                r.note("attempts", attempts);
                r.run("writeAfterFailure", () -> out.write(1));
                r.state("state", x.client);
            }
        }).expect("eof", -1).expect("write1", "ok")
                .expect("laterWrite", "java.net.SocketException: Broken pipe")
                .expect("writeAfterFailure", "java.net.SocketException: Broken pipe")
                .expect("state", "bound=true connected=true closed=false inShut=false outShut=false");
    }

    @ProviderTest
    void writeAfterPeerReset(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setSoLinger(true, 0);
                x.accepted.close();
                r.value("read", readWithin(x.client, 10_000)); // RST arrived
                OutputStream out = x.client.getOutputStream();
                r.run("write1", () -> out.write(1));
                r.run("write2", () -> out.write(1));
            }
        }).expect("read", RESET).expect("write1", "java.net.SocketException: Broken pipe")
                .expect("write2", "java.net.SocketException: Broken pipe");
    }

    @ProviderTest
    void writeAfterPeerResetWithoutRead(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setSoLinger(true, 0);
                x.accepted.close();
                OutputStream out = x.client.getOutputStream();
                String failure = null;
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (failure == null && System.nanoTime() < deadline) {
                    try {
                        out.write(1);
                        Thread.sleep(1);
                    } catch (java.io.IOException e) {
                        failure = Recorder.describe(e);
                    }
                }
                r.value("firstFailure", failure);
                r.run("next", () -> out.write(1));
                r.call("read", () -> x.client.getInputStream().read());
            }
        }).expect("read", -1).expect("firstFailure", "java.net.SocketException: Connection reset by peer")
                .expect("next", "java.net.SocketException: Broken pipe");
    }

    @ProviderTest
    void lingerPositiveDeliversAllData(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.setSoLinger(true, 5);
                Async.Task<Integer> reader = Async.start("reader",
                        () -> x.accepted.getInputStream().readAllBytes().length);
                x.client.getOutputStream().write(new byte[2 << 20]);
                x.client.close();
                r.value("received", reader.outcome(WAIT));
            }
        }).expect("received", "returned " + (2 << 20));
    }

    @ProviderTest
    void closeIsIdempotent(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                r.run("close1", x.client::close);
                r.run("close2", x.client::close);
                r.run("serverClose1", x.server::close);
                r.run("serverClose2", x.server::close);
                r.state("state", x.client);
            }
        }).expect("close1", "ok").expect("close2", "ok").expect("serverClose1", "ok").expect("serverClose2", "ok")
                .expect("state", "bound=true connected=true closed=true inShut=false outShut=false");
    }

    @ProviderTest
    void closeUnconnectedAndUnbound(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            Socket s = q.newSocket();
            r.run("close", s::close);
            r.state("socket", s);
            ServerSocket ss = q.newServerSocket();
            r.run("serverClose", ss::close);
            r.state("server", ss);
        }).expect("close", "ok").expect("socket", "bound=false connected=false closed=true inShut=false outShut=false")
                .expect("serverClose", "ok").expect("server", "bound=false closed=true");
    }

    @ProviderTest
    void closeListenerKeepsAcceptedConnections(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.server.close();
                x.client.getOutputStream().write(42);
                r.call("read", () -> x.accepted.getInputStream().read());
            }
        }).expect("read", 42);
    }

    @ProviderTest
    void resetIsStickyForReads(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setSoLinger(true, 0);
                x.accepted.close();
                r.value("read1", readWithin(x.client, 10_000));
                r.call("read2", () -> x.client.getInputStream().read());
                r.call("read3", () -> x.client.getInputStream().read(new byte[10]));
                r.call("zeroLen", () -> x.client.getInputStream().read(new byte[10], 0, 0));
            }
        }).expect("read1", RESET).expect("read2", RESET).expect("read3", RESET).expect("zeroLen", 0);
    }

    @ProviderTest
    void blockedReadWokenByReset(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                InputStream in = x.client.getInputStream();
                Async.Task<Integer> t = Async.start("reader", in::read).awaitBlocked();
                x.accepted.setSoLinger(true, 0);
                x.accepted.close();
                r.value("read", t.outcome(WAIT));
            }
        }).expect("read", RESET);
    }

    @ProviderTest
    void lingerZeroOnServerSideOfIdleConnection(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setSoLinger(true, 0);
                r.call("linger", x.accepted::getSoLinger);
                x.accepted.close();
                r.value("peerRead", readWithin(x.client, 10_000));
            }
        }).expect("linger", 0).expect("peerRead", RESET);
    }
}
