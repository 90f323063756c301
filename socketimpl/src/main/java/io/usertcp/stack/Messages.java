package io.usertcp.stack;

/**
 * The exact exception messages a JDK socket on Linux produces (JDK-CONTRACT.md §1.4 and §1.8), in
 * one place. The ones marked "strerror" are Linux's wording of an errno, which the JDK passes on.
 */
final class Messages {
    static final String SOCKET_CLOSED = "Socket closed";
    static final String NOT_CONNECTED = "Not connected";
    static final String ALREADY_CONNECTED = "Already connected";
    static final String ALREADY_BOUND = "Already bound";
    static final String CONNECTION_IN_PROGRESS = "Connection in progress";
    static final String CONNECTION_RESET = "Connection reset";          // NioSocketImpl, read side
    static final String READ_TIMED_OUT = "Read timed out";
    static final String ACCEPT_TIMED_OUT = "Accept timed out";
    static final String CONNECT_TIMED_OUT = "Connect timed out";
    static final String CLOSED_BY_INTERRUPT = "Closed by interrupt";
    static final String CONNECTION_REFUSED = "Connection refused";      // strerror(ECONNREFUSED)
    static final String CONNECTION_RESET_BY_PEER = "Connection reset by peer"; // strerror(ECONNRESET)
    static final String BROKEN_PIPE = "Broken pipe";                    // strerror(EPIPE)
    static final String ADDRESS_IN_USE = "Address already in use";      // strerror(EADDRINUSE)
    static final String CANNOT_ASSIGN = "Cannot assign requested address"; // strerror(EADDRNOTAVAIL)
    static final String NO_ROUTE = "No route to host";                  // strerror(EHOSTUNREACH)
    static final String NETWORK_UNREACHABLE = "Network is unreachable"; // strerror(ENETUNREACH)
    static final String CONNECTION_TIMED_OUT = "Connection timed out";  // strerror(ETIMEDOUT)
    static final String INVALID_ARGUMENT = "Invalid argument";          // strerror(EINVAL)
    static final String NO_BUFFER_SPACE = "No buffer space available";  // strerror(ENOBUFS)
    static final String NOT_LISTENING = "Socket is not listening";

    private Messages() {}
}
