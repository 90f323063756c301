package io.usertcp.compat.harness;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A listener whose accept queue is full, so that a further SYN goes unanswered (RFC 9293 leaves it
 * to the implementation; Linux and usertcp drop it, CONFORMANCE C1.10). Only on the provider's own
 * loopback: no packet ever leaves the machine. Gives connect timeouts a target.
 */
public final class Backlog implements AutoCloseable {
    public final ServerSocket server;
    private final List<Socket> fillers = new ArrayList<>();

    private Backlog(ServerSocket server) {
        this.server = server;
    }

    /** A listener with backlog 1 and connections until a connect goes unanswered (≤ 16 tries). */
    public static Backlog full(SocketProvider p) throws IOException {
        Backlog b = new Backlog(p.boundServerSocket(1));
        try {
            for (int i = 0; i < 16; i++) {
                Socket s = p.newSocket();
                try {
                    s.connect(b.server.getLocalSocketAddress(), 250);
                    b.fillers.add(s);
                } catch (SocketTimeoutException full) {
                    s.close();
                    return b;
                }
            }
        } catch (IOException | RuntimeException e) {
            b.close();
            throw e;
        }
        b.close();
        throw new IllegalStateException(p.name() + ": a listener with backlog 1 kept answering 16 connects");
    }

    public SocketAddress address() {
        return server.getLocalSocketAddress();
    }

    @Override
    public void close() {
        fillers.forEach(Pair::closeQuietly);
        Pair.closeQuietly(server);
    }
}
