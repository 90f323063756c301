package io.usertcp.stack;

import io.usertcp.ip.IpStats;
import io.usertcp.wire.DropReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one stack. Updated under the engine lock, readable from any thread without it (each
 * counter is atomic; a set of counters read together is not a consistent snapshot). Drops are
 * counted by {@link DropReason}: those of the IP layer in {@link #ip()}, the others here;
 * {@link #dropped(DropReason)} adds both.
 */
public final class StackStats {

    final LongAdder packetsIn = new LongAdder();
    final LongAdder packetsOut = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder loopbackPackets = new LongAdder();
    final LongAdder segmentsIn = new LongAdder();
    final LongAdder segmentsOut = new LongAdder();
    final LongAdder rstSent = new LongAdder();
    final LongAdder rstReceived = new LongAdder();
    final LongAdder retransmits = new LongAdder();      // of connections that have ended
    final LongAdder icmpEchoReplies = new LongAdder();
    final LongAdder icmpErrorsIn = new LongAdder();
    final LongAdder connectionsOpened = new LongAdder();
    final LongAdder connectionsAccepted = new LongAdder();
    final LongAdder internalErrors = new LongAdder();
    final LongAdder linkSendErrors = new LongAdder();
    final LongAdder txQueueFull = new LongAdder();
    final LongAdder linkReceiveErrors = new LongAdder();
    final LongAdder linkFailures = new LongAdder();
    final LongAdder connectionsFailedByLink = new LongAdder();
    final LongAdder connectsRefusedAtLimit = new LongAdder();
    final LongAdder synCookiesSent = new LongAdder();
    final LongAdder synCookiesValidated = new LongAdder();
    final LongAdder synCookiesFailed = new LongAdder();
    private final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);
    private final IpStats ip;

    StackStats(IpStats ip) {
        this.ip = ip;
    }

    /** The IP layer's counters (validation, reassembly, ICMP). */
    public IpStats ip() {
        return ip;
    }

    void drop(DropReason r) {
        drops.incrementAndGet(r.ordinal());
    }

    /** IP packets received from links and the loopback. */
    public long packetsIn() { return packetsIn.sum(); }
    /** IP packets sent to links and the loopback. */
    public long packetsOut() { return packetsOut.sum(); }
    /** Bytes of IP packets received. */
    public long bytesIn() { return bytesIn.sum(); }
    /** Bytes of IP packets sent. */
    public long bytesOut() { return bytesOut.sum(); }
    /** IP packets that went through the loopback. */
    public long loopbackPackets() { return loopbackPackets.sum(); }
    /** TCP segments that passed the codec's checks. */
    public long segmentsIn() { return segmentsIn.sum(); }
    /** TCP segments sent. */
    public long segmentsOut() { return segmentsOut.sum(); }
    /** RST segments sent (by connections and for segments matching no connection). */
    public long rstSent() { return rstSent.sum(); }
    /** Valid RST segments received. */
    public long rstReceived() { return rstReceived.sum(); }
    /** Retransmitted segments of connections that have ended (live ones: {@link Stack#connections()}). */
    public long retransmits() { return retransmits.sum(); }
    /** ICMP echo replies sent. */
    public long icmpEchoReplies() { return icmpEchoReplies.sum(); }
    /** ICMP errors received. */
    public long icmpErrorsIn() { return icmpErrorsIn.sum(); }
    /** Active opens (connect). */
    public long connectionsOpened() { return connectionsOpened.sum(); }
    /** Connections handed out by accept. */
    public long connectionsAccepted() { return connectionsAccepted.sum(); }
    /**
     * Exceptions caught during packet or timer processing. Always 0 in a healthy stack: each one
     * is a bug, logged at WARNING; the packet was dropped and the stack went on.
     */
    public long internalErrors() { return internalErrors.sum(); }
    /** Sends that a link refused with an I/O error. */
    public long linkSendErrors() { return linkSendErrors.sum(); }
    /**
     * Times a link's transmit queue was full when the engine queued a packet: the engine then wrote
     * the queue out itself, under the engine lock (nothing is dropped).
     */
    public long txQueueFull() { return txQueueFull.sum(); }
    /** Receive calls that failed (other than the link being closed); the RX thread retried. */
    public long linkReceiveErrors() { return linkReceiveErrors.sum(); }
    /**
     * Times a link was found down (a send refused with {@code LinkDownException}) or declared dead
     * (device gone, closed under the stack, receive errors without end); each failed every
     * connection over it with "Network is down".
     */
    public long linkFailures() { return linkFailures.sum(); }
    /** Connections failed with "Network is down" because their link failed. */
    public long connectionsFailedByLink() { return connectionsFailedByLink.sum(); }
    /** connect() calls refused because the connection table was at {@link StackLimits#maxConnections()}
     *  (SYNs refused for the same reason are {@code dropped(DropReason.TCP_CONNECTION_LIMIT)}). */
    public long connectsRefusedAtLimit() { return connectsRefusedAtLimit.sum(); }

    /** SYN-ACKs sent with a SYN cookie by any listener (RFC 4987 §3.6; Linux SyncookiesSent). */
    public long synCookiesSent() { return synCookiesSent.sum(); }

    /** ACKs whose SYN cookie was valid: each became a connection (Linux SyncookiesRecv). */
    public long synCookiesValidated() { return synCookiesValidated.sum(); }

    /** ACKs checked for a SYN cookie that did not validate (Linux SyncookiesFailed). */
    public long synCookiesFailed() { return synCookiesFailed.sum(); }

    /** Packets dropped for {@code reason}. */
    public long dropped(DropReason reason) {
        return drops.get(reason.ordinal()) + ip.drops(reason);
    }

    /** Packets dropped for any reason. */
    public long dropped() {
        long n = ip.totalDrops();
        for (int i = 0; i < drops.length(); i++) {
            n += drops.get(i);
        }
        return n;
    }

    /** Every non-zero drop counter. */
    public Map<DropReason, Long> drops() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            long v = dropped(r);
            if (v != 0) {
                m.put(r, v);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return "StackStats[in=" + packetsIn() + " out=" + packetsOut() + " loopback=" + loopbackPackets()
                + " segIn=" + segmentsIn() + " segOut=" + segmentsOut() + " rstSent=" + rstSent()
                + " rstReceived=" + rstReceived() + " retransmits=" + retransmits()
                + " echoReplies=" + icmpEchoReplies() + " icmpErrors=" + icmpErrorsIn()
                + " internalErrors=" + internalErrors() + " synCookies(sent/ok/failed)=" + synCookiesSent()
                + "/" + synCookiesValidated() + "/" + synCookiesFailed() + " drops=" + drops() + "]";
    }
}
