package io.usertcp.tcp;

import io.usertcp.wire.DropReason;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
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
 *
 * <p>SYN cookies (RFC 4987 §3.6, {@link SynCookies}, {@link TcpConfig#synCookies()}): with the default
 * {@link SynCookieMode#ON_OVERFLOW}, a SYN that finds the queues holding the backlog is answered with
 * a cookie SYN-ACK and no state instead of being dropped; with {@link SynCookieMode#ALWAYS} every SYN
 * is. A returning ACK (no SYN, no RST) for which no connection exists is checked for a cookie (in
 * ON_OVERFLOW mode only while cookies went out in the last {@link SynCookies#MAX_AGE} periods, as
 * Linux checks only after a recent overflow); a valid one rebuilds the connection, ESTABLISHED, and
 * queues it for {@link #accept()} — unless the accept queue already holds the backlog: then the ACK is
 * dropped without a reset (as Linux), and the peer's retransmission may succeed later. An invalid one
 * is answered with a reset, as any ACK in LISTEN. A SYN is still dropped, cookie or not, while the
 * accept queue alone holds the backlog (Linux: "accept queue full" drops SYNs).
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
    private SynCookies cookies;              // made on first use
    private long cookiesSent, cookiesValidated, cookiesFailed, cookieAcksDropped;
    private long lastCookieSentAt = Long.MIN_VALUE;

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
    /** SYN-ACKs sent with a SYN cookie (no state kept). */
    public long cookiesSent() { return cookiesSent; }
    /** ACKs whose cookie was valid: each became a connection. */
    public long cookiesValidated() { return cookiesValidated; }
    /** ACKs checked for a cookie that did not validate (answered with a reset). */
    public long cookiesFailed() { return cookiesFailed; }
    /** Valid cookie ACKs dropped because the accept queue was full. */
    public long cookieAcksDropped() { return cookieAcksDropped; }
    public SynCookieMode synCookieMode() { return config.synCookies(); }

    /** Uses {@code c} for this listener's cookies (the stack shares one secret across its listeners). */
    public void setSynCookies(SynCookies c) { cookies = c; }

    private SynCookies cookies() {
        if (cookies == null) cookies = new SynCookies(isn);
        return cookies;
    }
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
            if (!seg.syn() && cookieCheckActive(now)) {
                int m = checkCookie(seg, key, now);
                if (m >= 0) {
                    if (acceptQueue.size() >= backlog) {
                        // Linux drops the ACK of a valid cookie while the accept queue is full (no
                        // reset): the peer retransmits, and a later copy may find room.
                        cookieAcksDropped++;
                        events.dropped(null, DropReason.TCP_ACCEPT_QUEUE_FULL, seg);
                        return null;
                    }
                    return fromCookie(seg, key, m, now);
                }
                cookiesFailed++;
            }
            resetsSent++;
            out.reply(key, Resets.ackReset(seg));
            return null;
        }
        // "third, check for a SYN".
        if (seg.syn()) {
            SynCookieMode mode = config.synCookies();
            boolean full = synQueue.size() + acceptQueue.size() >= backlog;
            // A SYN that ends a TIME-WAIT (predecessor) needs an ISN above the old sequence space
            // (C3.11), which a cookie cannot promise: it takes the ordinary path.
            if (predecessor == null && acceptQueue.size() < backlog && (mode == SynCookieMode.ALWAYS
                    || (full && mode == SynCookieMode.ON_OVERFLOW))) {
                sendCookie(seg, key, now, out);
                return null;
            }
            if (full) {
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

    // ------------------------------------------------------------------------------ SYN cookies

    /** True when an ACK in LISTEN is to be checked for a cookie. */
    private boolean cookieCheckActive(long now) {
        return switch (config.synCookies()) {
            case OFF -> false;
            case ALWAYS -> true;
            // Linux checks cookies only after a recent overflow (tcp_synq_no_recent_overflow): it keeps
            // ACKs with guessed numbers from being tried against the MAC when no cookie is out.
            case ON_OVERFLOW -> lastCookieSentAt != Long.MIN_VALUE
                    && now - lastCookieSentAt < SynCookies.MAX_AGE * SynCookies.PERIOD_NANOS;
        };
    }

    /**
     * RFC 4987 §3.6: "the server ... encod[es] the state ... in the ISN of the SYN-ACK" and keeps none. The
     * SYN-ACK carries what an ordinary one would (C1.11), except that window scale and SACK-permitted
     * are offered only beside timestamps, whose TSval carries them back (see {@link SynCookies}).
     */
    private void sendCookie(TcpSegment syn, ConnectionKey key, long now, ReplySink out) {
        SynCookies sc = cookies();
        TcpOptions o = syn.options() == null ? TcpOptions.NONE : syn.options();
        int m = SynCookies.mssIndex(o.mss() > 0 ? o.mss() : TcpConfig.DEFAULT_MSS_IPV4);
        int cookie = sc.cookie(key, syn.seq(), m, now);
        TcpOptions opts = TcpOptions.NONE.withMss(config.mss());
        if (config.timestamps() && o.hasTimestamps()) {
            int peerShift = config.windowScaling() && o.windowScale() >= 0 ? o.windowScale() : -1;
            boolean sack = config.sackPermitted() && o.sackPermitted();
            // RFC 7323 §2.2: a Window Scale option in a <SYN,ACK> only when the SYN had one.
            if (peerShift >= 0) opts = opts.withWindowScale(TcpConnection.windowScaleFor(config));
            if (sack) opts = opts.withSackPermitted(true);
            // RFC 7323 §3.2: a <SYN,ACK> echoes the SYN's TSval in TSecr.
            opts = opts.withTimestamps(SynCookies.cookieTsVal(sc.tsOffset(key),
                    SynCookies.tsOptionBits(peerShift, sack), now), o.tsVal());
        }
        // RFC 7323 §2.2: "The window field in a segment where the SYN bit is set ... MUST NOT be scaled."
        int window = Math.min(config.receiveBufferSize(), TcpConfig.MAX_UNSCALED_WINDOW);
        out.reply(key, new TcpSegment(localPort, key.remotePort(), cookie, syn.seq() + 1,
                TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK, window, 0, opts, Resets.EMPTY));
        cookiesSent++;
        lastCookieSentAt = now;
    }

    /**
     * RFC 4987 §3.6: an ACK that matched no connection is valid when SEG.ACK − 1 is a cookie of ours for
     * its 4-tuple and SEG.SEQ − 1. Returns the MSS index the cookie carries, or −1.
     */
    private int checkCookie(TcpSegment ack, ConnectionKey key, long now) {
        int m = cookies().check(key, ack.seq() - 1, ack.ack() - 1, now);
        TcpOptions o = ack.options() == null ? TcpOptions.NONE : ack.options();
        if (m >= 0 && config.timestamps() && o.hasTimestamps()) {
            // The echoed TSval carries what the SYN offered (SynCookies): we offered no window scale
            // with scaling off, so a shift there is forged (Linux's cookie_timestamp_decode checks it too).
            if (SynCookies.echoedWindowScale(o.tsEcr()) >= 0 && !config.windowScaling()) return -1;
        }
        return m;
    }

    /**
     * Rebuilds the connection a valid cookie ACK stands for and gives it the ACK, so it is ESTABLISHED
     * and queued for accept (the caller enters it in its table and polls it).
     */
    private TcpConnection fromCookie(TcpSegment ack, ConnectionKey key, int m, long now) {
        SynCookies sc = cookies();
        TcpOptions o = ack.options() == null ? TcpOptions.NONE : ack.options();
        TcpOptions synOpts = TcpOptions.NONE.withMss(SynCookies.MSS_TABLE[m]);
        if (config.timestamps() && o.hasTimestamps()) {
            int peerShift = SynCookies.echoedWindowScale(o.tsEcr());
            if (peerShift >= 0) synOpts = synOpts.withWindowScale(peerShift);
            if (SynCookies.echoedSack(o.tsEcr())) synOpts = synOpts.withSackPermitted(true);
            synOpts = synOpts.withTimestamps(o.tsVal(), 0);
        }
        // Without timestamps the SYN's window scale and SACK-permitted are lost (RFC 4987 §3.6, as Linux).
        TcpSegment syn = new TcpSegment(key.remotePort(), localPort, ack.seq() - 1, 0, TcpHeader.FLAG_SYN,
                ack.window(), 0, synOpts, Resets.EMPTY);
        TcpConnection child = new TcpConnection(ids.getAsLong(), config, key, events, isn);
        synQueue.add(child);
        child.acceptCookie(this, syn, ack.ack() - 1, sc.tsOffset(key), now);
        child.onSegment(ack, now);
        if (synQueue.remove(child)) {
            // Not established by its own ACK (cannot happen for a valid cookie): forget it.
            child.detachFromParent();
            cookiesFailed++;
            return null;
        }
        cookiesValidated++;
        return child;
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
