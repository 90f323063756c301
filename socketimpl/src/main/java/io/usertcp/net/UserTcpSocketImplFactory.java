package io.usertcp.net;

import io.usertcp.stack.Stack;
import java.net.SocketImpl;
import java.net.SocketImplFactory;
import java.util.Objects;

/**
 * Makes {@link UserTcpSocketImpl}s over one stack. One instance serves {@code Socket} (client
 * impls) and another {@code ServerSocket} (server impls): both must be installed, because a
 * usertcp server impl can only accept into a usertcp impl from the client factory
 * (JDK-CONTRACT.md §1.3). {@link #createSocketImpl()} never fails and allocates no resources: the
 * JDK calls it for sockets it never uses.
 */
public final class UserTcpSocketImplFactory implements SocketImplFactory {
    private final Stack stack;
    private final boolean server;

    private UserTcpSocketImplFactory(Stack stack, boolean server) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.server = server;
    }

    /** The factory for {@code Socket.setSocketImplFactory}. */
    public static UserTcpSocketImplFactory forSockets(Stack stack) {
        return new UserTcpSocketImplFactory(stack, false);
    }

    /** The factory for {@code ServerSocket.setSocketFactory}. */
    public static UserTcpSocketImplFactory forServerSockets(Stack stack) {
        return new UserTcpSocketImplFactory(stack, true);
    }

    @Override
    public SocketImpl createSocketImpl() {
        return new UserTcpSocketImpl(stack, server);
    }

    @Override
    public String toString() {
        return "UserTcpSocketImplFactory[" + (server ? "server" : "client") + "]";
    }
}
