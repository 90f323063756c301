package io.usertcp.stack;

import io.usertcp.ip.FragmentReassembler;
import java.time.Duration;
import java.util.Objects;

/**
 * The resource limits of one {@link Stack}, set with {@link Stack.Builder} and read with
 * {@link Stack#limits()}. Every limit has a safe default; what happens beyond each is part of the
 * contract (and of the README's "Limits" table):
 *
 * @param maxConnections      entries in the connection table (every state from SYN-SENT or
 *                            SYN-RECEIVED to TIME-WAIT, both ends of loopback connections counted).
 *                            At the limit {@link TcpSocket#connect} fails with
 *                            {@code SocketException("No buffer space available (…)")} (ENOBUFS,
 *                            counted in {@link StackStats#connectsRefusedAtLimit()}), and a SYN (or
 *                            a handshake-completing ACK) for a listener is dropped without a reply,
 *                            counted as {@code DropReason.TCP_CONNECTION_LIMIT}: the peer retries as
 *                            after a lost SYN. Default {@value #DEFAULT_MAX_CONNECTIONS}
 * @param maxSocketBufferSize the largest SO_RCVBUF / SO_SNDBUF an application may set; larger
 *                            requests are clamped and the getter reports the clamped value (as
 *                            Linux's net.core.rmem_max / wmem_max). Default 16 MiB
 * @param fragmentBytes       bytes of incomplete IP datagrams held for reassembly (all sources
 *                            together); beyond it the oldest datagram is dropped
 *                            ({@code DropReason.IP_REASSEMBLY_*}). Default 4 MiB (Linux ipfrag_high_thresh)
 * @param fragmentDatagrams   incomplete datagrams held at once; beyond it the oldest is dropped.
 *                            Default 256
 * @param fragmentTimeout     how long an incomplete datagram is kept (RFC 791 / Linux ipfrag_time
 *                            30 s); then dropped with ICMP time exceeded (code 1) when the first
 *                            fragment had arrived
 * @param maxBacklog          the largest listen backlog (SYN queue + accept queue) an application
 *                            may ask for; larger requests are clamped, as Linux's net.core.somaxconn.
 *                            Without it {@code new ServerSocket(port, Integer.MAX_VALUE)} would let a
 *                            SYN flood fill memory with half-open connections before SYN cookies
 *                            start. Default {@value #DEFAULT_MAX_BACKLOG} (somaxconn's default)
 */
public record StackLimits(int maxConnections, int maxSocketBufferSize, int fragmentBytes, int fragmentDatagrams,
                          Duration fragmentTimeout, int maxBacklog) {

    public static final int DEFAULT_MAX_CONNECTIONS = 262_144;
    public static final int DEFAULT_MAX_SOCKET_BUFFER_SIZE = 16 * 1024 * 1024;
    public static final int DEFAULT_MAX_BACKLOG = 4096;
    /** The smallest reassembly budget: one largest IPv4 datagram. */
    public static final int MIN_FRAGMENT_BYTES = 65_535;

    public static final StackLimits DEFAULT = new StackLimits(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_SOCKET_BUFFER_SIZE,
            FragmentReassembler.DEFAULT_MAX_BYTES, FragmentReassembler.DEFAULT_MAX_DATAGRAMS,
            Duration.ofNanos(FragmentReassembler.DEFAULT_TIMEOUT_NANOS), DEFAULT_MAX_BACKLOG);

    public StackLimits {
        Objects.requireNonNull(fragmentTimeout, "fragmentTimeout");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections " + maxConnections + " < 1");
        }
        if (maxBacklog < 1) {
            throw new IllegalArgumentException("maxBacklog " + maxBacklog + " < 1");
        }
        if (maxSocketBufferSize < 1) {
            throw new IllegalArgumentException("maxSocketBufferSize " + maxSocketBufferSize + " < 1");
        }
        if (fragmentBytes < MIN_FRAGMENT_BYTES || fragmentDatagrams < 1 || fragmentTimeout.isNegative()
                || fragmentTimeout.isZero()) {
            throw new IllegalArgumentException("fragment reassembly: bytes " + fragmentBytes + " (at least "
                    + MIN_FRAGMENT_BYTES + "), datagrams " + fragmentDatagrams + " (at least 1), timeout "
                    + fragmentTimeout + " (above zero)");
        }
    }

    public StackLimits withMaxConnections(int n) {
        return new StackLimits(n, maxSocketBufferSize, fragmentBytes, fragmentDatagrams, fragmentTimeout, maxBacklog);
    }

    public StackLimits withMaxSocketBufferSize(int n) {
        return new StackLimits(maxConnections, n, fragmentBytes, fragmentDatagrams, fragmentTimeout, maxBacklog);
    }

    public StackLimits withFragments(int bytes, int datagrams, Duration timeout) {
        return new StackLimits(maxConnections, maxSocketBufferSize, bytes, datagrams, timeout, maxBacklog);
    }

    public StackLimits withMaxBacklog(int n) {
        return new StackLimits(maxConnections, maxSocketBufferSize, fragmentBytes, fragmentDatagrams, fragmentTimeout, n);
    }
}
