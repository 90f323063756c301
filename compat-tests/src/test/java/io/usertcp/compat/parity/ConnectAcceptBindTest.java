package io.usertcp.compat.parity;

import io.usertcp.compat.harness.Case;
import io.usertcp.compat.harness.Pair;
import io.usertcp.compat.harness.ProviderTest;
import io.usertcp.compat.harness.SocketProvider;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/** connect, accept and bind: wildcard, specific, port 0, port in use, backlog, refusals, misuse. */
class ConnectAcceptBindTest {
    static final int JDK = Runtime.version().feature();

    static InetAddress wildcard() throws Exception {
        return InetAddress.getByAddress(new byte[4]);
    }

    @ProviderTest
    void bindWildcardAcceptsLoopback(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.newServerSocket()) {
                ss.bind(new InetSocketAddress(wildcard(), 0));
                r.value("inetAddress", ss.getInetAddress());
                r.value("portAssigned", ss.getLocalPort() > 0);
                try (Socket s = q.connect(new InetSocketAddress(q.loopbackAddress(), ss.getLocalPort()));
                        Socket a = ss.accept()) {
                    r.value("acceptedLocalAddress", a.getLocalAddress());
                    r.value("acceptedLocalPortIsServerPort", a.getLocalPort() == ss.getLocalPort());
                }
            }
        }).expect("inetAddress", "/0.0.0.0").expect("portAssigned", true)
                .expect("acceptedLocalAddress", "/127.0.0.1").expect("acceptedLocalPortIsServerPort", true);
    }

    @ProviderTest
    void bindNullMeansWildcardEphemeral(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.newServerSocket()) {
                ss.bind(null);
                r.value("inetAddress", ss.getInetAddress());
                r.value("portAssigned", ss.getLocalPort() > 0);
                r.state("state", ss);
            }
        }).expect("inetAddress", "0.0.0.0/0.0.0.0").expect("portAssigned", true).expect("state", "bound=true closed=false");
    }

    @ProviderTest
    void bindSpecificLoopback(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.newServerSocket()) {
                ss.bind(new InetSocketAddress(q.loopbackAddress(), 0));
                r.value("inetAddress", ss.getInetAddress().getHostAddress());
                try (Socket s = q.connect(ss.getLocalSocketAddress()); Socket a = ss.accept()) {
                    r.value("connected", s.isConnected() && a.isConnected());
                }
            }
        }).expect("inetAddress", "127.0.0.1").expect("connected", true);
    }

    @ProviderTest
    void bindOtherLoopbackAddress(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            InetAddress lo2 = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
            try (ServerSocket ss = q.newServerSocket()) {
                r.run("bind", () -> ss.bind(new InetSocketAddress(lo2, 0)));
                try (Socket s = q.newSocket()) {
                    r.run("connect", () -> s.connect(new InetSocketAddress(lo2, ss.getLocalPort())));
                    r.value("remote", s.getInetAddress());
                    try (Socket a = ss.accept()) {
                        r.value("acceptedLocal", a.getLocalAddress());
                    }
                }
            }
        }).expect("bind", "ok").expect("connect", "ok").expect("remote", "/127.0.0.2").expect("acceptedLocal", "/127.0.0.2");
    }

    @ProviderTest
    void bindPortZeroIsEphemeral(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket a = q.boundServerSocket(); ServerSocket b = q.boundServerSocket()) {
                r.value("positive", a.getLocalPort() > 0 && b.getLocalPort() > 0);
                r.value("distinct", a.getLocalPort() != b.getLocalPort());
            }
        }).expect("positive", true).expect("distinct", true);
    }

    @ProviderTest
    void bindPortInUse(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket a = q.boundServerSocket(); ServerSocket b = q.newServerSocket()) {
                r.run("bind", () -> b.bind(new InetSocketAddress(q.loopbackAddress(), a.getLocalPort())));
                r.state("state", b);
            }
        }).expect("bind", "java.net.BindException: Address already in use").expect("state", "bound=false closed=false");
    }

    @ProviderTest
    void bindPortInUseViaConstructor(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket a = q.boundServerSocket()) {
                r.run("create", () -> q.newServerSocket(a.getLocalPort(), 50, q.loopbackAddress()).close());
            }
        }).expect("create", "java.net.BindException: Address already in use");
    }

    @ProviderTest
    void bindClientToListenerPort(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket a = q.boundServerSocket(); Socket s = q.newSocket()) {
                r.run("bind", () -> s.bind(new InetSocketAddress(q.loopbackAddress(), a.getLocalPort())));
            }
        }).expect("bind", "java.net.BindException: Address already in use");
    }

    @ProviderTest
    void bindUnassignedAddress(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            // 198.18.0.99 is assigned to nothing here: bind must fail (no packet is sent)
            InetAddress nowhere = InetAddress.getByAddress(new byte[] {(byte) 198, 18, 0, 99});
            try (ServerSocket ss = q.newServerSocket()) {
                r.run("bind", () -> ss.bind(new InetSocketAddress(nowhere, 0)));
            }
        }).expect("bind", "java.net.BindException: Cannot assign requested address");
    }

    @ProviderTest
    void bindTwiceServer(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                r.run("bind", () -> ss.bind(new InetSocketAddress(q.loopbackAddress(), 0)));
            }
        }).expect("bind", "java.net.SocketException: Already bound");
    }

    @ProviderTest
    void bindTwiceClient(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                s.bind(new InetSocketAddress(q.loopbackAddress(), 0));
                r.run("bind", () -> s.bind(new InetSocketAddress(q.loopbackAddress(), 0)));
            }
        }).expect("bind", "java.net.SocketException: Already bound");
    }

    @ProviderTest
    void bindUnsupportedAddressType(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.newServerSocket(); Socket s = q.newSocket()) {
                r.run("serverBind", () -> ss.bind(new SocketAddress() { }));
                r.run("clientBind", () -> s.bind(new SocketAddress() { }));
            }
        }).expect("serverBind", "java.lang.IllegalArgumentException: Unsupported address type")
                .expect("clientBind", "java.lang.IllegalArgumentException: Unsupported address type");
    }

    @ProviderTest
    void bindUnresolvedAddress(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.newServerSocket(); Socket s = q.newSocket()) {
                r.run("serverBind", () -> ss.bind(InetSocketAddress.createUnresolved("unresolved.invalid", 0)));
                r.run("clientBind", () -> s.bind(InetSocketAddress.createUnresolved("unresolved.invalid", 0)));
            }
        }).expect("serverBind", "java.net.SocketException: Unresolved address")
                .expect("clientBind", "java.net.SocketException: Unresolved address");
    }

    @ProviderTest
    void clientBindThenConnect(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket(); Socket s = q.newSocket()) {
                s.bind(new InetSocketAddress(q.loopbackAddress(), 0));
                int bound = s.getLocalPort();
                r.state("afterBind", s);
                s.connect(ss.getLocalSocketAddress());
                r.value("samePort", s.getLocalPort() == bound);
                try (Socket a = ss.accept()) {
                    r.value("peerSeesPort", a.getPort() == bound);
                }
            }
        }).expect("afterBind", "bound=true connected=false closed=false inShut=false outShut=false")
                .expect("samePort", true).expect("peerSeesPort", true);
    }

    @ProviderTest
    void connectRefused(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            int port = q.unusedPort();
            try (Socket s = q.newSocket()) {
                r.run("connect", () -> s.connect(new InetSocketAddress(q.loopbackAddress(), port)));
                r.value("closed", s.isClosed());
                r.value("connected", s.isConnected());
            }
        }).expect("connect", "java.net.ConnectException: Connection refused")
                // JDK-8343791 (24): Socket.connect closes the socket on failure
                .expect("closed", JDK >= 24).expect("connected", false);
    }

    @ProviderTest
    void connectRefusedViaConstructor(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            int port = q.unusedPort();
            r.run("create", () -> q.socketFactory().createSocket(q.loopbackAddress(), port).close());
        }).expect("create", "java.net.ConnectException: Connection refused");
    }

    @ProviderTest
    void connectAfterListenerClosed(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            ServerSocket ss = q.boundServerSocket();
            SocketAddress addr = ss.getLocalSocketAddress();
            ss.close();
            try (Socket s = q.newSocket()) {
                r.run("connect", () -> s.connect(addr));
            }
        }).expect("connect", "java.net.ConnectException: Connection refused");
    }

    @ProviderTest
    void connectTwice(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                r.run("connect", () -> x.client.connect(x.server.getLocalSocketAddress()));
                r.state("state", x.client);
            }
        }).expect("connect", JDK >= 21 ? "java.net.SocketException: Already connected"
                : "java.net.SocketException: already connected")
                .expect("state", "bound=true connected=true closed=false inShut=false outShut=false");
    }

    @ProviderTest
    void connectUnresolved(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                r.run("connect", () -> s.connect(InetSocketAddress.createUnresolved("unresolved.invalid", 80)));
            }
        }).expect("connect", "java.net.UnknownHostException: unresolved.invalid");
    }

    @ProviderTest
    void connectNullAddress(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                r.run("connect", () -> s.connect(null));
            }
        }).expect("connect", "java.lang.IllegalArgumentException: connect: The address can't be null");
    }

    @ProviderTest
    void connectUnsupportedAddressType(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                r.run("connect", () -> s.connect(new SocketAddress() { }));
            }
        }).expect("connect", "java.lang.IllegalArgumentException: Unsupported address type");
    }

    @ProviderTest
    void backlogQueuedBeforeAccept(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            List<Socket> clients = new ArrayList<>();
            try (ServerSocket ss = q.boundServerSocket(5)) {
                for (int i = 0; i < 5; i++) {
                    clients.add(q.connect(ss.getLocalSocketAddress()));
                }
                List<Integer> peers = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    try (Socket a = ss.accept()) {
                        peers.add(a.getPort());
                    }
                }
                List<Integer> locals = new ArrayList<>();
                clients.forEach(s -> locals.add(s.getLocalPort()));
                r.value("acceptedInOrder", peers.equals(locals));
            } finally {
                clients.forEach(Pair::closeQuietly);
            }
        }).expect("acceptedInOrder", true);
    }

    @ProviderTest
    void backlogZeroMeansDefault(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            List<Socket> clients = new ArrayList<>();
            try (ServerSocket ss = q.newServerSocket(0, 0, q.loopbackAddress())) {
                for (int i = 0; i < 10; i++) {
                    clients.add(q.connect(ss.getLocalSocketAddress()));
                }
                int accepted = 0;
                for (int i = 0; i < 10; i++) {
                    ss.accept().close();
                    accepted++;
                }
                r.value("accepted", accepted);
            } finally {
                clients.forEach(Pair::closeQuietly);
            }
        }).expect("accepted", 10);
    }

    @ProviderTest
    void listenerCloseResetsPendingConnection(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            ServerSocket ss = q.boundServerSocket();
            try (Socket s = q.connect(ss.getLocalSocketAddress())) {
                ss.close();
                r.call("read", () -> s.getInputStream().read());
            } finally {
                ss.close();
            }
        }).expect("read", "java.net.SocketException: Connection reset");
    }

    @ProviderTest
    void acceptedSocketAddresses(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                r.value("peerPort", x.accepted.getPort() == x.client.getLocalPort());
                r.value("localPort", x.accepted.getLocalPort() == x.server.getLocalPort());
                r.value("peerAddress", x.accepted.getInetAddress().getHostAddress());
                r.value("clientRemote", x.client.getInetAddress().getHostAddress());
                r.state("accepted", x.accepted);
            }
        }).expect("peerPort", true).expect("localPort", true).expect("peerAddress", "127.0.0.1")
                .expect("clientRemote", "127.0.0.1")
                .expect("accepted", "bound=true connected=true closed=false inShut=false outShut=false");
    }

    @ProviderTest
    void acceptOnUnboundServer(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.newServerSocket()) {
                r.run("accept", () -> ss.accept().close());
            }
        }).expect("accept", "java.net.SocketException: Socket is not bound yet");
    }

    @ProviderTest
    void serverSocketFactoryCreates(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.serverSocketFactory().createServerSocket(0, 50, q.loopbackAddress());
                    Socket s = q.socketFactory().createSocket(q.loopbackAddress(), ss.getLocalPort());
                    Socket a = ss.accept()) {
                r.state("server", ss);
                r.state("client", s);
                s.getOutputStream().write(7);
                r.call("read", () -> a.getInputStream().read());
            }
        }).expect("server", "bound=true closed=false")
                .expect("client", "bound=true connected=true closed=false inShut=false outShut=false")
                .expect("read", 7);
    }

    @ProviderTest
    void socketFactoryWithLocalBind(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket();
                    Socket s = q.socketFactory().createSocket(q.loopbackAddress(), ss.getLocalPort(),
                            q.loopbackAddress(), 0);
                    Socket a = ss.accept()) {
                r.value("localAddress", s.getLocalAddress().getHostAddress());
                r.value("peerMatches", a.getPort() == s.getLocalPort());
            }
        }).expect("localAddress", "127.0.0.1").expect("peerMatches", true);
    }

    @ProviderTest
    void unconnectedFactorySocket(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket(); Socket s = q.socketFactory().createSocket()) {
                r.state("created", s);
                s.connect(ss.getLocalSocketAddress(), 5000);
                r.state("connected", s);
                ss.accept().close();
            }
        }).expect("created", "bound=false connected=false closed=false inShut=false outShut=false")
                .expect("connected", "bound=true connected=true closed=false inShut=false outShut=false");
    }

    @ProviderTest
    void reuseAddressRebindAfterClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            int port;
            try (Pair x = Pair.open(q)) {
                port = x.server.getLocalPort();
                x.accepted.close(); // server side closes first: its end goes to TIME-WAIT
                InputStream in = x.client.getInputStream();
                r.call("eof", in::read);
            }
            try (ServerSocket ss = q.newServerSocket()) {
                r.value("reuseDefault", ss.getReuseAddress());
                r.run("rebind", () -> ss.bind(new InetSocketAddress(q.loopbackAddress(), port)));
            }
        }).expect("eof", -1).expect("reuseDefault", true).expect("rebind", "ok");
    }

    @ProviderTest
    void selfConnectToOwnListenerManyTimes(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            int ok = 0;
            try (ServerSocket ss = q.boundServerSocket()) {
                for (int i = 0; i < 50; i++) {
                    try (Socket s = q.connect(ss.getLocalSocketAddress()); Socket a = ss.accept()) {
                        s.getOutputStream().write(i);
                        if (a.getInputStream().read() == i) {
                            ok++;
                        }
                    }
                }
            }
            r.value("ok", ok);
        }).expect("ok", 50);
    }
}
