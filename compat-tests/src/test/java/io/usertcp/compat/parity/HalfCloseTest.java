package io.usertcp.compat.parity;

import io.usertcp.compat.harness.Async;
import io.usertcp.compat.harness.Case;
import io.usertcp.compat.harness.Pair;
import io.usertcp.compat.harness.ProviderTest;
import io.usertcp.compat.harness.SocketProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;

/** shutdownInput / shutdownOutput, both directions, and what follows from them. */
class HalfCloseTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String OPEN = "bound=true connected=true closed=false";

    @ProviderTest
    void shutdownOutputPeerReadsEof(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.getOutputStream().write(new byte[] {1, 2});
                x.client.shutdownOutput();
                r.state("state", x.client);
                InputStream in = x.accepted.getInputStream();
                r.call("b1", in::read);
                r.call("b2", in::read);
                r.call("eof", in::read);
                r.state("peer", x.accepted);
            }
        }).expect("state", OPEN + " inShut=false outShut=true").expect("b1", 1).expect("b2", 2).expect("eof", -1)
                .expect("peer", OPEN + " inShut=false outShut=false");
    }

    @ProviderTest
    void shutdownOutputThenWriteThroughStream(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                OutputStream out = x.client.getOutputStream();
                x.client.shutdownOutput();
                r.run("write", () -> out.write(1));
                r.run("writeAgain", () -> out.write(new byte[3]));
            }
        }).expect("write", "java.net.SocketException: Broken pipe")
                .expect("writeAgain", "java.net.SocketException: Broken pipe");
    }

    @ProviderTest
    void shutdownOutputThenGetOutputStream(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.shutdownOutput();
                r.call("get", () -> x.client.getOutputStream().getClass().getName().isEmpty());
            }
        }).expect("get", "java.net.SocketException: Socket output is shutdown");
    }

    @ProviderTest
    void shutdownOutputTwice(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                r.run("first", x.client::shutdownOutput);
                r.run("second", x.client::shutdownOutput);
            }
        }).expect("first", "ok").expect("second", "java.net.SocketException: Socket output is already shutdown");
    }

    @ProviderTest
    void shutdownOutputStillReads(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.shutdownOutput();
                r.call("peerEof", () -> x.accepted.getInputStream().read());
                x.accepted.getOutputStream().write("reply".getBytes());
                x.accepted.close();
                r.value("reply", new String(x.client.getInputStream().readAllBytes()));
            }
        }).expect("peerEof", -1).expect("reply", "reply");
    }

    @ProviderTest
    void shutdownInputReadReturnsEof(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                InputStream in = x.accepted.getInputStream();
                x.accepted.shutdownInput();
                r.state("state", x.accepted);
                r.call("read", in::read);
                r.call("readAgain", () -> in.read(new byte[5]));
                r.call("available", in::available);
            }
        }).expect("state", OPEN + " inShut=true outShut=false").expect("read", -1).expect("readAgain", -1)
                .expect("available", 0);
    }

    @ProviderTest
    void shutdownInputDiscardsPendingData(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                InputStream in = x.accepted.getInputStream();
                x.client.getOutputStream().write(new byte[] {1, 2, 3});
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (in.available() < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                x.accepted.shutdownInput();
                r.call("read", in::read);
                r.call("available", in::available);
            }
        }).expect("read", -1).expect("available", 0);
    }

    @ProviderTest
    void shutdownInputThenGetInputStream(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.shutdownInput();
                r.call("get", () -> x.accepted.getInputStream().getClass().getName().isEmpty());
            }
        }).expect("get", "java.net.SocketException: Socket input is shutdown");
    }

    @ProviderTest
    void shutdownInputTwice(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                r.run("first", x.accepted::shutdownInput);
                r.run("second", x.accepted::shutdownInput);
            }
        }).expect("first", "ok").expect("second", "java.net.SocketException: Socket input is already shutdown");
    }

    @ProviderTest
    void shutdownInputWakesBlockedReader(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                InputStream in = x.accepted.getInputStream();
                Async.Task<Integer> t = Async.start("reader", in::read).awaitBlocked();
                x.accepted.shutdownInput();
                r.value("read", t.outcome(WAIT));
            }
        }).expect("read", "returned -1");
    }

    @ProviderTest
    void shutdownInputStillWrites(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.shutdownInput();
                x.accepted.getOutputStream().write("still".getBytes());
                x.accepted.shutdownOutput();
                r.value("peerGot", new String(x.client.getInputStream().readAllBytes()));
            }
        }).expect("peerGot", "still");
    }

    @ProviderTest
    void shutdownBothIsNotClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.shutdownInput();
                x.client.shutdownOutput();
                r.state("state", x.client);
                r.call("peerEof", () -> x.accepted.getInputStream().read());
                r.call("soTimeout", x.client::getSoTimeout);
            }
        }).expect("state", OPEN + " inShut=true outShut=true").expect("peerEof", -1).expect("soTimeout", 0);
    }

    @ProviderTest
    void shutdownUnconnected(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                r.run("input", s::shutdownInput);
                r.run("output", s::shutdownOutput);
            }
        }).expect("input", "java.net.SocketException: Socket is not connected")
                .expect("output", "java.net.SocketException: Socket is not connected");
    }

    @ProviderTest
    void shutdownClosed(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.close();
                r.run("input", x.client::shutdownInput);
                r.run("output", x.client::shutdownOutput);
            }
        }).expect("input", "java.net.SocketException: Socket is closed")
                .expect("output", "java.net.SocketException: Socket is closed");
    }

    @ProviderTest
    void requestResponseWithHalfClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                Async.Task<String> server = Async.start("server", () -> {
                    String req = new String(x.accepted.getInputStream().readAllBytes());
                    x.accepted.getOutputStream().write(("echo:" + req).getBytes());
                    x.accepted.shutdownOutput();
                    return req;
                });
                x.client.getOutputStream().write("GET /".getBytes());
                x.client.shutdownOutput();
                r.value("response", new String(x.client.getInputStream().readAllBytes()));
                r.value("server", server.outcome(WAIT));
            }
        }).expect("response", "echo:GET /").expect("server", "returned GET /");
    }

    @ProviderTest
    void peerShutdownOutputThenLocalWritesStillDelivered(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.shutdownOutput();
                r.call("eof", () -> x.client.getInputStream().read());
                byte[] big = new byte[1 << 20];
                Async.Task<Void> w = Async.start("writer", () -> {
                    x.client.getOutputStream().write(big);
                    x.client.shutdownOutput();
                    return null;
                });
                r.value("received", x.accepted.getInputStream().readAllBytes().length);
                r.value("writer", w.outcome(WAIT));
            }
        }).expect("eof", -1).expect("received", 1 << 20).expect("writer", "returned null");
    }
}
