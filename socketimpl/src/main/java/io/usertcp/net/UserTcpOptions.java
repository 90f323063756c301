package io.usertcp.net;

import java.net.SocketOption;

/**
 * Socket options of usertcp that the JDK does not define, for {@link java.net.Socket#setOption} and
 * {@link java.net.ServerSocket#setOption} on sockets created over usertcp (JDK sockets do not list
 * them in {@code supportedOptions()} and throw {@code UnsupportedOperationException}).
 */
public final class UserTcpOptions {
    private UserTcpOptions() { }

    /**
     * The congestion control algorithm of the socket, by Linux's names, as Linux's
     * {@code TCP_CONGESTION}: {@code "cubic"} (RFC 9438 with HyStart++; the default) or {@code "reno"}
     * (NewReno; {@code "newreno"} is accepted too). Settable before or after connect (as Linux: a
     * connected socket switches at once, keeping its window); a listener's value is inherited by the
     * sockets it accepts. An unknown name throws {@code IllegalArgumentException}.
     */
    public static final SocketOption<String> TCP_CONGESTION = new Option<>("TCP_CONGESTION", String.class);

    private record Option<T>(String name, Class<T> type) implements SocketOption<T> {
        @Override
        public String toString() {
            return name;
        }
    }
}
