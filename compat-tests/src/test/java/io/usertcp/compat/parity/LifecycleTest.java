package io.usertcp.compat.parity;

import io.usertcp.compat.harness.Case;
import io.usertcp.compat.harness.Pair;
import io.usertcp.compat.harness.ProviderTest;
import io.usertcp.compat.harness.SocketProvider;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** isBound/isConnected/isClosed/isInputShutdown/isOutputShutdown through a whole life. */
class LifecycleTest {
    static final int JDK = Runtime.version().feature();

    @ProviderTest
    void clientLife(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                Socket s = q.newSocket();
                r.state("new", s);
                s.bind(new InetSocketAddress(q.loopbackAddress(), 0));
                r.state("bound", s);
                s.connect(ss.getLocalSocketAddress());
                r.state("connected", s);
                try (Socket a = ss.accept()) {
                    s.shutdownOutput();
                    r.state("outShut", s);
                    s.shutdownInput();
                    r.state("bothShut", s);
                    s.close();
                    r.state("closed", s);
                }
            }
        }).expect("new", "bound=false connected=false closed=false inShut=false outShut=false")
                .expect("bound", "bound=true connected=false closed=false inShut=false outShut=false")
                .expect("connected", "bound=true connected=true closed=false inShut=false outShut=false")
                .expect("outShut", "bound=true connected=true closed=false inShut=false outShut=true")
                .expect("bothShut", "bound=true connected=true closed=false inShut=true outShut=true")
                .expect("closed", "bound=true connected=true closed=true inShut=true outShut=true");
    }

    @ProviderTest
    void acceptedLife(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                r.state("accepted", x.accepted);
                x.client.close();
                r.call("eof", () -> x.accepted.getInputStream().read());
                r.state("peerClosed", x.accepted);
                x.accepted.shutdownInput();
                r.state("inShut", x.accepted);
                x.accepted.close();
                r.state("closed", x.accepted);
            }
        }).expect("accepted", "bound=true connected=true closed=false inShut=false outShut=false")
                .expect("eof", -1)
                .expect("peerClosed", "bound=true connected=true closed=false inShut=false outShut=false")
                .expect("inShut", "bound=true connected=true closed=false inShut=true outShut=false")
                .expect("closed", "bound=true connected=true closed=true inShut=true outShut=false");
    }

    @ProviderTest
    void serverLife(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            ServerSocket ss = q.newServerSocket();
            r.state("new", ss);
            ss.bind(new InetSocketAddress(q.loopbackAddress(), 0));
            r.state("bound", ss);
            ss.close();
            r.state("closed", ss);
        }).expect("new", "bound=false closed=false").expect("bound", "bound=true closed=false")
                .expect("closed", "bound=true closed=true");
    }

    @ProviderTest
    void lifeAfterConnectRefused(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            int port = q.unusedPort();
            Socket s = q.newSocket();
            r.run("connect", () -> s.connect(new InetSocketAddress(q.loopbackAddress(), port)));
            r.state("after", s);
            r.run("retry", () -> s.connect(new InetSocketAddress(q.loopbackAddress(), port)));
            s.close();
        }).expect("connect", "java.net.ConnectException: Connection refused")
                .expect("after", JDK >= 24 ? "bound=false connected=false closed=true inShut=false outShut=false"
                        : "bound=false connected=false closed=false inShut=false outShut=false");
    }

    @ProviderTest
    void lifeAfterPeerReset(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setSoLinger(true, 0);
                x.accepted.close();
                r.value("read", CloseResetTest.readWithin(x.client, 10_000));
                r.state("after", x.client);
            }
        }).expect("read", "java.net.SocketException: Connection reset")
                .expect("after", "bound=true connected=true closed=false inShut=false outShut=false");
    }

    @ProviderTest
    void lifeOfBoundOnlySocketClosed(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            Socket s = q.newSocket();
            s.bind(new InetSocketAddress(q.loopbackAddress(), 0));
            s.close();
            r.state("closed", s);
        }).expect("closed", "bound=true connected=false closed=true inShut=false outShut=false");
    }

    @ProviderTest
    void lifeThroughStreamClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.getOutputStream().close();
                r.state("afterOutClose", x.client);
            }
        }).expect("afterOutClose", "bound=true connected=true closed=true inShut=false outShut=false");
    }
}
