package io.usertcp.bench;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;

/**
 * The few socket operations the benchmark workloads need, so that one workload runs unchanged on
 * the kernel's TCP (JDK sockets, {@link KernelNet}) and on usertcp ({@code UserNet}: the engine's
 * {@code Stack} and {@code TcpSocket}).
 */
interface Net extends Closeable {

    /** A connected stream. */
    interface Conn extends Closeable {
        /** Reads up to len bytes, blocking for the first; -1 at end of stream. */
        int read(byte[] b, int off, int len) throws IOException;

        /** Writes all len bytes. */
        void write(byte[] b, int off, int len) throws IOException;

        void shutdownOutput() throws IOException;

        void setNoDelay(boolean on) throws IOException;

        @Override
        void close() throws IOException;
    }

    /** A listening socket. */
    interface Listener extends Closeable {
        Conn accept() throws IOException;
    }

    /**
     * Connects to remote:port. With a non-zero localPort, binds first to local:localPort with
     * SO_REUSEADDR (so one local port serves many remote ports, as the scale scenario needs).
     */
    Conn connect(InetAddress local, int localPort, InetAddress remote, int port) throws IOException;

    Listener listen(InetAddress addr, int port, int backlog) throws IOException;

    /** A short description for the report (which stack, which link). */
    String describe();

    /** Extra figures of this stack (e.g. connections still in its table); empty by default. */
    default Map<String, Object> extraStats() {
        return Map.of();
    }

    @Override
    void close() throws IOException;
}
