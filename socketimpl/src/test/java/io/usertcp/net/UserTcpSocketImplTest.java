package io.usertcp.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketOptions;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The impl's own contract (JDK-CONTRACT.md §1.2, §1.3, §1.5, §1.8) where no JDK socket can be
 * compared: the impl driven directly (protected methods are reachable from this package), the
 * factories' products, and the Cleaner.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UserTcpSocketImplTest {

    static UserTcp ut;
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @BeforeAll
    static void start() throws IOException {
        ut = UserTcp.loopbackOnly();
    }

    @AfterAll
    static void stop() {
        if (ut != null) {
            ut.close();
        }
    }

    UserTcpSocketImpl impl() {
        return new UserTcpSocketImpl(ut.stack(), false);
    }

    static String message(Executable e) {
        try {
            e.run();
            return "no exception";
        } catch (Exception x) {
            return x.getClass().getSimpleName() + ": " + x.getMessage();
        }
    }

    interface Executable {
        void run() throws Exception;
    }

    // ---------------------------------------------------------------- lifecycle

    @Test
    void aNeverCreatedImplRefusesEverythingAndClosesQuietly() throws Exception {
        UserTcpSocketImpl i = impl();
        assertEquals("SocketException: Socket not created", message(() -> i.getOption(SocketOptions.TCP_NODELAY)));
        assertEquals("SocketException: Socket not created", message(() -> i.setOption(SocketOptions.TCP_NODELAY, true)));
        assertEquals("SocketException: Socket not created", message(() -> i.bind(LOOPBACK, 0)));
        assertEquals("SocketException: Not created",
                message(() -> i.connect(new InetSocketAddress(LOOPBACK, 1), 0)));
        i.close(); // nothing was allocated, nothing to release
        i.close();
        assertEquals("SocketException: Socket closed", message(() -> i.getOption(SocketOptions.TCP_NODELAY)));
    }

    @Test
    void createOnlyOnceAndOnlyStreams() throws Exception {
        UserTcpSocketImpl i = impl();
        i.create(true);
        assertEquals("IOException: Already created", message(() -> i.create(true)));
        i.close();
        assertEquals("IOException: Datagram socket creation not supported", message(() -> impl().create(false)));
    }

    @Test
    void legacyOptionErrors() throws Exception {
        UserTcpSocketImpl i = impl();
        i.create(true);
        try {
            assertEquals("SocketException: Unknown option 99", message(() -> i.setOption(99, 1)));
            assertEquals("SocketException: Unknown option 99", message(() -> i.getOption(99)));
            assertEquals("SocketException: Bad value for TCP_NODELAY",
                    message(() -> i.setOption(SocketOptions.TCP_NODELAY, 1)));
            assertEquals("SocketException: Bad value for SO_TIMEOUT",
                    message(() -> i.setOption(SocketOptions.SO_TIMEOUT, "5")));
            assertEquals("SocketException: Bad value for SO_LINGER",
                    message(() -> i.setOption(SocketOptions.SO_LINGER, Boolean.TRUE)));
            assertEquals("SocketException: timeout < 0", message(() -> i.setOption(SocketOptions.SO_TIMEOUT, -1)));
            assertEquals("SocketException: SO_SNDBUF <= 0", message(() -> i.setOption(SocketOptions.SO_SNDBUF, 0)));
            assertEquals("SocketException: SO_RCVBUF <= 0", message(() -> i.setOption(SocketOptions.SO_RCVBUF, -4)));
            assertEquals("SocketException: Invalid IP_TOS value", message(() -> i.setOption(SocketOptions.IP_TOS, 300)));
            assertEquals("SocketException: SO_REUSEPORT not supported",
                    message(() -> i.setOption(SocketOptions.SO_REUSEPORT, true)));
            // value types: Boolean.FALSE for linger off, Integer when on, InetAddress for SO_BINDADDR
            assertEquals(Boolean.FALSE, i.getOption(SocketOptions.SO_LINGER));
            i.setOption(SocketOptions.SO_LINGER, 5);
            assertEquals(5, i.getOption(SocketOptions.SO_LINGER));
            i.setOption(SocketOptions.SO_LINGER, Boolean.FALSE);
            assertEquals(Boolean.FALSE, i.getOption(SocketOptions.SO_LINGER));
            assertInstanceOf(InetAddress.class, i.getOption(SocketOptions.SO_BINDADDR));
            assertEquals(0, i.getOption(SocketOptions.SO_TIMEOUT));
            assertInstanceOf(Boolean.class, i.getOption(SocketOptions.SO_OOBINLINE));
            assertInstanceOf(Integer.class, i.getOption(SocketOptions.IP_TOS));
        } finally {
            i.close();
        }
        assertEquals("SocketException: Socket closed", message(() -> i.getOption(SocketOptions.SO_BINDADDR)));
    }

    @Test
    void socketOptionApiChecksSupportBeforeState() {
        UserTcpSocketImpl i = impl();
        assertEquals("UnsupportedOperationException: 'SO_REUSEPORT' not supported",
                message(() -> i.setOption(StandardSocketOptions.SO_REUSEPORT, true)));
        assertEquals("SocketException: Socket not created",
                message(() -> i.setOption(StandardSocketOptions.TCP_NODELAY, true)));
        UserTcpSocketImpl server = new UserTcpSocketImpl(ut.stack(), true);
        assertEquals("UnsupportedOperationException: 'TCP_NODELAY' not supported",
                message(() -> server.getOption(StandardSocketOptions.TCP_NODELAY)));
    }

    @Test
    void listenNeedsABind() throws Exception {
        UserTcpSocketImpl i = new UserTcpSocketImpl(ut.stack(), true);
        i.create(true);
        try {
            assertEquals("SocketException: Not bound", message(() -> i.listen(5)));
            assertEquals("SocketException: Not bound", message(() -> i.accept(impl())));
            i.bind(LOOPBACK, 0);
            assertTrue(i.getLocalPort() > 0);
            assertEquals(LOOPBACK, i.getInetAddress()); // NioSocketImpl keeps the bind address in `address`
            assertEquals("SocketException: Already bound", message(() -> i.bind(LOOPBACK, 0)));
        } finally {
            i.close();
        }
    }

    @Test
    void acceptFillsOnlyANeverCreatedImpl() throws Exception {
        UserTcpSocketImpl server = new UserTcpSocketImpl(ut.stack(), true);
        server.create(true);
        server.bind(LOOPBACK, 0);
        server.listen(5);
        UserTcpSocketImpl created = impl();
        created.create(true);
        assertEquals("SocketException: Not a newly created SocketImpl", message(() -> server.accept(created)));
        created.close();

        try (Socket client = ut.socketFactory().createSocket(LOOPBACK, server.getLocalPort())) {
            UserTcpSocketImpl accepted = impl();
            server.accept(accepted);
            assertEquals(client.getLocalPort(), accepted.getPort());
            assertEquals(server.getLocalPort(), accepted.getLocalPort());
            assertEquals(LOOPBACK, accepted.getInetAddress());
            client.getOutputStream().write(9);
            assertEquals(9, accepted.getInputStream().read());
            accepted.close();
            // fields survive close (TestAfterClose)
            assertEquals(client.getLocalPort(), accepted.getPort());
            assertEquals(server.getLocalPort(), accepted.getLocalPort());
            assertEquals(LOOPBACK, accepted.getInetAddress());
        } finally {
            server.close();
        }
    }

    @Test
    void acceptTimeoutFromTheImpl() throws Exception {
        UserTcpSocketImpl server = new UserTcpSocketImpl(ut.stack(), true);
        server.create(true);
        try {
            server.bind(LOOPBACK, 0);
            server.listen(1);
            server.setOption(SocketOptions.SO_TIMEOUT, 50);
            UserTcpSocketImpl target = impl();
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> server.accept(target));
            assertEquals("Accept timed out", e.getMessage());
            // the target is still new: it can take the next connection
            assertEquals("SocketException: Socket not created", message(() -> target.getOption(SocketOptions.SO_TIMEOUT)));
        } finally {
            server.close();
        }
    }

    @Test
    void connectFailureClosesTheImpl() throws Exception {
        int port;
        try (ServerSocket ss = ut.serverSocketFactory().createServerSocket(0, 1, LOOPBACK)) {
            port = ss.getLocalPort();
        }
        UserTcpSocketImpl i = impl();
        i.create(true);
        ConnectException e = assertThrows(ConnectException.class,
                () -> i.connect(new InetSocketAddress(LOOPBACK, port), 2000));
        assertEquals("Connection refused", e.getMessage());
        assertTrue(i.isClosed());
        assertEquals(LOOPBACK, i.getInetAddress()); // kept for toString and the getters
        assertEquals(port, i.getPort());
    }

    @Test
    void wildcardConnectGoesToTheStacksOwnAddress() throws Exception {
        try (ServerSocket ss = ut.serverSocketFactory().createServerSocket(0);
                Socket c = ut.socketFactory().createSocket()) {
            c.connect(new InetSocketAddress(InetAddress.getByAddress(new byte[4]), ss.getLocalPort()), 2000);
            assertEquals(ut.address(), c.getInetAddress());
            try (Socket s = ss.accept()) {
                assertEquals(c.getLocalPort(), s.getPort());
            }
        }
    }

    // ---------------------------------------------------------------- factories

    @Test
    void socketFactoryOverloadsConnectAndBind() throws Exception {
        try (ServerSocket ss = ut.serverSocketFactory().createServerSocket(0, 5, LOOPBACK)) {
            int port = ss.getLocalPort();
            try (Socket a = ut.socketFactory().createSocket("127.0.0.1", port);
                    Socket b = ut.socketFactory().createSocket(LOOPBACK, port, LOOPBACK, 0);
                    Socket sa = ss.accept();
                    Socket sb = ss.accept()) {
                assertTrue(a.isConnected() && b.isConnected());
                assertEquals(UserTcpSocketFactory.UserTcpSocket.class, sa.getClass());
                b.getOutputStream().write(new byte[] {1, 2});
                InputStream in = sb.getInputStream();
                assertEquals(1, in.read());
                assertEquals(2, in.read());
            }
        }
        int closedPort;
        try (ServerSocket ss = ut.serverSocketFactory().createServerSocket(0)) {
            closedPort = ss.getLocalPort();
        }
        assertThrows(ConnectException.class, () -> ut.socketFactory().createSocket(LOOPBACK, closedPort));
        assertThrows(IllegalArgumentException.class, () -> ut.serverSocketFactory().createServerSocket(70000));
    }

    @Test
    void implFactoryMakesFreshUncreatedImpls() {
        UserTcpSocketImplFactory f = UserTcpSocketImplFactory.forSockets(ut.stack());
        UserTcpSocketImpl a = (UserTcpSocketImpl) f.createSocketImpl();
        UserTcpSocketImpl b = (UserTcpSocketImpl) f.createSocketImpl();
        assertFalse(a == b);
        assertEquals("SocketException: Socket not created", message(() -> a.getOption(SocketOptions.SO_TIMEOUT)));
        assertEquals(7, ((UserTcpSocketImpl) UserTcpSocketImplFactory.forServerSockets(ut.stack()).createSocketImpl())
                .supportedOptions().size()); // 6 of the JDK's + TCP_CONGESTION
    }

    // ---------------------------------------------------------------- Cleaner

    @Test
    void aSocketDroppedUnclosedIsAbortedByTheCleaner() throws Exception {
        try (ServerSocket ss = ut.serverSocketFactory().createServerSocket(0, 5, LOOPBACK)) {
            connectAndDrop(ss.getLocalPort());
            try (Socket s = ss.accept()) {
                s.setSoTimeout(100);
                InputStream in = s.getInputStream();
                String outcome = "";
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < deadline) {
                    System.gc();
                    try {
                        int n = in.read();
                        outcome = "read " + n;
                        break;
                    } catch (SocketTimeoutException e) {
                        // not collected yet
                    } catch (SocketException e) {
                        outcome = e.getMessage();
                        break;
                    }
                }
                assertEquals("Connection reset", outcome, "the dropped socket's connection must be aborted (RST)");
            }
        }
    }

    /** Connects a socket and lets go of it without closing it. */
    private static void connectAndDrop(int port) throws IOException {
        Socket s = ut.socketFactory().createSocket(LOOPBACK, port);
        s.getOutputStream(); // streams hold the impl too; they must not keep it alive either
        s.getInputStream();
    }
}
