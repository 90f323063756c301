package io.usertcp.tcp;

import io.usertcp.wire.DropReason;
import io.usertcp.wire.TcpSegment;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A LISTEN socket (RFC 9293 §3.10.7.2): answers segments for its port that match no connection,
 * creates children in SYN-RECEIVED from SYNs, and keeps them in a bounded SYN queue until they are
 * ESTABLISHED, then in the accept queue (in order) until {@link #accept()} takes them.
 *
 * <p>Backlog (C1.10): a SYN is dropped — not reset, so the client retries — while the SYN queue and
 * the accept queue together hold {@code backlog} connections (Linux drops SYNs when the accept queue
 * is full). Pure like {@link TcpConnection}: no clock, no I/O, no lock.
 */
public final class TcpListener {
    /** Where a listener's own replies (resets) go; {@code key} is the 4-tuple seen from our side. */
    @FunctionalInterface
    public interface ReplySink {
        void reply(ConnectionKey key, TcpSegment seg);
    }

    private final TcpConfig config;
    private final int localPort;
    private final TcpEventListener events;
    private final IsnGenerator isn;
    private final LongSupplier ids;
    private int backlog;
    private boolean closed;
    private final LinkedHashSet<TcpConnection> synQueue = new LinkedHashSet<>();
    private final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
    private long droppedSyns, resetsSent, ignoredResets;

    public TcpListener(TcpConfig config, int localPort, int backlog, TcpEventListener events, IsnGenerator isn,
                       LongSupplier ids) {
        this.config = config;
        this.localPort = localPort;
        this.backlog = Math.max(1, backlog);
        this.events = events == null ? TcpEventListener.NONE : events;
        this.isn = isn;
        this.ids = ids;
    }

    public int localPort() { return localPort; }
    public TcpConfig config() { return config; }
    public int backlog() { return backlog; }
    public void setBacklog(int backlog) { this.backlog = Math.max(1, backlog); }
    public int synQueueSize() { return synQueue.size(); }
    public int acceptQueueSize() { return acceptQueue.size(); }
    /** SYNs dropped because the queues were full (C1.10). */
    public long droppedSyns() { return droppedSyns; }
    public long resetsSent() { return resetsSent; }
    public boolean isClosed() { return closed; }

    /**
     * A segment for this listener's port that matched no connection. Returns the child created for a
     * SYN (the caller enters it in its connection table and polls it, which sends the SYN-ACK), or null.
     * Resets go to {@code out}.
     */
    public TcpConnection onSegment(TcpSegment seg, ConnectionKey key, long now, ReplySink out) {
        return onSegment(seg, key, now, out, null);
    }

    /**
     * As {@link #onSegment(TcpSegment, ConnectionKey, long, ReplySink)}, for a SYN that reopens the
     * 4-tuple of {@code predecessor}, a TIME-WAIT connection for which
     * {@link TcpConnection#acceptsNewSyn} was true (C3.11): the new ISN is above its sequence space.
     */
    public TcpConnection onSegment(TcpSegment seg, ConnectionKey key, long now, ReplySink out,
                                   TcpConnection predecessor) {
        if (closed) {
            TcpSegment rst = Resets.forUnknown(seg);
            if (rst != null) out.reply(key, rst);
            return null;
        }
        // RFC 9293 §3.10.7.2: "first, check for a RST: An incoming RST segment could not be valid since it
        // could not have been sent in response to anything sent by this incarnation of the connection. An
        // incoming RST should be ignored." (C1.12)
        if (seg.rst()) {
            ignoredResets++;
            events.dropped(null, DropReason.TCP_IGNORED_IN_STATE, seg);
            return null;
        }
        // "second, check for an ACK: Any acknowledgment is bad if it arrives on a connection still in the
        // LISTEN state. An acceptable reset segment should be formed for any arriving ACK-bearing segment.
        // The RST should be formatted as follows: <SEQ=SEG.ACK><CTL=RST>" (C1.12, also a SYN-ACK).
        if (seg.hasAck()) {
            resetsSent++;
            out.reply(key, Resets.ackReset(seg));
            return null;
        }
        // "third, check for a SYN".
        if (seg.syn()) {
            if (synQueue.size() + acceptQueue.size() >= backlog) {
                // C1.10: beyond the backlog, drop (the client retransmits its SYN), do not reset.
                droppedSyns++;
                events.dropped(null, acceptQueue.size() >= backlog ? DropReason.TCP_ACCEPT_QUEUE_FULL
                        : DropReason.TCP_SYN_QUEUE_FULL, seg);
                return null;
            }
            TcpConnection child = new TcpConnection(ids.getAsLong(), config, key, events, isn);
            synQueue.add(child);
            child.acceptSyn(this, seg, now, predecessor == null ? null : predecessor.reopenIsnFloor());
            return child;
        }
        // "fourth, other data or control: ... drop the segment and return."
        events.dropped(null, DropReason.TCP_IGNORED_IN_STATE, seg);
        return null;
    }

    /** The next ESTABLISHED child, in the order they completed the handshake, or null. */
    public TcpConnection accept() {
        TcpConnection c = acceptQueue.poll();
        if (c != null) c.detachFromParent();
        return c;
    }

    /** Peeks whether {@link #accept()} would return a connection. */
    public boolean hasPending() {
        return !acceptQueue.isEmpty();
    }

    void childEstablished(TcpConnection c) {
        if (synQueue.remove(c)) acceptQueue.add(c);
    }

    void childClosed(TcpConnection c) {
        // C1.13: a child reset in SYN-RECEIVED goes away; the listener stays in LISTEN. A child that
        // closes in the accept queue stays there (accept returns it, as Linux does).
        if (synQueue.remove(c)) c.detachFromParent();
    }

    /**
     * Closes the listener: every child not yet accepted is aborted (RST). Returns those children so the
     * caller can poll them (to send the resets) and remove them from its table.
     */
    public List<TcpConnection> close(long now) {
        closed = true;
        List<TcpConnection> all = new ArrayList<>(synQueue);
        all.addAll(acceptQueue);
        synQueue.clear();
        acceptQueue.clear();
        for (TcpConnection c : all) {
            c.detachFromParent();
            c.abort(now);
        }
        return all;
    }
}
