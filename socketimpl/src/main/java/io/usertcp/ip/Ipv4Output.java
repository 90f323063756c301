package io.usertcp.ip;

import io.usertcp.wire.Ipv4Header;
import java.nio.ByteBuffer;

/**
 * Builds the IPv4 header in front of a payload that is already in the buffer: the caller leaves
 * {@link Ipv4Header#MIN_LENGTH} bytes free at {@code off}, writes the payload at {@code off + 20}, then
 * calls {@link #finish}. Every header has DF set, TTL {@link #ttl()} (64 by default), no options, and a
 * fresh identification.
 *
 * <p>Identification: RFC 6864 §4.1: "Originating sources MAY set the IPv4 ID field of atomic datagrams
 * to any value." Our datagrams are all atomic (DF=1, never fragmented), so a simple wrapping counter
 * is enough; it starts at a caller-chosen value (tests pass a constant).
 *
 * <p>Not thread-safe: used under the engine lock.
 */
public final class Ipv4Output {
    private final IpStats stats;
    private final int ttl;
    private int nextId; // engine lock

    /** TTL 64, identification starting at {@code firstId}. */
    public Ipv4Output(IpStats stats, int firstId) {
        this(stats, firstId, Ipv4Header.DEFAULT_TTL);
    }

    /**
     * @param ttl 1..255; RFC 1122 §3.2.1.7: "A host MUST NOT send a datagram with a Time-to-Live (TTL)
     *            value of zero."
     */
    public Ipv4Output(IpStats stats, int firstId, int ttl) {
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("ttl " + ttl);
        }
        this.stats = stats;
        this.nextId = firstId & 0xFFFF;
        this.ttl = ttl;
    }

    public int ttl() {
        return ttl;
    }

    /** Takes the next identification value (16 bits, wrapping). */
    public int nextId() {
        int id = nextId;
        nextId = (nextId + 1) & 0xFFFF;
        return id;
    }

    /**
     * Writes the 20-byte header at {@code off} for a payload of {@code payloadLength} bytes at
     * {@code off + 20}; returns the total packet length. Does not touch position or limit.
     */
    public int finish(ByteBuffer buf, int off, int protocol, int src, int dst, int payloadLength) {
        return finish(buf, off, 0, protocol, src, dst, payloadLength);
    }

    /** As {@link #finish(ByteBuffer, int, int, int, int, int)} with a TOS byte. */
    public int finish(ByteBuffer buf, int off, int tos, int protocol, int src, int dst, int payloadLength) {
        Ipv4Header.emit(buf, off, tos, nextId(), ttl, protocol, src, dst, payloadLength);
        stats.increment(IpStats.Counter.PACKETS_SENT);
        return Ipv4Header.MIN_LENGTH + payloadLength;
    }
}
