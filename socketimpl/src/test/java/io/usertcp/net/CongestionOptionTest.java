package io.usertcp.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpInfo;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The per-socket congestion control choice through java.net: {@link UserTcpOptions#TCP_CONGESTION}
 * on real Sockets over {@code UserTcp.loopbackOnly()}, before and after connect, inherited from a
 * listener, shown in the stack's {@code TcpInfo}; JDK sockets do not know the option.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CongestionOptionTest {
    UserTcp ut;

    @BeforeEach
    void start() throws IOException {
        ut = UserTcp.loopbackOnly();
    }

    @AfterEach
    void stop() {
        ut.close();
    }

    /** The algorithm of the connection whose local port is {@code port}. */
    String algorithmAt(int port) {
        for (Map.Entry<ConnectionKey, TcpInfo> e : ut.stack().connectionsByKey().entrySet()) {
            if (e.getKey().localPort() == port) return e.getValue().congestionControl();
        }
        throw new AssertionError("no connection on port " + port);
    }

    @Test
    void defaultIsCubicAndRenoCanBeChosenBeforeConnect() throws IOException {
        try (ServerSocket ss = ut.serverSocketFactory().createServerSocket(0, 5, InetAddress.getLoopbackAddress());
             Socket c = ut.socketFactory().createSocket()) {
            assertTrue(c.supportedOptions().contains(UserTcpOptions.TCP_CONGESTION));
            assertTrue(ss.supportedOptions().contains(UserTcpOptions.TCP_CONGESTION));
            assertEquals("cubic", c.getOption(UserTcpOptions.TCP_CONGESTION));
            c.setOption(UserTcpOptions.TCP_CONGESTION, "reno");
            assertEquals("reno", c.getOption(UserTcpOptions.TCP_CONGESTION));
            c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()), 5000);
            try (Socket a = ss.accept()) {
                assertEquals("reno", algorithmAt(c.getLocalPort()));
                assertEquals("cubic", algorithmAtPeer(a));        // the listener's default
                transfer(c, a, 3_000_000, 1);
                transfer(a, c, 3_000_000, 2);
            }
        }
    }

    /** The accepted socket's connection: local port = the listener's, remote port = the client's. */
    String algorithmAtPeer(Socket accepted) {
        for (Map.Entry<ConnectionKey, TcpInfo> e : ut.stack().connectionsByKey().entrySet()) {
            if (e.getKey().localPort() == accepted.getLocalPort() && e.getKey().remotePort() == accepted.getPort()) {
                return e.getValue().congestionControl();
            }
        }
        throw new AssertionError("no accepted connection");
    }

    @Test
    void listenerValueIsInheritedAndConnectedSocketSwitches() throws IOException {
        try (ServerSocket ss = ut.serverSocketFactory().createServerSocket()) {
            ss.setOption(UserTcpOptions.TCP_CONGESTION, "NewReno");
            assertEquals("reno", ss.getOption(UserTcpOptions.TCP_CONGESTION));
            ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (Socket c = ut.socketFactory().createSocket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
                 Socket a = ss.accept()) {
                assertEquals("reno", a.getOption(UserTcpOptions.TCP_CONGESTION));
                assertEquals("reno", algorithmAtPeer(a));
                assertEquals("cubic", algorithmAt(c.getLocalPort()));
                transfer(a, c, 2_000_000, 3);
                // After connect, as Linux: the connection switches at once.
                a.setOption(UserTcpOptions.TCP_CONGESTION, "cubic");
                assertEquals("cubic", algorithmAtPeer(a));
                c.setOption(UserTcpOptions.TCP_CONGESTION, "reno");
                assertEquals("reno", algorithmAt(c.getLocalPort()));
                transfer(a, c, 2_000_000, 4);
                transfer(c, a, 2_000_000, 5);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> c.setOption(UserTcpOptions.TCP_CONGESTION, "bbr"));
                assertTrue(e.getMessage().contains("bbr") && e.getMessage().contains("cubic"), e.getMessage());
                assertEquals("reno", c.getOption(UserTcpOptions.TCP_CONGESTION));
            }
        }
    }

    @Test
    void jdkSocketsDoNotKnowTheOption() throws IOException {
        try (Socket s = new Socket()) {
            assertFalse(s.supportedOptions().contains(UserTcpOptions.TCP_CONGESTION));
            assertThrows(UnsupportedOperationException.class, () -> s.setOption(UserTcpOptions.TCP_CONGESTION, "reno"));
        }
        assertEquals("TCP_CONGESTION", UserTcpOptions.TCP_CONGESTION.name());
        assertEquals(String.class, UserTcpOptions.TCP_CONGESTION.type());
    }

    /** Sends {@code n} seeded bytes from {@code from} to {@code to} and checks every byte. */
    static void transfer(Socket from, Socket to, int n, long seed) throws IOException {
        byte[] data = new byte[n];
        new Random(seed).nextBytes(data);
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = from.getOutputStream();
                out.write(data);
                out.flush();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        byte[] got = new byte[n];
        new DataInputStream(to.getInputStream()).readFully(got);
        assertArrayEquals(data, got);
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
