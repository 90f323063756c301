package io.usertcp.net;

import io.usertcp.stack.Stack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Objects;
import javax.net.ServerSocketFactory;

/**
 * A {@link ServerSocketFactory} whose server sockets listen on usertcp, without installing any
 * global factory. The server socket is a small {@link ServerSocket} subclass over a usertcp impl
 * (the protected {@code ServerSocket(SocketImpl)} constructor) whose {@link ServerSocket#accept()}
 * hands {@code implAccept} a Socket that already carries a never-created usertcp impl, so no client
 * factory is needed (JDK-CONTRACT.md §1.3, "custom | custom").
 */
public final class UserTcpServerSocketFactory extends ServerSocketFactory {
    private final Stack stack;

    public UserTcpServerSocketFactory(Stack stack) {
        this.stack = Objects.requireNonNull(stack, "stack");
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
        return new UserTcpServerSocket(stack);
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return bound(port, 50, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return bound(port, backlog, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress) throws IOException {
        return bound(port, backlog, ifAddress);
    }

    /** As the {@code ServerSocket(port, backlog, bindAddr)} constructor: range check, bind, close on failure. */
    private ServerSocket bound(int port, int backlog, InetAddress ifAddress) throws IOException {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("Port value out of range: " + port);
        }
        ServerSocket ss = createServerSocket();
        try {
            ss.bind(new InetSocketAddress(ifAddress, port), backlog < 1 ? 50 : backlog);
            return ss;
        } catch (IOException | RuntimeException e) {
            try {
                ss.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** A ServerSocket over usertcp that needs no global client factory to accept. */
    static final class UserTcpServerSocket extends ServerSocket {
        private final Stack stack;

        UserTcpServerSocket(Stack stack) {
            super(new UserTcpSocketImpl(stack, true));
            this.stack = stack;
        }

        @Override
        public Socket accept() throws IOException {
            // ServerSocket.accept's own checks and messages
            if (isClosed()) {
                throw new SocketException(JdkMessages.SOCKET_IS_CLOSED);
            }
            if (!isBound()) {
                throw new SocketException(JdkMessages.SOCKET_NOT_BOUND_YET);
            }
            Socket s = new UserTcpSocketFactory.UserTcpSocket(new UserTcpSocketImpl(stack, false));
            implAccept(s);
            return s;
        }
    }
}
