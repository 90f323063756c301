package io.usertcp.net;

/**
 * Every exception message the JDK's own socket implementation ({@code sun.nio.ch.NioSocketImpl},
 * with Linux strerror wording) shows callers, in one place (JDK-CONTRACT.md §1.8). Applications and
 * frameworks string-match some of them ("Broken pipe", "Connection reset"), so they are reproduced
 * verbatim; do not reword.
 */
final class JdkMessages {
    private JdkMessages() {}

    // ensureOpen / ensureOpenAndConnected (NioSocketImpl)
    static final String SOCKET_NOT_CREATED = "Socket not created";
    static final String SOCKET_CLOSED = "Socket closed";
    static final String NOT_CONNECTED = "Not connected";
    static final String NOT_CREATED = "Not created";
    static final String CONNECTION_IN_PROGRESS = "Connection in progress";
    static final String ALREADY_CONNECTED = "Already connected";
    static final String ALREADY_BOUND = "Already bound";
    static final String NOT_BOUND = "Not bound";
    static final String ALREADY_CREATED = "Already created";
    static final String NOT_NEWLY_CREATED = "Not a newly created SocketImpl";

    // java.net.Socket / ServerSocket's own checks (reproduced by our ServerSocket subclass)
    static final String SOCKET_IS_CLOSED = "Socket is closed";
    static final String SOCKET_NOT_BOUND_YET = "Socket is not bound yet";

    // I/O outcomes
    static final String CONNECTION_RESET = "Connection reset";
    /** strerror(ECONNRESET): the first write after the peer's RST. */
    static final String CONNECTION_RESET_BY_PEER = "Connection reset by peer";
    /** strerror(EPIPE): writes after the connection is gone or the output is shut down. */
    static final String BROKEN_PIPE = "Broken pipe";
    static final String CLOSED_BY_INTERRUPT = "Closed by interrupt";
    static final String READ_TIMED_OUT = "Read timed out";
    static final String ACCEPT_TIMED_OUT = "Accept timed out";
    static final String CONNECT_TIMED_OUT = "Connect timed out";
    static final String NO_BUFFER_SPACE = "No buffer space available";

    // options
    static final String SO_SNDBUF_LE_0 = "SO_SNDBUF <= 0";
    static final String SO_RCVBUF_LE_0 = "SO_RCVBUF <= 0";
    static final String SO_REUSEPORT_NOT_SUPPORTED = "SO_REUSEPORT not supported";
    static final String TIMEOUT_LT_0 = "timeout < 0";
    static final String INVALID_BUFFER_SIZE = "Invalid send/receive buffer size";
    static final String INVALID_IP_TOS = "Invalid IP_TOS value";
    /** strerror(EINVAL): what the JDK reports for an out-of-range TCP_KEEP* value on Linux. */
    static final String INVALID_ARGUMENT = "Invalid argument";

    // addresses
    static final String UNSUPPORTED_ADDRESS_TYPE = "Unsupported address type";
    static final String DATAGRAM_NOT_SUPPORTED = "Datagram socket creation not supported";

    static String unknownOption(int opt) {
        return "Unknown option " + opt;
    }

    static String badValueFor(String name) {
        return "Bad value for " + name;
    }

    /** SocketImpl.setOption/getOption(SocketOption) for an option not in supportedOptions(). */
    static String notSupported(Object option) {
        return "'" + option + "' not supported";
    }

    /** SocketImpl.setOption(SocketOption, value) with a value of the wrong type. */
    static String invalidValue(Object value) {
        return "Invalid value '" + value + "'";
    }
}
