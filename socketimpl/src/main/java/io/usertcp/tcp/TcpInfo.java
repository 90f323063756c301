package io.usertcp.tcp;

/**
 * A snapshot of one connection's variables (like Linux's {@code struct tcp_info}). Sequence
 * numbers are the raw 32-bit values; times are nanoseconds.
 *
 * @param sndWnd        the peer's advertised window (bytes)
 * @param rcvWnd        the window we last advertised (bytes)
 * @param sndMss        the MSS we send with (negotiated, path MTU applied)
 * @param retransmits   segments retransmitted over the connection's life
 * @param bytesSent     application bytes acknowledged by the peer
 * @param bytesReceived application bytes received in order
 * @param sendQueue     bytes written by the application and not yet acknowledged
 * @param receiveQueue  bytes received and not yet read by the application
 * @param congestionControl the congestion control algorithm's name ({@code "cubic"}, {@code "reno"})
 */
public record TcpInfo(
        TcpState state,
        ConnectionError error,
        int sndUna,
        int sndNxt,
        int rcvNxt,
        int sndWnd,
        int rcvWnd,
        int sndMss,
        int cwnd,
        int ssthresh,
        long srttNanos,
        long rttvarNanos,
        long rtoNanos,
        long retransmits,
        long bytesSent,
        long bytesReceived,
        int sendQueue,
        int receiveQueue,
        String congestionControl) {
}
