package io.usertcp.compat.harness;

import java.io.Closeable;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;

/** A connected pair on one provider's loopback: {@code client} connected to {@code accepted}. */
public final class Pair implements AutoCloseable {
    public final ServerSocket server;
    public final Socket client;
    public final Socket accepted;

    private Pair(ServerSocket server, Socket client, Socket accepted) {
        this.server = server;
        this.client = client;
        this.accepted = accepted;
    }

    public static Pair open(SocketProvider p) throws IOException {
        ServerSocket ss = p.boundServerSocket();
        Socket c = null;
        try {
            c = p.connect(ss.getLocalSocketAddress());
            Socket a = ss.accept();
            return new Pair(ss, c, a);
        } catch (IOException | RuntimeException e) {
            closeQuietly(c);
            closeQuietly(ss);
            throw e;
        }
    }

    @Override
    public void close() {
        closeQuietly(client);
        closeQuietly(accepted);
        closeQuietly(server);
    }

    public static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // best effort in cleanup
            }
        }
    }
}
