package io.usertcp.compat.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.EnumSet;
import java.util.Set;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

/** Plain JDK sockets (NioSocketImpl) on the kernel's loopback: the reference every case compares to. */
public final class JdkProvider implements SocketProvider {
    public static final String NAME = "jdk";

    @Override public String name() { return NAME; }

    @Override public Socket newSocket() { return new Socket(); }

    @Override public ServerSocket newServerSocket() throws IOException { return new ServerSocket(); }

    @Override
    public ServerSocket newServerSocket(int port, int backlog, InetAddress addr) throws IOException {
        return new ServerSocket(port, backlog, addr);
    }

    @Override public SocketFactory socketFactory() { return SocketFactory.getDefault(); }

    @Override public ServerSocketFactory serverSocketFactory() { return ServerSocketFactory.getDefault(); }

    @Override public InetAddress loopbackAddress() { return InetAddress.getLoopbackAddress(); }

    @Override
    public Set<Capability> capabilities() {
        Set<Capability> c = EnumSet.of(Capability.UNANSWERED_CONNECT);
        if (Runtime.version().feature() >= 21) {
            c.add(Capability.VIRTUAL_THREADS);
        }
        return c;
    }

    @Override public String toString() { return NAME; }
}
