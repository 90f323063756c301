package io.usertcp.compat.parity;

import io.usertcp.compat.harness.Case;
import io.usertcp.compat.harness.Pair;
import io.usertcp.compat.harness.ProviderTest;
import io.usertcp.compat.harness.SocketProvider;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** toString and the address getters, through a socket's life. Ports are normalised to &lt;port&gt;. */
class AddressesTest {

    /** Replaces every concrete port number with a name, so providers compare. */
    static String norm(String s, int... ports) {
        String out = s;
        String[] names = {"<p1>", "<p2>", "<p3>"};
        for (int i = 0; i < ports.length; i++) {
            out = out.replace(String.valueOf(ports[i]), names[i]);
        }
        return out;
    }

    @ProviderTest
    void unconnectedSocket(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                r.value("toString", s);
                r.value("inetAddress", s.getInetAddress());
                r.value("port", s.getPort());
                r.value("localPort", s.getLocalPort());
                r.value("localAddress", s.getLocalAddress());
                r.value("remoteSocketAddress", s.getRemoteSocketAddress());
                r.value("localSocketAddress", s.getLocalSocketAddress());
            }
        }).expect("toString", "Socket[unconnected]").expect("inetAddress", null).expect("port", 0)
                .expect("localPort", -1).expect("localAddress", "0.0.0.0/0.0.0.0")
                .expect("remoteSocketAddress", null).expect("localSocketAddress", null);
    }

    @ProviderTest
    void boundSocket(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                s.bind(new InetSocketAddress(q.loopbackAddress(), 0));
                int lp = s.getLocalPort();
                r.value("toString", s);
                r.value("localPortPositive", lp > 0);
                r.value("localAddress", s.getLocalAddress());
                r.value("localSocketAddress", norm(String.valueOf(s.getLocalSocketAddress()), lp));
                r.value("remoteSocketAddress", s.getRemoteSocketAddress());
            }
        }).expect("toString", "Socket[unconnected]").expect("localPortPositive", true)
                .expect("localAddress", "/127.0.0.1").expect("localSocketAddress", "/127.0.0.1:<p1>")
                .expect("remoteSocketAddress", null);
    }

    @ProviderTest
    void connectedSocket(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                int sp = x.server.getLocalPort();
                int cp = x.client.getLocalPort();
                r.value("client.toString", norm(x.client.toString(), sp, cp));
                r.value("client.inetAddress", x.client.getInetAddress());
                r.value("client.port", norm(String.valueOf(x.client.getPort()), sp, cp));
                r.value("client.localAddress", x.client.getLocalAddress());
                r.value("client.remote", norm(String.valueOf(x.client.getRemoteSocketAddress()), sp, cp));
                r.value("client.local", norm(String.valueOf(x.client.getLocalSocketAddress()), sp, cp));
                r.value("accepted.toString", norm(x.accepted.toString(), sp, cp));
                r.value("accepted.inetAddress", x.accepted.getInetAddress());
                r.value("accepted.remote", norm(String.valueOf(x.accepted.getRemoteSocketAddress()), sp, cp));
                r.value("accepted.local", norm(String.valueOf(x.accepted.getLocalSocketAddress()), sp, cp));
            }
        }).expect("client.toString", "Socket[addr=localhost/127.0.0.1,port=<p1>,localport=<p2>]")
                .expect("client.port", "<p1>")
                .expect("client.localAddress", "/127.0.0.1")
                .expect("client.remote", "localhost/127.0.0.1:<p1>")
                .expect("client.local", "/127.0.0.1:<p2>")
                .expect("accepted.toString", "Socket[addr=/127.0.0.1,port=<p2>,localport=<p1>]")
                .expect("accepted.remote", "/127.0.0.1:<p2>")
                .expect("accepted.local", "/127.0.0.1:<p1>");
    }

    @ProviderTest
    void connectedByNumericAddress(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket();
                    Socket s = q.connect(new InetSocketAddress(
                            java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), ss.getLocalPort()))) {
                int sp = ss.getLocalPort();
                int cp = s.getLocalPort();
                r.value("toString", norm(s.toString(), sp, cp));
                r.value("remote", norm(String.valueOf(s.getRemoteSocketAddress()), sp, cp));
                ss.accept().close();
            }
        }).expect("toString", "Socket[addr=/127.0.0.1,port=<p1>,localport=<p2>]").expect("remote", "/127.0.0.1:<p1>");
    }

    @ProviderTest
    void closedSocketKeepsRemoteForgetsLocal(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                int sp = x.server.getLocalPort();
                int cp = x.client.getLocalPort();
                x.client.close();
                r.value("toString", norm(x.client.toString(), sp, cp));
                r.value("inetAddress", x.client.getInetAddress());
                r.value("port", norm(String.valueOf(x.client.getPort()), sp, cp));
                r.value("localPort", norm(String.valueOf(x.client.getLocalPort()), sp, cp));
                r.value("localAddress", x.client.getLocalAddress());
                r.value("remote", norm(String.valueOf(x.client.getRemoteSocketAddress()), sp, cp));
                r.value("local", norm(String.valueOf(x.client.getLocalSocketAddress()), sp, cp));
            }
        }).expect("port", "<p1>").expect("localPort", "<p2>").expect("localAddress", "0.0.0.0/0.0.0.0")
                .expect("local", "0.0.0.0/0.0.0.0:<p2>");
    }

    @ProviderTest
    void unboundServerSocket(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.newServerSocket()) {
                r.value("toString", ss);
                r.value("inetAddress", ss.getInetAddress());
                r.value("localPort", ss.getLocalPort());
                r.value("localSocketAddress", ss.getLocalSocketAddress());
            }
        }).expect("toString", "ServerSocket[unbound]").expect("inetAddress", null).expect("localPort", -1)
                .expect("localSocketAddress", null);
    }

    @ProviderTest
    void boundServerSocket(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket()) {
                int sp = ss.getLocalPort();
                r.value("toString", norm(ss.toString(), sp));
                r.value("inetAddress", ss.getInetAddress());
                r.value("localSocketAddress", norm(String.valueOf(ss.getLocalSocketAddress()), sp));
            }
        }).expect("toString", "ServerSocket[addr=localhost/127.0.0.1,localport=<p1>]")
                .expect("localSocketAddress", "localhost/127.0.0.1:<p1>");
    }

    @ProviderTest
    void wildcardServerSocket(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.newServerSocket(0, 50, null)) {
                int sp = ss.getLocalPort();
                r.value("toString", norm(ss.toString(), sp));
                r.value("localSocketAddress", norm(String.valueOf(ss.getLocalSocketAddress()), sp));
            }
        }).expect("toString", "ServerSocket[addr=0.0.0.0/0.0.0.0,localport=<p1>]")
                .expect("localSocketAddress", "0.0.0.0/0.0.0.0:<p1>");
    }

    @ProviderTest
    void closedServerSocket(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            ServerSocket ss = q.boundServerSocket();
            int sp = ss.getLocalPort();
            ss.close();
            r.value("toString", norm(ss.toString(), sp));
            r.value("inetAddress", ss.getInetAddress());
            r.value("localPort", norm(String.valueOf(ss.getLocalPort()), sp));
            r.value("localSocketAddress", norm(String.valueOf(ss.getLocalSocketAddress()), sp));
        }).expect("localPort", "<p1>");
    }
}
