package io.usertcp.compat.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Set;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

/**
 * One TCP stack the compat suite runs against (STYLE.md §14). Every test is written once against
 * this interface; {@link Providers#all()} is the one list of providers.
 *
 * <p>Sockets come from the provider's own factories, never from a global
 * {@code Socket.setSocketImplFactory}, so the {@code jdk} and {@code usertcp-loopback} providers
 * run side by side in one JVM.
 */
public interface SocketProvider {

    /** What a provider can do; tests that need a capability skip (with the reason) without it. */
    enum Capability {
        /** A connect can be left unanswered (full listen backlog) so that a connect timeout fires. */
        UNANSWERED_CONNECT,
        /** Virtual threads (JDK 21+) park without pinning inside blocking calls. */
        VIRTUAL_THREADS,
    }

    /** Short name shown in test reports: {@code jdk}, {@code usertcp-loopback}, … */
    String name();

    /** An unconnected, unbound socket ({@code new Socket()} semantics). */
    Socket newSocket() throws IOException;

    /** An unbound server socket ({@code new ServerSocket()} semantics). */
    ServerSocket newServerSocket() throws IOException;

    /** {@code new ServerSocket(port, backlog, addr)} semantics. */
    ServerSocket newServerSocket(int port, int backlog, InetAddress addr) throws IOException;

    SocketFactory socketFactory();

    ServerSocketFactory serverSocketFactory();

    /** The address the provider's loopback answers on (127.0.0.1). */
    InetAddress loopbackAddress();

    Set<Capability> capabilities();

    /** Why a capability is missing, for skip messages. */
    default String missingCapabilityReason(Capability c) {
        return name() + " lacks " + c;
    }

    /** A server socket bound to an ephemeral port on the loopback address. */
    default ServerSocket boundServerSocket() throws IOException {
        return boundServerSocket(50);
    }

    default ServerSocket boundServerSocket(int backlog) throws IOException {
        ServerSocket ss = newServerSocket();
        try {
            ss.bind(new InetSocketAddress(loopbackAddress(), 0), backlog);
        } catch (IOException | RuntimeException e) {
            ss.close();
            throw e;
        }
        return ss;
    }

    /** A connected client socket. */
    default Socket connect(SocketAddress remote) throws IOException {
        Socket s = newSocket();
        try {
            s.connect(remote);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** A loopback port with nothing listening on it (bound once, then closed). */
    default int unusedPort() throws IOException {
        try (ServerSocket ss = boundServerSocket()) {
            return ss.getLocalPort();
        }
    }
}
