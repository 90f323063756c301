package io.usertcp.tcp;

/**
 * Why a connection died (or {@link #NONE}). The stack maps these to the JDK's exceptions; the
 * message given here is the one the JDK uses for the matching errno.
 */
public enum ConnectionError {
    /** No error (the connection is alive, or it closed normally). */
    NONE(""),
    /** RST in answer to our SYN, or ICMP port unreachable during the handshake (ECONNREFUSED). */
    REFUSED("Connection refused"),
    /** RST in a synchronized state (ECONNRESET). */
    RESET("Connection reset"),
    /** Retransmissions, keepalive probes or the user timeout ran out (ETIMEDOUT). */
    TIMED_OUT("Connection timed out"),
    /** ICMP host unreachable / administratively prohibited (EHOSTUNREACH). */
    UNREACHABLE("No route to host"),
    /** ICMP network unreachable (ENETUNREACH). */
    NET_UNREACHABLE("Network is unreachable"),
    /** The link the connection ran over went down or away (ENETDOWN); see {@code TcpConnection.fail}. */
    NETWORK_DOWN("Network is down"),
    /** The application aborted the connection (RST sent by us). */
    ABORTED("Socket closed");

    private final String jdkMessage;

    ConnectionError(String jdkMessage) {
        this.jdkMessage = jdkMessage;
    }

    /** The message the JDK puts in the exception for this error. */
    public String jdkMessage() {
        return jdkMessage;
    }
}
