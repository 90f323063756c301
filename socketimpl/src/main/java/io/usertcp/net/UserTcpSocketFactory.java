package io.usertcp.net;

import io.usertcp.stack.Stack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * A {@link SocketFactory} whose sockets run over usertcp, without installing any global factory:
 * for code that takes a {@code SocketFactory} (Commons Net, pgjdbc, OkHttp, …) and for using
 * usertcp only where wanted. The sockets are ordinary {@link Socket}s built on the protected
 * {@code Socket(SocketImpl)} constructor.
 */
public final class UserTcpSocketFactory extends SocketFactory {
    private final Stack stack;

    public UserTcpSocketFactory(Stack stack) {
        this.stack = Objects.requireNonNull(stack, "stack");
    }

    @Override
    public Socket createSocket() throws SocketException {
        return new UserTcpSocket(new UserTcpSocketImpl(stack, false));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(host != null ? new InetSocketAddress(host, port)
                : new InetSocketAddress(InetAddress.getByName(null), port), null, 0);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null, 0);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(host != null ? new InetSocketAddress(host, port)
                : new InetSocketAddress(InetAddress.getByName(null), port), localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), localAddress, localPort);
    }

    /** As the {@code Socket(host, port[, localAddr, localPort])} constructors: bind, connect, close on failure. */
    private Socket connected(InetSocketAddress remote, InetAddress localAddress, int localPort) throws IOException {
        Socket s = createSocket();
        try {
            if (localAddress != null || localPort != 0) {
                s.bind(new InetSocketAddress(localAddress, localPort));
            }
            s.connect(remote);
            return s;
        } catch (IOException | RuntimeException e) {
            try {
                s.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** A plain Socket over a given usertcp impl (the protected constructor is the only way in). */
    static final class UserTcpSocket extends Socket {
        UserTcpSocket(UserTcpSocketImpl impl) throws SocketException {
            super(impl);
        }
    }
}
