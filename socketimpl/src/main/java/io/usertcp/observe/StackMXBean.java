package io.usertcp.observe;

import java.util.Map;

/**
 * The JMX view of one usertcp stack, registered as {@code io.usertcp:type=Stack,name=NAME} by
 * {@link Observability#attach} (jconsole, VisualVM, {@code bin/usertcp ss PID}).
 */
public interface StackMXBean {
    String getName();

    long getPacketsIn();
    long getPacketsOut();
    long getBytesIn();
    long getBytesOut();
    long getSegmentsIn();
    long getSegmentsOut();
    long getResetsSent();
    long getResetsReceived();
    /** Retransmitted segments, of live and ended connections. */
    long getRetransmissions();
    /** IP header, ICMP and TCP checksum failures. */
    long getChecksumErrors();
    /** SYN-ACKs sent with a SYN cookie (RFC 4987 §3.6; TcpConfig.synCookies, default on overflow). */
    long getSynCookiesSent();
    /** ACKs that returned a valid SYN cookie (each became a connection). */
    long getSynCookiesValidated();
    /** ACKs checked for a SYN cookie that did not validate (answered with a reset). */
    long getSynCookiesFailed();
    long getConnectionsOpened();
    long getConnectionsAccepted();
    long getInternalErrors();
    /** Every packet dropped, any reason. */
    long getDrops();
    /** Non-zero drop counters by {@code DropReason} name. */
    Map<String, Long> getDropsByReason();
    int getConnectionCount();
    /** One line per connection: state, addresses, queues. */
    String[] getConnections();

    /** Whether segments and state changes are being traced (switchable at run time). */
    boolean isTraceEnabled();
    void setTraceEnabled(boolean on);

    /** The {@code ss -tinp}-like listing of every connection. */
    String ss();
    /** The counters as {@code name value} lines. */
    String counters();
    /** The names of the traced connections ({@code 127.0.0.1:40000-127.0.0.1:7}). */
    String[] tracedConnections();
    /** The trace lines of one traced connection. */
    String trace(String connection);
    /** The text ladder diagram of one traced connection. */
    String ladder(String connection);
}
