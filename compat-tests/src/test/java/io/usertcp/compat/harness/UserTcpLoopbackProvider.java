package io.usertcp.compat.harness;

import io.usertcp.net.UserTcp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.EnumSet;
import java.util.Set;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

/**
 * usertcp on its internal loopback (127.0.0.0/8), through its javax.net factories — no global
 * factory is installed, so it runs beside the jdk provider in one JVM. One stack per JVM.
 */
public final class UserTcpLoopbackProvider implements SocketProvider {
    public static final String NAME = "usertcp-loopback";

    private static UserTcp stack;

    private final UserTcp ut;

    UserTcpLoopbackProvider() {
        this.ut = shared();
    }

    /** The one loopback-only stack of this JVM, started on first use, closed at exit. */
    static synchronized UserTcp shared() {
        if (stack == null) {
            try {
                stack = UserTcp.loopbackOnly();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start usertcp (loopback only)", e);
            }
            UserTcp s = stack;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "usertcp-loopback-close"));
        }
        return stack;
    }

    @Override public String name() { return NAME; }

    @Override public Socket newSocket() throws IOException { return ut.socketFactory().createSocket(); }

    @Override public ServerSocket newServerSocket() throws IOException {
        return ut.serverSocketFactory().createServerSocket();
    }

    @Override
    public ServerSocket newServerSocket(int port, int backlog, InetAddress addr) throws IOException {
        return ut.serverSocketFactory().createServerSocket(port, backlog, addr);
    }

    @Override public SocketFactory socketFactory() { return ut.socketFactory(); }

    @Override public ServerSocketFactory serverSocketFactory() { return ut.serverSocketFactory(); }

    @Override public InetAddress loopbackAddress() { return InetAddress.getLoopbackAddress(); }

    @Override
    public Set<Capability> capabilities() {
        // CONFORMANCE C1.10: SYNs beyond the backlog are dropped, so connects can go unanswered
        Set<Capability> c = EnumSet.of(Capability.UNANSWERED_CONNECT);
        if (Runtime.version().feature() >= 21) {
            c.add(Capability.VIRTUAL_THREADS);
        }
        return c;
    }

    @Override public String toString() { return NAME; }
}
