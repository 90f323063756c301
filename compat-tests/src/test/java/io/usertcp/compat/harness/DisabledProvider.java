package io.usertcp.compat.harness;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

/**
 * Placeholder for a provider listed in {@link Providers} with a reason it cannot run.
 * {@link ProviderExtension} skips every invocation that receives one, with that reason.
 */
public final class DisabledProvider implements SocketProvider {
    private final String name;
    private final String reason;

    DisabledProvider(String name, String reason) {
        this.name = name;
        this.reason = reason;
    }

    public String reason() { return reason; }

    @Override public String name() { return name; }

    private UnsupportedOperationException disabled() {
        return new UnsupportedOperationException("provider " + name + " is disabled: " + reason);
    }

    @Override public Socket newSocket() { throw disabled(); }

    @Override public ServerSocket newServerSocket() { throw disabled(); }

    @Override public ServerSocket newServerSocket(int port, int backlog, InetAddress addr) { throw disabled(); }

    @Override public SocketFactory socketFactory() { throw disabled(); }

    @Override public ServerSocketFactory serverSocketFactory() { throw disabled(); }

    @Override public InetAddress loopbackAddress() { throw disabled(); }

    @Override public Set<Capability> capabilities() { return Set.of(); }

    @Override public String toString() { return name; }
}
