package io.usertcp.tcp;

/**
 * When a listener answers a SYN with a SYN cookie instead of a SYN-RECEIVED child (RFC 4987 §3.6),
 * like Linux's {@code net.ipv4.tcp_syncookies} (0, 1, 2). See {@link SynCookies}.
 */
public enum SynCookieMode {
    /** Never: a SYN beyond the backlog is dropped (C1.10), as {@code tcp_syncookies=0}. */
    OFF,
    /**
     * Only while the SYN queue is full (the default, as {@code tcp_syncookies=1}): SYNs within the
     * backlog make ordinary SYN-RECEIVED children; the SYNs beyond it get cookies, and returning ACKs
     * are checked for a cookie only while cookies were sent in the last two cookie periods.
     */
    ON_OVERFLOW,
    /** Every SYN gets a cookie and no listener state, as {@code tcp_syncookies=2}. */
    ALWAYS
}
