package io.usertcp.tcp;

import io.usertcp.wire.DropReason;
import io.usertcp.wire.Seq;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * One TCP connection: the RFC 9293 state machine, pure.
 *
 * <p><b>Heads up.</b> Read these before changing this class:
 * <ul>
 *   <li>RFC 9293 (TCP): §3.3.2 states, §3.4 sequence numbers, §3.5 establishment (figures 6–8),
 *       §3.6 closing, §3.7 segmentation (MSS, Nagle), §3.8 timers, windows, SWS avoidance, delayed
 *       ACK, §3.10 event processing (the segment-arrival steps this class follows line by line);</li>
 *   <li>RFC 5681 (congestion control), RFC 6582 (NewReno), RFC 3042 (limited transmit), RFC 2018 and
 *       RFC 6675 (SACK and SACK-based loss recovery), RFC 8985 (RACK-TLP), RFC 6937 (PRR);</li>
 *   <li>RFC 6298 (retransmission timer), RFC 6528 (initial sequence numbers);</li>
 *   <li>RFC 5961 (blind in-window attacks: challenge ACKs), RFC 1337 (TIME-WAIT assassination);</li>
 *   <li>RFC 7323 (window scale, timestamps and PAWS: see {@link TimestampState}), RFC 1122 §4.2 (host
 *       requirements: keepalive, ICMP errors), RFC 1191 (path MTU), RFC 2525 (reset on close with
 *       unread data).</li>
 * </ul>
 *
 * <p><b>Model.</b> The connection never reads a clock, never does I/O and takes no lock: the caller
 * (the stack, under its engine lock) passes {@code now} (nanoseconds) to every call, asks
 * {@link #nextDeadline()}, calls {@link #onTimer(long)} when due and {@link #poll(long, SegmentSink)}
 * to collect what is to be sent. Every state change goes through {@link #setState}.
 *
 * <p><b>Sequence space.</b> Internally both directions are counted as 64-bit positions relative to
 * the initial sequence number (ISS for ours, IRS for the peer's): position 0 is the SYN, data byte
 * {@code d} (0-based stream offset) is position {@code d + 1}, the FIN follows the last byte. 32-bit
 * sequence numbers exist only at the wire boundary ({@link #sndSeq}, {@link #rcvSeq}) and are
 * converted back through {@link Seq} differences, so wrapping (C2.16) needs no special case.
 * {@code sndNxt} is where the next new segment starts; {@code sndMax} is the RFC's SND.NXT, the
 * highest position ever sent. {@code sndNxt} goes back to {@code sndUna} only when what is in flight
 * is forgotten (the peer's window closed, the path MTU shrank) or for the SYN; ACK checks keep using
 * {@code sndMax}.
 *
 * <p><b>Loss recovery</b> (RFC 6675, RFC 8985, RFC 6937, RFC 6582; section "loss recovery" below).
 * Every data segment sent is an entry of the {@link SackScoreboard} (send position range, last
 * transmission time, flags SACKED / LOST / RETRANS), kept in primitive arrays and bounded. SACK blocks
 * mark entries; loss is detected by RACK (RFC 8985 §6, time-based, the default with SACK), by RFC 6675
 * IsLost() (DupThresh, when RACK is off) or, for peers without SACK, by three duplicate ACKs and
 * NewReno partial ACKs (RFC 6582); the RTO marks everything lost. Whatever is marked lost is sent again
 * by NextSeg() rule 1 while {@code cwnd − pipe} allows ({@code pipe} = RFC 6675 SetPipe(), counters in
 * the scoreboard); new data is rule 2; rules 3 and 4 (the rescue retransmission) follow. During fast
 * recovery {@link Prr} sets cwnd per ACK (RFC 6937 PRR-SSRB), so recovery never bursts; the
 * {@link CongestionControl} only chooses ssthresh and grows the window outside recovery. Tail losses
 * are probed (TLP, RFC 8985 §7) before the RTO. States: OPEN, RECOVERY (fast recovery until the
 * cumulative ACK reaches {@code recover} = RecoveryPoint), LOSS (after an RTO, until the same).
 *
 * <p><b>Deviations</b> (each also noted where it happens): RST,ACK with SEQ=SND.NXT for our own resets
 * and a reset on data after close() (as Linux); a FIN is never delayed by Nagle and may go at the
 * right edge of a zero window (Linux); a retransmitted SYN in SYN-RECEIVED gets the SYN-ACK again and
 * the peer's SYN,ACK completes a simultaneous open (Linux); FIN-WAIT-2 ends silently after
 * {@code finWait2Timeout} once the application has closed (Linux tcp_fin_timeout).
 */
public final class TcpConnection {
    private static final long NEVER = Long.MAX_VALUE;
    private static final ByteBuffer EMPTY = Resets.EMPTY;

    // ---------------------------------------------------------------- identity and configuration
    private final long id;
    private final ConnectionKey key;
    private final TcpEventListener events;
    private final IsnGenerator isnGenerator;
    private final TcpConfig config;
    private TcpListener parent;              // set for a passive open until accepted or closed
    private boolean passive;

    // ---------------------------------------------------------------- state
    private TcpState state = TcpState.CLOSED;
    private ConnectionError error = ConnectionError.NONE;
    private ConnectionError softError = ConnectionError.NONE; // RFC 1122 §4.2.3.9 soft errors

    // ---------------------------------------------------------------- send sequence space (positions)
    private int iss;
    private long sndUna;          // oldest unacknowledged position
    private long sndNxt;          // next position to (re)transmit
    private long sndMax;          // highest position sent + 1 (RFC SND.NXT)
    private int sndWnd;           // peer's window in bytes (RFC SND.WND)
    private int maxSndWnd;        // largest window the peer has offered (SWS, RFC 5961 §5)
    private int sndWl1;           // RFC SND.WL1 (peer sequence number)
    private long sndWl2;          // RFC SND.WL2 (our position)
    private int sndWscale;        // RFC 7323 shift applied to the peer's window field (0 until negotiated)
    private long sndUp = -1;      // position after the urgent byte we sent, -1 none
    private final ByteRing sndBuf;
    private int sndBufSize;       // send buffer size (SO_SNDBUF); grows by send autotuning unless locked
    private boolean sndBufLocked; // SO_SNDBUF set by the application: no autotuning (Linux SOCK_SNDBUF_LOCK)
    private long sndWritten;      // data bytes the application has written
    private boolean finQueued;    // the application has shut down output: FIN follows the data
    private int sndMss;           // effective send MSS (C1.5)
    private int peerMss = TcpConfig.DEFAULT_MSS_IPV4;
    private int pathMtuMss = Integer.MAX_VALUE; // RFC 1191 limit from ICMP fragmentation-needed
    private byte[] txScratch = new byte[0];
    // Transient holders for a sink that accepts them (SegmentSink.acceptsTransient): no allocation per
    // segment sent. Made on first use.
    private TcpSegment txSeg;
    private TcpOptions txOpts;
    private ByteBuffer txScratchView; // over txScratch
    private int[] txSackBlocks;

    // ---------------------------------------------------------------- receive sequence space (positions)
    private int irs;
    private long rcvNxt;          // next position expected (RFC RCV.NXT)
    private long rcvAdvEdge;      // right edge we advertised (never moves left: SHLD-14)
    private int rcvWscale;        // shift applied to our window field (0 until negotiated)
    private int rcvWscaleOffer = -1; // RFC 7323 shift we offer in our SYN (-1: not offered)
    private TimestampState ts;    // RFC 7323 timestamps; enabled() once both SYNs carried TSopt
    private boolean segHasTs;     // TSopt of the segment being processed (for RTT, RFC 7323 §4)
    private boolean sackOk;       // RFC 2018: both SYNs carried SACK-permitted
    private final SackReporter sack = new SackReporter();
    private final long[] sackScratch = new long[2 * TcpOptions.MAX_SACK_BLOCKS];
    // Sender-side loss recovery (see "Loss recovery" above): one scoreboard entry per segment in flight.
    private final SackScoreboard scoreboard = new SackScoreboard(16384); // RFC 6675 §3, RFC 8985 §5.2
    private final Rack rack = new Rack();     // RFC 8985 RACK-TLP state
    private final Prr prr = new Prr();        // RFC 6937 state
    private int recoveryState;                // OPEN, RECOVERY (fast recovery) or LOSS (after an RTO)
    private long highRxt;                     // RFC 6675 HighRxt (exclusive end position)
    private long rescueRxt = -1;              // RFC 6675 RescueRxt (-1: undefined)
    private long renoSacked;                  // no SACK: bytes the duplicate ACKs say were delivered (RFC 6937 §3)
    private int tlpAllowance;                 // bytes a tail loss probe may send beyond cwnd
    private boolean tlpSendPending;           // the PTO fired: send a probe at the next poll
    private long recoveryRetransmits, rackMarked, tlpProbes, tlpRepairs, dsacksReceived, reneges,
            recoveryEpisodes, spuriousTlps;
    private int segTsEcr;
    private final ByteRing rcvBuf;
    private int rcvBufSize;       // receive buffer size: the window's basis; grows by autotuning unless locked
    private boolean rcvBufLocked; // SO_RCVBUF set by the application: no autotuning (Linux SOCK_RCVBUF_LOCK)
    private ReceiveBufferTuner rcvTuner; // created at the first in-order data: idle connections stay small
    private long rcvRead;         // data offset the application reads next
    private long rcvDataEnd;      // data offset after the last in-order byte received
    private final OutOfOrderRanges ooo;
    private long rcvFinPos = -1;  // position of the peer's FIN once seen (maybe out of order)
    private boolean finReceived;
    private long urgentSkip = -1; // data offset of a received urgent byte to drop (SO_OOBINLINE off)
    private int rcvMssSeen;       // largest segment seen: "full-sized" for delayed ACK (RFC 5681 §4.2)

    // ---------------------------------------------------------------- application side
    private boolean appClosed;     // close() called: no reads any more
    private boolean inputShutdown; // shutdownInput(): received data is acked and dropped
    private boolean noDelay;
    private int tsoMaxBytes;      // largest super-segment payload the link cuts for us; 0 = no TSO
    private boolean oobInline;
    private boolean keepAliveOn;
    private long keepAliveIdle, keepAliveInterval;
    private int keepAliveCount;
    private long userTimeout;
    private final long delayedAckNanos, mslNanos, finWait2Nanos, challengeInterval;

    // ---------------------------------------------------------------- reliability and congestion
    private final RttEstimator rtt;
    private CongestionControl cc;   // replaced by setCongestionControl
    private long rttTimingEnd = -1;  // position that, once acked, completes the RTT sample
    private long rttTimingAt;
    private int retries;             // consecutive timeouts of the same data
    private boolean synRetransmitted;
    private int dupAcks;
    private long recover;            // RFC 6582 "recover" = RFC 6675 RecoveryPoint (exclusive end position)
    private boolean partialAckSeen;
    private long lastSendAt = Long.MIN_VALUE;
    private long lastDataSentAt = Long.MIN_VALUE; // RFC 5681 §4.1 idle measure: data, not pure ACKs
    private int persistBackoff;
    private boolean peerWindowZero;    // the last zeroWindow event said "entered"
    private int probesOut;           // unanswered zero-window probes
    private int keepAliveProbes;     // unanswered keepalive probes

    // ---------------------------------------------------------------- timers (deadlines, NEVER when off)
    private long rtoAt = NEVER, persistAt = NEVER, delayedAckAt = NEVER, keepAliveAt = NEVER,
            timeWaitAt = NEVER, finWait2At = NEVER, userTimeoutAt = NEVER;
    // Pacing (TcpConfig.pacing): the next new segment may leave at pacingNextAt; sendData stopped for it
    // when pacingAt != NEVER (a deadline like the others).
    private boolean pacing;
    private long pacingNextAt = Long.MIN_VALUE, pacingAt = NEVER;
    private long rackAt = NEVER;     // RFC 8985 §6.3 reordering timer
    private long ptoAt = NEVER;      // RFC 8985 §7.2 probe timeout

    // ---------------------------------------------------------------- output requests
    private boolean ackNow;
    private long bytesSinceAck;
    private boolean probeNow;          // zero-window probe
    private boolean forceSend;         // persist expired with a small window: ignore SWS once
    private boolean keepAliveNow;
    private long lastChallengeAt = Long.MIN_VALUE;
    private final ArrayDeque<TcpSegment> controlQueue = new ArrayDeque<>(2);

    // ---------------------------------------------------------------- counters
    private long segmentsIn, segmentsOut, retransmittedSegments, bytesAcked, bytesReceived;
    private long trimmedBytes, droppedSegments, challengeAcks, suppressedAcks, oooDropped;
    private long timeouts, fastRetransmits;
    private final long[] drops = new long[DropReason.values().length];

    public TcpConnection(long id, TcpConfig config, ConnectionKey key, TcpEventListener events, IsnGenerator isn) {
        this.id = id;
        this.config = config;
        this.key = key;
        this.events = events == null ? TcpEventListener.NONE : events;
        this.isnGenerator = isn;
        this.sndBufSize = config.sendBufferSize();
        this.sndBuf = new ByteRing(sndBufSize);
        this.rcvBufSize = config.receiveBufferSize();
        this.rcvBuf = new ByteRing(rcvBufSize);
        this.ooo = new OutOfOrderRanges(config.maxReassemblyRanges());
        this.noDelay = config.noDelay();
        this.oobInline = config.oobInline();
        this.keepAliveOn = config.keepAlive();
        this.keepAliveIdle = config.keepAliveIdle().toNanos();
        this.keepAliveInterval = config.keepAliveInterval().toNanos();
        this.keepAliveCount = config.keepAliveCount();
        this.userTimeout = config.userTimeout().toNanos();
        this.delayedAckNanos = config.delayedAck().toNanos();
        this.mslNanos = config.msl().toNanos();
        this.finWait2Nanos = config.finWait2Timeout().toNanos();
        this.challengeInterval = config.challengeAckInterval().toNanos();
        this.rtt = new RttEstimator(config.rtoInitial().toNanos(), config.rtoMin().toNanos(), config.rtoMax().toNanos());
        this.sndMss = Math.min(TcpConfig.DEFAULT_MSS_IPV4, config.mss());
        this.cc = CongestionControl.create(config.congestionControl(), sndMss, config.initialWindowSegments());
        this.rcvMssSeen = Math.min(TcpConfig.DEFAULT_MSS_IPV4, config.mss());
        this.pacing = config.pacing();
        cc.setPaced(pacing);
    }

    // =================================================================================== accessors

    public long id() { return id; }
    public ConnectionKey key() { return key; }
    public TcpConfig config() { return config; }
    public TcpState state() { return state; }
    /** Why the connection died; NONE while alive or after a normal close. */
    public ConnectionError error() { return error; }
    /** The last soft error (ICMP unreachable in a synchronized state, RFC 1122 §4.2.3.9), or NONE. */
    public ConnectionError softError() { return softError; }
    /** True for a connection created by a {@link TcpListener}. */
    public boolean isPassive() { return passive; }
    /** The listener that created this connection, until the connection is accepted or closes. */
    TcpListener parent() { return parent; }
    void detachFromParent() { parent = null; }
    public int sendMss() { return sndMss; }

    public long segmentsIn() { return segmentsIn; }
    public long segmentsOut() { return segmentsOut; }
    public long retransmittedSegments() { return retransmittedSegments; }
    /** Retransmission timeouts (RFC 6298) over the connection's life. */
    public long timeouts() { return timeouts; }
    /** Fast retransmits (third duplicate ACK, RFC 5681 §3.2). */
    public long fastRetransmits() { return fastRetransmits; }
    /** Bytes of received data cut off beyond the right window edge (C2.13). */
    public long trimmedBytes() { return trimmedBytes; }
    public long droppedSegments() { return droppedSegments; }
    public long challengeAcks() { return challengeAcks; }
    /** Segments (or parts) dropped for {@code reason} by this connection. */
    public long drops(DropReason reason) { return drops[reason.ordinal()]; }
    /** Challenge or out-of-window ACKs not sent because of the rate limit (RFC 5961 §7, C4.8). */
    public long suppressedAcks() { return suppressedAcks; }
    /** Out-of-order segments not kept because the reassembly table was full (C7.3). */
    public long outOfOrderDropped() { return oooDropped; }
    /** Bytes held out of order beyond RCV.NXT. */
    public long outOfOrderBytes() { return ooo.bytes(); }
    /** Bytes of memory the two buffers currently hold allocated. */
    public long bufferMemory() { return (long) sndBuf.allocated() + rcvBuf.allocated(); }
    public CongestionControl congestionControl() { return cc; }

    /**
     * Switches the congestion control algorithm ({@code "cubic"} or {@code "reno"}), at any time, as
     * Linux's TCP_CONGESTION allows: the new algorithm starts from the current cwnd and ssthresh (as
     * Linux's tcp_reinit_congestion_control keeps snd_cwnd and snd_ssthresh). Same name: no change.
     * @throws IllegalArgumentException for an unknown name
     */
    public void setCongestionControl(String name) {
        String n = CongestionControl.canonicalName(name);
        if (n.equals(cc.name())) return;
        CongestionControl next = CongestionControl.create(n, sndMss, config.initialWindowSegments());
        if (state != TcpState.CLOSED || sndMax > 0) next.inherit(cc.cwnd(), cc.ssthresh());
        next.setPaced(pacing);
        cc = next;
    }

    /** Pacing on or off for this connection ({@link TcpConfig#pacing()} is the default). */
    public void setPacing(boolean on) {
        pacing = on;
        cc.setPaced(on);
        if (!on) pacingAt = NEVER;
    }

    public boolean pacing() { return pacing; }

    /** Bytes the application can read now. */
    public int readable() {
        long n = rcvDataEnd - rcvRead;
        if (urgentSkip >= rcvRead && urgentSkip < rcvDataEnd) n--;
        return (int) n;
    }

    /** True once the peer's FIN has been received (reads return -1 after the data). */
    public boolean finReceived() { return finReceived; }

    /** Bytes the application can write now without being refused. */
    public int writableSpace() {
        if (!canWrite()) return 0;
        return (int) Math.max(0, sndBufSize - (sndWritten - sndBuf.head()));
    }

    /** Bytes written and not yet acknowledged. */
    public int sendQueue() {
        return (int) (sndWritten - sndBuf.head());
    }

    /** Everything written, and the FIN if queued, has been acknowledged. */
    public boolean allAcknowledged() {
        return unsentData() == 0 && sndUna >= sndMax && sndUna > sndWritten && (!finQueued || finAcked());
    }

    /** RCV.NXT as a wire sequence number; cheap (the stack asks for it on every data segment). */
    public int rcvNxt() {
        return rcvSeq(rcvNxt);
    }

    public TcpInfo info() {
        return new TcpInfo(state, error, sndSeq(sndUna), sndSeq(sndMax), rcvSeq(rcvNxt), sndWnd,
                (int) Math.max(0, rcvAdvEdge - rcvNxt), sndMss, cc.cwnd(), cc.ssthresh(),
                rtt.srtt(), rtt.rttvar(), rtt.rto(), retransmittedSegments, bytesAcked, bytesReceived,
                sendQueue(), readable(), cc.name());
    }

    @Override
    public String toString() {
        return "TcpConnection#" + id + "[" + key + " " + state + "]";
    }

    // =================================================================================== options

    public void setNoDelay(boolean on) { noDelay = on; }

    /**
     * TCP segmentation offload: the link below cuts segments of up to {@code maxPayloadBytes}
     * payload into MSS-sized ones (the stack sends them as super-segments with the MSS minus the
     * options as the cut size), so the send loop may emit that much at once; 0 turns it off.
     * Windows, cwnd and Nagle still count MSS-sized segments.
     */
    public void setSegmentationOffload(int maxPayloadBytes) { tsoMaxBytes = Math.max(0, maxPayloadBytes); }
    public boolean noDelay() { return noDelay; }
    public void setOobInline(boolean on) { oobInline = on; }
    public boolean oobInline() { return oobInline; }

    /** SO_KEEPALIVE; the idle timer counts from the last segment received. */
    public void setKeepAlive(boolean on, long now) {
        keepAliveOn = on;
        keepAliveProbes = 0;
        keepAliveAt = on && keepAliveState() ? now + keepAliveIdle : NEVER;
    }

    public boolean keepAlive() { return keepAliveOn; }

    /** Per-connection keepalive parameters (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT). */
    public void setKeepAliveParams(long idleNanos, long intervalNanos, int count, long now) {
        keepAliveIdle = idleNanos;
        keepAliveInterval = intervalNanos;
        keepAliveCount = count;
        if (keepAliveOn && keepAliveState()) keepAliveAt = now + keepAliveIdle;
    }

    /** TCP_USER_TIMEOUT (RFC 9293 §3.8.4); 0 turns it off. */
    public void setUserTimeout(long nanos) {
        userTimeout = nanos;
        if (nanos <= 0) userTimeoutAt = NEVER;
    }

    /**
     * SO_RCVBUF set by the application: the size is fixed from now on and autotuning stops (as Linux's
     * SOCK_RCVBUF_LOCK). Growing works at any time; shrinking never takes back window already advertised
     * (RFC 9293 §3.8.6 SHLD-14: the right edge stays, the window closes as data arrives).
     */
    public void setReceiveBufferSize(int bytes) {
        rcvBufLocked = true;
        rcvTuner = null;
        rcvBufSize = Math.max(1, bytes);
        fitReceiveRing();
    }

    /** The receive buffer size now: the initial size, grown by autotuning, or what SO_RCVBUF set. */
    public int receiveBufferSize() { return rcvBufSize; }
    /** True once SO_RCVBUF was set (receive autotuning off). */
    public boolean receiveBufferLocked() { return rcvBufLocked; }

    /**
     * SO_SNDBUF set by the application: the size is fixed and send autotuning stops (Linux
     * SOCK_SNDBUF_LOCK). A size below what is queued takes effect as the queue drains.
     */
    public void setSendBufferSize(int bytes) {
        sndBufLocked = true;
        sndBufSize = Math.max(1, bytes);
        sndBuf.setMaxCapacity(Math.max(sndBufSize, sendQueue()));
    }

    /** The send buffer size now: the initial size, grown by autotuning, or what SO_SNDBUF set. */
    public int sendBufferSize() { return sndBufSize; }
    /** True once SO_SNDBUF was set (send autotuning off). */
    public boolean sendBufferLocked() { return sndBufLocked; }
    /** Times receive autotuning grew the buffer (0 before the first data). */
    public long receiveBufferGrowths() { return rcvTuner == null ? 0 : rcvTuner.grows(); }
    /** The receiver's RTT estimate used by autotuning, nanoseconds (0: none yet). */
    public long receiverRttNanos() { return rcvTuner == null ? 0 : rcvTuner.rttNanos(); }

    /** The receive ring must hold everything up to the right edge we advertised. */
    private void fitReceiveRing() {
        long need = Math.max(rcvBufSize, rcvAdvEdge - 1 - rcvRead);
        rcvBuf.setMaxCapacity((int) Math.min(Integer.MAX_VALUE, need));
    }

    // =================================================================================== sequence helpers

    private int sndSeq(long pos) { return iss + (int) pos; }
    private int rcvSeq(long pos) { return irs + (int) pos; }
    /** Our position for a sequence number the peer acknowledges. */
    private long sndPos(int seq) { return sndUna + Seq.diff(seq, sndSeq(sndUna)); }
    /** The peer's position for a sequence number it sends. */
    private long rcvPos(int seq) { return rcvNxt + Seq.diff(seq, rcvSeq(rcvNxt)); }

    private long finPos() { return sndWritten + 1; }
    private boolean finSent() { return finQueued && sndMax > finPos(); }
    private boolean finAcked() { return finQueued && sndUna > finPos(); }
    private long unsentData() { return Math.max(0, sndWritten - Math.max(0, sndNxt - 1)); }
    private int rcvWindowNow() { return (int) Math.max(0, rcvAdvEdge - rcvNxt); }
    private int maxRcvWindow() { return Math.min(rcvBufSize, TcpConfig.MAX_UNSCALED_WINDOW << rcvWscale); }

    // =================================================================================== state

    /** The one place where the state changes (STYLE.md §5); publishes every transition. */
    private void setState(TcpState next, TcpSegment cause) {
        TcpState old = state;
        if (old == next) return;
        state = next;
        if (next == TcpState.CLOSED) {
            clearTimers();
            controlQueueKeepResets();
        }
        if (next == TcpState.TIME_WAIT) {
            rtoAt = persistAt = keepAliveAt = finWait2At = userTimeoutAt = delayedAckAt = NEVER;
            rackAt = ptoAt = NEVER;
        }
        events.stateChanged(this, old, next, cause);
        TcpListener p = parent;
        if (p != null) {
            if (next == TcpState.ESTABLISHED) {
                p.childEstablished(this);
            } else if (next == TcpState.CLOSED) {
                p.childClosed(this);
            }
        }
    }

    private void controlQueueKeepResets() {
        controlQueue.removeIf(s -> !s.rst());
    }

    private void clearTimers() {
        rtoAt = persistAt = delayedAckAt = keepAliveAt = timeWaitAt = finWait2At = userTimeoutAt = NEVER;
        rackAt = ptoAt = NEVER;
        ackNow = tlpSendPending = probeNow = forceSend = keepAliveNow = false;
    }

    /** The connection dies: CLOSED with {@code why}, optionally sending a reset first. */
    private void die(ConnectionError why, boolean sendReset, TcpSegment cause) {
        if (sendReset) queueOwnReset();
        if (error == ConnectionError.NONE) error = why;
        ooo.clear();
        sack.clear();
        scoreboard.reset(sndUna);
        setState(TcpState.CLOSED, cause);
    }

    /** RFC 9293 §3.10.4 ABORT: "<SEQ=SND.NXT><CTL=RST>" (with ACK, as Linux sends it). */
    private void queueOwnReset() {
        if (!(state.isSynchronized() || state == TcpState.SYN_RECEIVED)) return;
        controlQueue.add(new TcpSegment(key.localPort(), key.remotePort(), sndSeq(sndMax), rcvSeq(rcvNxt),
                TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK, 0, 0, TcpOptions.NONE, EMPTY));
    }

    // =================================================================================== opening

    /** Active OPEN (RFC 9293 §3.10.1): CLOSED → SYN-SENT; the SYN goes out at the next poll. */
    public void connect(long now) {
        if (state != TcpState.CLOSED || sndMax != 0) throw new IllegalStateException("connect in " + state);
        iss = isnGenerator.isn(key, now);
        sndUna = sndNxt = sndMax = 0;
        recover = 0;
        setState(TcpState.SYN_SENT, null);
    }

    /**
     * Passive open, called by {@link TcpListener} with a SYN that arrived in LISTEN (RFC 9293
     * §3.10.7.2): LISTEN → SYN-RECEIVED; the SYN-ACK goes out at the next poll.
     */
    void acceptSyn(TcpListener listener, TcpSegment syn, long now, Integer isnFloor) {
        int isn = isnGenerator.isn(key, now);
        if (isnFloor != null && Seq.lt(isn, isnFloor)) isn = isnFloor;
        passiveOpen(listener, syn, isn, now);
    }

    /**
     * Passive open from a SYN cookie (RFC 4987 §3.6, see {@link SynCookies}), called by
     * {@link TcpListener} with the SYN rebuilt from a validated cookie ACK: {@code iss} is the cookie
     * our stateless SYN-ACK carried and {@code tsOffset} the TSval clock offset it used. The connection
     * is left in SYN-RECEIVED as if it had sent that SYN-ACK; the listener then gives it the ACK.
     */
    void acceptCookie(TcpListener listener, TcpSegment syn, int iss, int tsOffset, long now) {
        ts = new TimestampState(tsOffset);
        passiveOpen(listener, syn, iss, now);
        sndNxt = sndMax = 1;     // the SYN-ACK went out, statelessly
        rttTimingEnd = -1;
        if (ts.enabled()) ts.ackSent(rcvNxt);
    }

    private void passiveOpen(TcpListener listener, TcpSegment syn, int isn, long now) {
        parent = listener;
        passive = true;
        setState(TcpState.LISTEN, null);
        // RFC 9293 §3.10.7.2: "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ, and any other control
        // or text should be queued for processing later. ISS should be selected and a SYN segment sent".
        irs = syn.seq();
        rcvNxt = 1;
        rcvDataEnd = 0;
        iss = isn;
        sndUna = sndNxt = sndMax = 0;
        learnSynOptions(syn, now);
        // RFC 9293 §3.10.7.2 / RFC 7323 §2.2: the window field of a SYN is never scaled.
        updateWindow(syn, syn.window(), 0, now);
        // What the SYN-ACK will promise: RFC 7323 §2.2, its window field is never scaled.
        rcvAdvEdge = rcvNxt + Math.min(maxRcvWindow(), TcpConfig.MAX_UNSCALED_WINDOW);
        lastRecv(now);
        setState(TcpState.SYN_RECEIVED, syn);
    }

    private void learnSynOptions(TcpSegment syn, long now) {
        TcpOptions o = syn.options();
        // RFC 9293 §3.7.1 (MUST-15): "If an MSS Option is not received at connection setup, TCP
        // implementations MUST assume a default send MSS of 536".
        peerMss = o != null && o.mss() > 0 ? o.mss() : TcpConfig.DEFAULT_MSS_IPV4;
        recomputeMss();
        if (o == null) o = TcpOptions.NONE;
        // RFC 7323 §2.2: "Window Scale option ... MAY be sent in an initial <SYN> segment ... [and] in a
        // <SYN,ACK> segment only if a Window Scale option was received in the initial <SYN>"; §2.3: the
        // shifts take effect only when both SYNs carried the option (C1.11, C2.11).
        if (passive) {
            rcvWscaleOffer = config.windowScaling() && o.windowScale() >= 0 ? windowScaleFor(Math.max(rcvBufSize, config.maxReceiveBufferSize())) : -1;
        }
        if (rcvWscaleOffer >= 0 && o.windowScale() >= 0) {
            sndWscale = o.windowScale(); // RFC 7323 §2.3: values above 14 were clamped by the parser
            rcvWscale = rcvWscaleOffer;
        } else {
            sndWscale = rcvWscale = 0;
            rcvWscaleOffer = -1;
        }
        // RFC 7323 §3.2: "A TCP MAY send the TSopt in an initial <SYN> segment ... [and] MAY send a TSopt
        // in other segments only if it received a TSopt in the initial <SYN> or <SYN,ACK> segment".
        timestamps().negotiate(config.timestamps() && o.hasTimestamps());
        sackOk = config.sackPermitted() && o.sackPermitted();
        if (ts.enabled()) ts.recordSyn(o.tsVal(), now);
    }

    private TimestampState timestamps() {
        if (ts == null) {
            // RFC 7323 §7.1: a secret offset for TSval, per address pair so that successive
            // connections to one host keep TSval growing (RFC 6191; see IsnGenerator.tsOffset).
            ts = new TimestampState(isnGenerator != null && key != null
                    ? isnGenerator.tsOffset(key.localIp(), key.remoteIp())
                    : iss * 0x9E3779B9 ^ (int) id);
        }
        return ts;
    }

    /** Active open: what our SYN offers. */
    private void offerSynOptions() {
        rcvWscaleOffer = config.windowScaling() ? windowScaleFor(Math.max(rcvBufSize, config.maxReceiveBufferSize())) : -1;
    }

    /**
     * Our shift count: the smallest that lets the 16-bit field cover the receive buffer and its
     * autotuning cap, and at least enough for {@link #SCALE_FOR_BYTES} so that SO_RCVBUF can grow later
     * (Linux offers 7 by default).
     * RFC 7323 §2.3: "the maximum scale exponent is limited to 14".
     */
    static int windowScaleFor(TcpConfig c) {
        return windowScaleFor(Math.max(c.receiveBufferSize(), c.maxReceiveBufferSize()));
    }

    static int windowScaleFor(int rcvBuf) {
        long want = Math.max(rcvBuf, SCALE_FOR_BYTES);
        int s = 0;
        while (s < TcpOptions.MAX_WINDOW_SCALE && ((long) TcpConfig.MAX_UNSCALED_WINDOW << s) < want) s++;
        return s;
    }

    /** Window scaling is sized for at least this much receive buffer (Linux's tcp_rmem max, 6 MiB). */
    static final int SCALE_FOR_BYTES = 6 << 20;

    /** RFC 7323 shift applied to the window field the peer sends (0 when not negotiated). */
    public int sendWindowScale() { return sndWscale; }
    /** RFC 7323 shift applied to the window field we send (0 when not negotiated). */
    public int receiveWindowScale() { return rcvWscale; }
    /** True when RFC 7323 timestamps were negotiated (both SYNs carried TSopt). */
    public boolean timestampsEnabled() { return ts != null && ts.enabled(); }
    /** Segments dropped by PAWS (RFC 7323 §5). */
    public long pawsDrops() { return ts == null ? 0 : ts.pawsDrops(); }

    private void recomputeMss() {
        // C1.5: "the smaller of the two MSS values bounds every data segment".
        int m = Math.min(Math.min(peerMss, config.mss()), pathMtuMss);
        m = Math.max(m, 64);
        if (m != sndMss) {
            sndMss = m;
            cc.setMss(m);
        }
    }

    // =================================================================================== segment arrival

    /** A segment for this connection's 4-tuple arrived (RFC 9293 §3.10.7). */
    public void onSegment(TcpSegment seg, long now) {
        segmentsIn++;
        TcpOptions o = seg.options();
        segHasTs = o != null && o.hasTimestamps();
        segTsEcr = segHasTs ? o.tsEcr() : 0;
        switch (state) {
            case CLOSED -> {
                // RFC 9293 §3.10.7.1 (the stack normally answers these itself).
                TcpSegment rst = Resets.forUnknown(seg);
                if (rst != null) controlQueue.add(rst);
            }
            case LISTEN -> drop(DropReason.TCP_IGNORED_IN_STATE, seg); // children leave LISTEN at once; the listener handles LISTEN
            case SYN_SENT -> onSegmentSynSent(seg, now);
            default -> onSegmentOtherStates(seg, now);
        }
    }

    /** RFC 9293 §3.10.7.3: SYN-SENT. */
    private void onSegmentSynSent(TcpSegment seg, long now) {
        boolean ackOk = false;
        long ackPos = 0;
        if (seg.hasAck()) {
            ackPos = Seq.diff(seg.ack(), iss);
            // RFC 9293 §3.10.7.3: "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the RST
            // bit is set, if so drop the segment and return) <SEQ=SEG.ACK><CTL=RST>" (C1.9).
            if (ackPos <= 0 || ackPos > sndMax) {
                if (!seg.rst()) controlQueue.add(Resets.ackReset(seg));
                drop(DropReason.TCP_BAD_ACK, seg);
                return;
            }
            ackOk = true;
        }
        if (seg.rst()) {
            // RFC 9293 §3.10.7.3: "If the ACK was acceptable, then signal to the user "error:
            // connection reset", drop the segment, enter CLOSED state ... Otherwise (no ACK), drop the
            // segment and return" (C1.14).
            if (ackOk) die(ConnectionError.REFUSED, false, seg);
            else drop(DropReason.TCP_RST_INVALID, seg);
            return;
        }
        if (!seg.syn()) {
            // RFC 9293 §3.10.7.3: "If neither of the SYN or RST bits is set, then drop the segment".
            drop(DropReason.TCP_IGNORED_IN_STATE, seg);
            return;
        }
        // RFC 9293 §3.10.7.3: "RCV.NXT is set to SEG.SEQ+1, IRS is set to SEG.SEQ".
        irs = seg.seq();
        rcvNxt = 1;
        rcvDataEnd = 0;
        learnSynOptions(seg, now);
        // What our SYN promised (RFC 7323 §2.2: never scaled); the ACK we send next offers the buffer.
        rcvAdvEdge = rcvNxt + Math.min(maxRcvWindow(), TcpConfig.MAX_UNSCALED_WINDOW);
        lastRecv(now);
        if (ackOk) {
            // "SND.UNA should be advanced to equal SEG.ACK (if there is an ACK), and any segments on the
            // retransmission queue that are thereby acknowledged should be removed."
            newlyAcked(ackPos, now);
            updateWindow(seg, seg.window(), ackPos, now);
            // "If SND.UNA > ISS (our SYN has been ACKed), change the connection state to ESTABLISHED,
            // form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it."
            establish(seg, now);
            ackNow = true;
            // "If there are other controls or text in the segment, then continue processing at the sixth
            // step below where the URG bit is checked".
            processText(seg, seg.seq() + 1, now);
        } else {
            // Simultaneous open (C1.8, figure 7): "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment
            // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and send it."
            updateWindow(seg, seg.window(), 0, now);
            sndNxt = 0; // the SYN is sent again, now with ACK
            rttTimingEnd = -1;
            setState(TcpState.SYN_RECEIVED, seg);
        }
    }

    private void establish(TcpSegment cause, long now) {
        if (synRetransmitted && !rtt.hasSample()) {
            // RFC 6298 §5.7: "If the timer expires awaiting the ACK of a SYN segment ... the RTO MUST be
            // re-initialized to 3 seconds when data transmission begins" (if it is below 3 s).
            rtt.reinitialize(Math.max(rtt.rtoInitial(), 3_000_000_000L));
        }
        rtt.resetBackoff();
        retries = 0;
        if (finQueued) {
            // shutdownOutput() before the handshake completed: the FIN follows the data (C1.15).
            setState(TcpState.ESTABLISHED, cause);
            setState(TcpState.FIN_WAIT_1, cause);
        } else {
            setState(TcpState.ESTABLISHED, cause);
        }
        if (keepAliveOn) keepAliveAt = now + keepAliveIdle;
    }

    /** RFC 9293 §3.10.7.4: SYN-RECEIVED and the synchronized states. */
    private void onSegmentOtherStates(TcpSegment seg, long now) {
        int seq = seg.seq();
        boolean syn = seg.syn();
        // Simultaneous open: in SYN-RECEIVED the peer's SYN,ACK (its SYN again, now acking ours) ends
        // the handshake. The RFC's acceptability test would reject it (SEG.SEQ = RCV.NXT - 1); Linux
        // accepts it the same way (tcp_validate_incoming).
        if (state == TcpState.SYN_RECEIVED && syn && seg.hasAck() && seq == irs && !passive
                && sndPos(seg.ack()) == sndMax) {
            syn = false;
            seq = irs + 1;
        } else if (state == TcpState.SYN_RECEIVED && syn && !seg.hasAck() && seq == irs) {
            // A retransmitted SYN: our SYN-ACK was lost; send it again (as Linux does).
            sndNxt = 0;
            rttTimingEnd = -1;
            return;
        }

        // ---- first: check sequence number (RFC 9293 §3.10.7.4, four cases) ----
        int segLen = seg.payloadLength() + (syn ? 1 : 0) + (seg.fin() ? 1 : 0);
        long segPos = rcvPos(seq);
        if (ts != null && ts.pawsRejects(segHasTs, segHasTs ? seg.options().tsVal() : 0, seg.rst(), now)) {
            // RFC 7323 §5.3 R1: "SEG.TSval < TS.Recent ... treat the arriving segment as not acceptable:
            // Send an acknowledgment in reply as specified in Section 3.10.7.4 of RFC 9293 and drop the
            // segment" (C2.11). gVisor has no PAWS; Linux does (tcp_paws_discard).
            drop(DropReason.TCP_PAWS, seg);
            rateLimitedAck(syn ? 0 : segLen, now);
            return;
        }
        int wnd = rcvWindowNow();
        boolean acceptable;
        if (segLen == 0) {
            acceptable = wnd == 0 ? segPos == rcvNxt : segPos >= rcvNxt && segPos < rcvNxt + wnd;
        } else {
            acceptable = wnd != 0 && ((segPos >= rcvNxt && segPos < rcvNxt + wnd)
                    || (segPos + segLen - 1 >= rcvNxt && segPos + segLen - 1 < rcvNxt + wnd));
        }
        // RFC 9293 §3.10.7.4: "If the RCV.WND is zero, no segments will be acceptable, but special
        // allowance should be made to accept valid ACKs, URGs, and RSTs" (the text is trimmed below; a
        // FIN is still taken, C2.15).
        if (!acceptable && wnd == 0 && segPos == rcvNxt) acceptable = true;

        if (!acceptable) {
            drop(segPos >= rcvNxt + wnd ? DropReason.TCP_BEYOND_WINDOW : DropReason.TCP_UNACCEPTABLE, seg);
            if (segPos >= rcvNxt) trimmedBytes += seg.payloadLength(); // wholly beyond the right edge (C2.13)
            if (sackOk && segPos < rcvNxt && seg.payloadLength() > 0) {
                // RFC 2883 §4: an old duplicate (a spurious retransmission) is reported in a D-SACK block.
                long d0 = segPos - 1 + (syn ? 1 : 0);
                sack.onDuplicate(d0, Math.min(d0 + seg.payloadLength(), rcvNxt - 1));
            }
            if (seg.rst()) return; // RFC 9293 §3.10.7.4: "(unless the RST bit is set ...)"
            if (state == TcpState.TIME_WAIT && seg.fin() && segPos + segLen == rcvNxt) {
                // RFC 9293 §3.10.7.4 eighth: "TIME-WAIT STATE: Remain in the TIME-WAIT state. Restart the 2
                // MSL time-wait timeout." — a retransmission of the peer's FIN (C3.6).
                timeWaitAt = now + 2 * mslNanos;
                ackNow = true;
                return;
            }
            // RFC 9293 §3.10.7.4: "If an incoming segment is not acceptable, an acknowledgment should be
            // sent in reply ... <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>" (duplicates and keepalive probes, C5.4).
            // RFC 5961 §4.2: "If the SYN bit is set, irrespective of the sequence number, TCP MUST send
            // an ACK (also referred to as challenge ACK)" — rate limited like every challenge ACK (C4.8).
            rateLimitedAck(syn ? 0 : segLen, now);
            return;
        }
        lastRecv(now);
        if (ts != null) ts.maybeUpdateRecent(segHasTs, segHasTs ? seg.options().tsVal() : 0, segPos, now);

        // ---- second: check the RST bit (RFC 5961 §3.2) ----
        if (seg.rst()) {
            // RFC 1337: "ignore RST segments in TIME-WAIT state" (C3.11).
            if (state == TcpState.TIME_WAIT) {
                drop(DropReason.TCP_IGNORED_IN_STATE, seg);
                return;
            }
            if (segPos != rcvNxt) {
                // RFC 5961 §3.2: "If the RST bit is set and the sequence number does not exactly match the
                // next expected sequence value, yet is within the current receive window, TCP MUST send an
                // acknowledgment (challenge ACK)" (C4.3).
                drop(DropReason.TCP_RST_INVALID, seg);
                challengeAck(now);
                return;
            }
            onValidReset(seg);
            return;
        }

        // ---- fourth: check the SYN bit ----
        if (syn) {
            if (state == TcpState.SYN_RECEIVED && passive) {
                // RFC 9293 §3.10.7.4: "SYN-RECEIVED STATE: If the connection was initiated with a passive
                // OPEN, then return this connection to the LISTEN state and return."
                die(ConnectionError.NONE, false, seg);
                return;
            }
            // RFC 5961 §4.2: "the receiver MUST send an ACK (challenge ACK) to the remote peer" for any
            // SYN in a synchronized state (C4.4); RFC 9293 §3.10.7.4 fourth step.
            drop(DropReason.TCP_SYN_IN_WINDOW, seg);
            challengeAck(now);
            return;
        }

        // ---- fifth: check the ACK field ----
        // RFC 9293 §3.10.7.4: "if the ACK bit is off, drop the segment and return" (C2.20).
        if (!seg.hasAck()) {
            drop(DropReason.TCP_NO_ACK_FLAG, seg);
            return;
        }
        long ackPos = sndPos(seg.ack());
        if (state == TcpState.SYN_RECEIVED) {
            // RFC 9293 §3.10.7.4: "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state ...
            // If the segment acknowledgment is not acceptable, form a reset segment <SEQ=SEG.ACK><CTL=RST>
            // and send it" (C1.4).
            if (ackPos <= sndUna || ackPos > sndMax) {
                drop(DropReason.TCP_BAD_ACK, seg);
                controlQueue.add(Resets.ackReset(seg));
                return;
            }
            newlyAcked(ackPos, now);
            updateWindow(seg, seg.window() << sndWscale, ackPos, now);
            establish(seg, now);
        } else {
            if (ackPos > sndMax) {
                // RFC 9293 §3.10.7.4: "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send
                // an ACK, drop the segment, and return" (C2.20).
                drop(DropReason.TCP_BAD_ACK, seg);
                challengeAck(now);
                return;
            }
            // RFC 5961 §5.2: "All incoming segments whose ACK value doesn't satisfy the above condition
            // [(SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT] MUST be discarded and an ACK sent back" (C4.5).
            if (ackPos < sndUna - Math.max(maxSndWnd, 1)) {
                drop(DropReason.TCP_BAD_ACK, seg);
                challengeAck(now);
                return;
            }
            if (!processAck(seg, ackPos, now)) return;
        }
        switch (state) {
            case FIN_WAIT_1 -> {
                // RFC 9293 §3.10.7.4: "if the FIN segment is now acknowledged, then enter FIN-WAIT-2".
                if (finAcked()) enterFinWait2(seg, now);
            }
            case CLOSING -> {
                // "if the ACK acknowledges our FIN, then enter the TIME-WAIT state; otherwise, ignore the segment."
                if (finAcked()) enterTimeWait(seg, now);
                else return;
            }
            case LAST_ACK -> {
                // "The only thing that can arrive in this state is an acknowledgment of our FIN. If our FIN
                // is now acknowledged, delete the TCB, enter the CLOSED state, and return."
                if (finAcked()) setState(TcpState.CLOSED, seg);
                return;
            }
            default -> { }
        }
        if (state == TcpState.CLOSED) return;
        processText(seg, seq, now);
    }

    /** A reset that passed RFC 5961 (exact sequence number): RFC 9293 §3.10.7.4 second step (C4.2, C1.13). */
    private void onValidReset(TcpSegment seg) {
        switch (state) {
            case SYN_RECEIVED -> {
                // "If this connection was initiated with a passive OPEN (i.e., came from the LISTEN state),
                // then return this connection to LISTEN state and return." (C1.13: the listener drops the
                // child.) "If this connection was initiated with an active OPEN ... connection refused".
                die(passive ? ConnectionError.NONE : ConnectionError.REFUSED, false, seg);
            }
            // "ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT: ... all segment queues should be flushed.
            // Users should also receive an unsolicited general "connection reset" signal. Enter the CLOSED
            // state". "CLOSING, LAST-ACK, TIME-WAIT: enter the CLOSED state".
            default -> die(ConnectionError.RESET, false, seg);
        }
    }

    /**
     * The ACK field of an acceptable segment in a synchronized state (RFC 9293 §3.10.7.4 fifth step).
     * Returns false when the segment is to be dropped.
     */
    private boolean processAck(TcpSegment seg, long ackPos, long now) {
        boolean ackAdvanced = ackPos > sndUna;
        int window = seg.window() << sndWscale;
        onAckForRecovery(seg, ackPos, window, now);
        // RFC 9293 §3.10.7.4: "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated. If
        // (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)), set SND.WND <- SEG.WND, set
        // SND.WL1 <- SEG.SEQ, and set SND.WL2 <- SEG.ACK."
        // Deviation, as Linux's tcp_may_update_window: an ACK that advances SND.UNA always updates the
        // window too. By the letter of the RFC, an earlier out-of-order segment far ahead leaves
        // SND.WL1 beyond this segment's SEQ, so a later in-order ACK shrinking the window to 0 would be
        // ignored and we would send past the peer's window (found by StackFuzzTest).
        if (ackPos >= sndUna && (ackAdvanced || Seq.lt(sndWl1, seg.seq())
                || (sndWl1 == seg.seq() && sndWl2 <= ackPos))) {
            updateWindow(seg, window, ackPos, now);
        }
        // Any acknowledgment answers our zero-window probes (RFC 1122 §4.2.2.17: the connection stays
        // open as long as the receiver keeps acknowledging them).
        probesOut = 0;
        if (sndWnd == 0 && sndMax > sndUna && ackPos == sndUna) {
            // The peer is alive but its window is closed: stop retransmitting into it and probe instead
            // (RFC 9293 §3.8.6.1); what was sent beyond the window is sent again when it opens.
            rtoAt = NEVER;
            retries = 0;
            forgetInFlight();
            armPersistIfStalled(now);
        }
        return true;
    }

    private void updateWindow(TcpSegment seg, int window, long ackPos, long now) {
        boolean wasZero = sndWnd == 0;
        sndWnd = window;
        if ((window == 0) != peerWindowZero && (peerWindowZero || state.isSynchronized())) {
            peerWindowZero = window == 0;
            events.zeroWindow(this, peerWindowZero, now);
        }
        sndWl1 = seg.seq();
        sndWl2 = ackPos;
        if (window > maxSndWnd) maxSndWnd = window;
        if (window > 0 && (wasZero || persistAt != NEVER)) {
            // The window opened: stop probing (RFC 9293 §3.8.6.1).
            persistAt = NEVER;
            persistBackoff = 0;
        }
    }

    /** SND.UNA advances to {@code ackPos}: free the acknowledged bytes, update the RTT and the timers. */
    private void newlyAcked(long ackPos, long now) {
        if (ackPos <= sndUna) return;
        cc.onAckedUpTo(ackPos, sndMax, now); // round counting by sequence numbers (RFC 9406 §4.2)
        long tsRtt = ts == null ? -1 : ts.rttSample(true, segHasTs, segTsEcr, now);
        if (tsRtt >= 0) {
            // RFC 7323 §4.1: with timestamps every ACK of new data gives a sample, retransmissions
            // included (the echo names the transmission it answers, so Karn's rule is not needed).
            rtt.sample(tsRtt);
            cc.onRttSample(tsRtt, now);
            rttTimingEnd = -1;
        } else if (rttTimingEnd >= 0 && ackPos >= rttTimingEnd) {
            // RTT sample (RFC 6298 §3, Karn: rttTimingEnd is cleared whenever we retransmit).
            rtt.sample(now - rttTimingAt);
            cc.onRttSample(now - rttTimingAt, now);
            rttTimingEnd = -1;
        }
        long oldDataAcked = Math.max(0, Math.min(sndUna - 1, sndWritten));
        sndUna = ackPos;
        scoreboard.ackedTo(sndUna, sackOk ? rack : null);
        if (sndNxt < sndUna) sndNxt = sndUna;
        long dataAcked = Math.max(0, Math.min(sndUna - 1, sndWritten));
        bytesAcked += dataAcked - oldDataAcked;
        sndBuf.advanceHead(dataAcked);
        if (sndUp >= 0 && sndUna >= sndUp) sndUp = -1;
        retries = 0;
        rtt.resetBackoff();
        // RFC 6298 §5.2: "When all outstanding data has been acknowledged, turn off the retransmission
        // timer." §5.3: "When an ACK is received that acknowledges new data, restart the retransmission
        // timer so that it will expire after RTO seconds".
        if (sndUna >= sndMax) {
            rtoAt = NEVER;
            userTimeoutAt = NEVER;
        } else {
            rtoAt = now + rtt.rto();
            if (userTimeout > 0) userTimeoutAt = now + userTimeout;
        }
    }

    // =================================================================================== loss recovery
    //
    // RFC 6675 (SACK scoreboard, pipe, NextSeg), RFC 8985 (RACK-TLP), RFC 6937 (PRR), RFC 6582 (NewReno
    // for peers without SACK). recoveryState: OPEN, RECOVERY (fast recovery: PRR owns cwnd) or LOSS
    // (after an RTO: what is marked lost goes out again in slow start).

    static final int OPEN = 0, RECOVERY = 1, LOSS = 2;
    /** RFC 6675 §2 / RFC 5681 §3.2: "DupThresh ... 3". */
    static final int DUP_THRESH = Rack.DUP_THRESH;

    /**
     * The loss-recovery part of the ACK field's processing: SACK blocks into the scoreboard, the
     * cumulative ACK, duplicate ACKs, loss detection (RACK or DupThresh), entering and leaving
     * recovery and the window during it (PRR), tail loss probes.
     */
    private void onAckForRecovery(TcpSegment seg, long ackPos, int window, long now) {
        long oldUna = sndUna;
        boolean ackAdvanced = ackPos > sndUna;
        long flightBefore = sndMax - sndUna;
        long sackedBefore = scoreboard.sackedBytes();
        long renoBefore = renoSacked;
        boolean dsack = false;
        long newlySacked = 0;
        if (sackOk) {
            rack.beginAck(now, ts, segHasTs, segTsEcr);
            TcpOptions o = seg.options();
            int nb = o == null ? 0 : o.sackBlockCount();
            if (nb > 0) {
                int[] b = o.sackBlocks();
                long l0 = sndPos(b[0]), r0 = sndPos(b[1]);
                // RFC 2883 §4: "If the first SACK block is ... covered by the cumulative acknowledgement
                // ... or ... contained in the second SACK block, it is a D-SACK block."
                dsack = r0 > l0 && (r0 <= ackPos
                        || (nb > 1 && sndPos(b[2]) <= l0 && r0 <= sndPos(b[3])));
                if (dsack) onDsack(l0, r0);
                for (int i = dsack ? 2 : 0; i + 1 < 2 * nb; i += 2) {
                    long l = sndPos(b[i]), r = sndPos(b[i + 1]);
                    // RFC 2018 §4 / RFC 5961: a block outside what was sent is bogus and ignored.
                    if (r <= l || r > sndMax || l < sndUna - Math.max(maxSndWnd, 1)) continue;
                    newlySacked += scoreboard.sack(l, r, rack);
                }
            }
        }
        if (ackAdvanced) newlyAcked(ackPos, now);
        boolean sacked = sackOk && newlySacked > 0;
        if (ackAdvanced) {
            dupAcks = 0;
        } else if (ackPos == sndUna && sndMax > sndUna && (sackOk ? sacked : isPureDuplicate(seg, window))) {
            // RFC 6675 §2: with SACK a duplicate ACK is one whose SACK information "identifies previously
            // unacknowledged and un-SACKed octets"; without SACK, RFC 5681 §2's five conditions (C2.18).
            dupAcks++;
            if (!sackOk) {
                // RFC 6937 §3: without SACK "DeliveredData" is one SMSS per duplicate ACK (bounded by what
                // is in flight, as Linux's tcp_limit_reno_sacked); it also makes room for RFC 3042.
                renoSacked = Math.min(renoSacked + sndMss, Math.max(0, sndMax - sndUna - 1));
            }
        }
        if (!sackOk && ackAdvanced) renoSacked = Math.max(0, renoSacked - (sndUna - oldUna));
        if (sackOk && scoreboard.headSacked()) {
            // RFC 2018 §8: "the data receiver is permitted to discard data in its queue that has not
            // been acknowledged to the data sender, even if the data has already been reported in a SACK
            // option" — an ACK ending at SACKed data says it did: forget every SACK (Linux
            // tcp_check_sack_reneging); the data was never freed, the RTO will resend it.
            scoreboard.clearSacked();
            reneges++;
        }
        // RFC 6937 §3: "DeliveredData = change_in(snd.una) + change_in(SACKd)"; without SACK the
        // duplicate ACKs stand for SACKs (a partial ACK delivers what it covers minus what they counted).
        long delivered = (sndUna - oldUna) + (scoreboard.sackedBytes() - sackedBefore) + (renoSacked - renoBefore);
        if (sndMax <= sndUna) {
            rackAt = ptoAt = NEVER;
        }
        if (sackOk) {
            rack.updateReoWnd(dsack, sndUna, sndMax);
            processTlpAck(ackPos, dsack, now);
        }

        // ---- loss detection
        if (state.isSynchronized() && sndMax > sndUna) {
            if (sackOk && config.rack()) {
                rackDetectLoss(now);
            } else if (sackOk) {
                // RFC 6675 §5 step (2): "If DupAcks >= DupThresh, go to step (4)" / "If DupAcks < DupThresh
                // but IsLost (HighACK + 1) returns true ... go to step (4)"; IsLost() marks every segment
                // with DupThresh segments (or more than (DupThresh − 1)·SMSS bytes) SACKed above it.
                scoreboard.markLostByDupThresh(DUP_THRESH, sndMss);
                // (4.3): "Retransmit the first data segment presumed dropped -- the segment starting with
                // sequence number HighACK + 1".
                if (recoveryState == OPEN && dupAcks >= DUP_THRESH && sndUna >= recover) scoreboard.markHeadLost();
            } else if (recoveryState == OPEN && dupAcks == DUP_THRESH && sndUna >= recover) {
                // RFC 6582 §3.2 step 2: "If the Cumulative Acknowledgment field covers more than recover"
                // (the careful variant: not within an older window) then fast retransmit (RFC 5681 §3.2).
                scoreboard.markHeadLost();
            } else if (recoveryState == RECOVERY && ackAdvanced && sndUna < recover) {
                // RFC 6582 §3.2 step 3, partial acknowledgment: "retransmit the first unacknowledged segment"
                // and "reset the retransmit timer" — the latter on the first partial ACK only (the
                // "Impatient" variant of §4.2 of RFC 6582... here: Slow-but-Steady is not used).
                scoreboard.markHeadLost();
            }
        }

        // ---- the window
        boolean exited = false;
        if (recoveryState == RECOVERY && sndUna >= recover) {
            exitRecovery(now);
            exited = true;
        } else if (recoveryState == LOSS && sndUna >= recover) {
            // RFC 6675 §5.1: "a new recovery phase ... MUST NOT be initiated until HighACK is greater
            // than or equal to the new value of RecoveryPoint" — now it may.
            recoveryState = OPEN;
            rack.onRecoveryExit();
        }
        if (recoveryState == OPEN && scoreboard.lostBytes() > 0 && state.isSynchronized() && sndUna >= recover) {
            enterRecovery(now);
        }
        if (recoveryState == RECOVERY) {
            long pipe = pipe();
            long sndcnt = prr.onAck(delivered, pipe, cc.ssthresh(), maxPayload(), true);
            // RFC 6937 §3: the sender may send sndcnt bytes on this ACK: "cwnd = pipe + sndcnt".
            cc.setCwnd((int) Math.min(Integer.MAX_VALUE / 2, pipe + sndcnt));
        } else if (ackAdvanced && !exited) {
            long acked = sndUna - oldUna;
            cc.onAck((int) Math.min(Integer.MAX_VALUE, acked), (int) Math.min(Integer.MAX_VALUE, flightBefore), now);
        }
        if (ackAdvanced && recoveryState == OPEN) armPto(now);
    }

    /** RFC 5681 §2's duplicate ACK (C2.18), used without SACK. */
    private boolean isPureDuplicate(TcpSegment seg, int window) {
        // "(a) the receiver of the ACK has outstanding data, (b) the incoming acknowledgment carries no
        // data, (c) the SYN and FIN bits are both off, (d) the acknowledgment number is equal to the
        // greatest acknowledgment received ... and (e) the advertised window in the incoming
        // acknowledgment equals the advertised window in the last incoming acknowledgment".
        return seg.payloadLength() == 0 && !seg.syn() && !seg.fin() && window == sndWnd && window != 0;
    }

    /** RFC 6675 §4 SetPipe(): bytes in flight; without SACK the duplicate ACKs count as SACKs. */
    long pipe() {
        return Math.max(0, scoreboard.pipe() - renoSacked);
    }

    /** cwnd − pipe: what the congestion window lets out now (RFC 6675 §5 (C), RFC 6937). */
    private long cwndRoom() {
        return cc.cwnd() - pipe();
    }

    /**
     * RFC 6675 §5 step (4) / RFC 8985 §6: loss was detected; enter fast recovery.
     */
    private void enterRecovery(long now) {
        recoveryState = RECOVERY;
        recoveryEpisodes++;
        fastRetransmits++;
        // (4.1): "RecoveryPoint = HighData. When the TCP sender receives a cumulative ACK for this data
        // octet, the loss recovery phase is terminated." RFC 6582 §3.2 step 2: "recover".
        recover = sndMax;
        highRxt = sndUna;
        rescueRxt = -1;
        long flight = sndMax - sndUna;
        // (4.2) ssthresh: the congestion control's multiplicative decrease (RFC 5681 §3.2 eq. 4 or CUBIC).
        cc.onCongestionEvent(decreaseBase(flight), now);
        // RFC 6937 §3: "RecoverFS = snd.nxt - snd.una".
        prr.start(flight);
        rttTimingEnd = -1;
        ptoAt = NEVER;
    }

    /**
     * The FlightSize a loss episode's multiplicative decrease starts from: what is outstanding, but never
     * more than cwnd. RFC 5681 §3.2 step 2: "When [RFC3042] is in use, additional data sent in limited
     * transmit MUST NOT be included in this calculation". RFC 6675 §5: before recovery only "Limited
     * Transmit [RFC3042]" may send beyond
     * cwnd, so the RFC's FlightSize at detection is about cwnd; this sender (as Linux) clocks new data out
     * on SACKs by pipe before it enters recovery (during the RACK reordering window and the DupThresh
     * ACKs), which leaves SND.MAX − SND.UNA 1.3–1.4 × cwnd when the loss is detected and would make the
     * decrease β·1.35 instead of β. RFC 9438 §4.6: "ssthresh = flight_size * β_cubic" with "Some
     * implementations of CUBIC currently use cwnd instead of flight_size" — the smaller of the two keeps
     * both the decrease of the window in use and the app-limited protection of FlightSize (Linux
     * tcp_cubic/tcp_reno use cwnd).
     */
    private int decreaseBase(long flight) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, Math.min(flight, cc.cwnd())));
    }

    /** RFC 6675 §5: the cumulative ACK covers RecoveryPoint; RFC 6937 §3 "cwnd = ssthresh". */
    private void exitRecovery(long now) {
        recoveryState = OPEN;
        cc.onRecoveryEnd(now);
        rack.onRecoveryExit();
    }

    /** Leaves recovery without a window decision (the peer's window closed, the flight is forgotten). */
    private void forgetInFlight() {
        if (recoveryState == RECOVERY) cc.onRecoveryEnd(0);
        recoveryState = OPEN;
        sndNxt = sndUna;
        dupAcks = 0;
        renoSacked = 0;
        scoreboard.reset(sndUna);
        rackAt = ptoAt = NEVER;
        tlpSendPending = false;
    }

    /** RFC 8985 §6.2 step 5 and §6.3: RACK marks segments lost and (re)arms the reordering timer. */
    private void rackDetectLoss(long now) {
        long reoWnd = rack.reoWnd(recoveryState != OPEN, scoreboard.sackedSegments(), rtt.srtt());
        long timeout = rack.detectLoss(scoreboard, now, reoWnd);
        rackMarked += rack.lastMarked;
        // RFC 8985 §6.2: "If (timeout != 0) Arm the RACK timer to call RACK_detect_loss_and_arm_timer()
        // after timeout".
        rackAt = timeout > 0 ? now + timeout : NEVER;
    }

    /** RFC 8985 §6.3: the reordering timer expired. */
    private void onRackTimeout(long now) {
        rackAt = NEVER;
        if (!state.isSynchronized() || sndMax <= sndUna || !sackOk) return;
        rackDetectLoss(now);
        if (recoveryState == OPEN && scoreboard.lostBytes() > 0 && sndUna >= recover) {
            enterRecovery(now);
            long pipe = pipe();
            long sndcnt = prr.onAck(0, pipe, cc.ssthresh(), maxPayload(), true);
            cc.setCwnd((int) Math.min(Integer.MAX_VALUE / 2, pipe + sndcnt));
        }
    }

    /** A D-SACK block (RFC 2883) for [l, r): the peer received something twice. */
    private void onDsack(long l, long r) {
        dsacksReceived++;
    }

    /**
     * RFC 8985 §7.4.2 TLP_process_ack(): "If TLP.end_seq is not None AND ACK.seq >= TLP.end_seq: If not
     * TLP.is_retrans: TLP.end_seq = None ... Else if ACK has a DSACK option matching TLP.end_seq:
     * TLP.end_seq = None ... Else If ACK.seq > TLP.end_seq: TLP.end_seq = None; (Invoke congestion control
     * to respond to the loss)".
     */
    private void processTlpAck(long ackPos, boolean dsack, long now) {
        if (rack.tlpEndSeq < 0 || ackPos < rack.tlpEndSeq) return;
        if (!rack.tlpIsRetrans) {
            rack.tlpEndSeq = -1;
        } else if (dsack) {
            // The probe was a duplicate: the original was not lost, no congestion response.
            rack.tlpEndSeq = -1;
            spuriousTlps++;
        } else if (ackPos > rack.tlpEndSeq || sndMax <= sndUna) {
            rack.tlpEndSeq = -1;
            if (recoveryState == OPEN) {
                // The probe repaired a loss: a congestion event that enters and ends recovery at once.
                tlpRepairs++;
                cc.onCongestionEvent(decreaseBase(sndMax - sndUna + 1), now);
                cc.onRecoveryEnd(now);
            }
        }
    }

    /**
     * RFC 8985 §7.2: "The sender SHOULD start or restart a loss probe PTO timer after transmitting new
     * data ... or upon receiving an ACK that cumulatively acknowledges new data unless it is already in
     * fast recovery, RTO recovery, or the sender has segments delivered out of order".
     */
    private void armPto(long now) {
        if (!config.tlp() || !config.rack() || !sackOk || !state.isSynchronized()) return;
        if (recoveryState != OPEN || sndMax <= sndUna || rack.tlpEndSeq >= 0 || scoreboard.hasSacked()
                || sndWnd == 0) {
            ptoAt = NEVER;
            return;
        }
        long pto = Rack.pto(rtt.srtt(), rtt.hasSample(), sndMax - sndUna <= maxPayload());
        long at = now + pto;
        // The probe replaces the RTO, never delays it (Linux tcp_schedule_loss_probe).
        if (rtoAt != NEVER && at > rtoAt) at = rtoAt;
        ptoAt = at;
    }

    /** RFC 8985 §7.3: the PTO expired — a probe goes out at the next poll. */
    private void onProbeTimeout(long now) {
        ptoAt = NEVER;
        if (!state.isSynchronized() || sndMax <= sndUna || recoveryState != OPEN || rack.tlpEndSeq >= 0) return;
        tlpSendPending = true;
    }

    /**
     * RFC 8985 §7.3 TLP_send_probe(): "If a previously unsent segment exists AND the receive window
     * allows new data to be sent: Send that segment ... Else: Retransmit the last segment"; then "the
     * sender MUST arm the RTO timer".
     */
    private boolean sendProbe(long now, SegmentSink out) {
        tlpSendPending = false;
        long before = sndMax;
        tlpAllowance = maxPayload();
        boolean sent = sendData(now, out);
        tlpAllowance = 0;
        boolean retrans = false;
        if (sndMax == before) {
            int k = scoreboard.highestUnsacked();
            if (k < 0) return sent;
            long e = scoreboard.endAt(k);
            long s = Math.max(scoreboard.startAt(k), e - maxPayload());
            sendRange(s, e, now, out);
            retrans = true;
            sent = true;
        }
        if (sndMax > sndUna) {
            tlpProbes++;
            // RFC 8985 §7.3: "If TLP.end_seq is None: TLP.end_seq = SND.NXT; TLP.is_retrans = ...".
            rack.tlpEndSeq = sndMax;
            rack.tlpIsRetrans = retrans;
            rtoAt = now + rtt.rto();
        }
        return sent;
    }

    /** Sends [s, e) of what was sent before (a retransmission), FIN included when e passes it. */
    private long sendRange(long s, long e, long now, SegmentSink out) {
        long dataEnd = Math.min(e, sndWritten + 1);
        int len = (int) Math.max(0, Math.min(dataEnd - s, maxPayload()));
        boolean fin = finQueued && s + len == finPos() && e > finPos();
        if (len == 0 && !fin) return s;
        sendSegmentAt(s, len, fin, now, out);
        return s + len + (fin ? 1 : 0);
    }

    /**
     * RFC 6675 §5 step (C) with NextSeg() rule 1: while cwnd − pipe allows, retransmit the lowest
     * segment marked lost (by RACK, IsLost(), NewReno or the RTO) and not retransmitted since.
     * "(1) If there exists a smallest unSACKed sequence number 'S2' that meets the following three
     * criteria for determining loss, the sequence range of one segment of up to SMSS octets starting
     * with S2 MUST be returned."
     */
    private boolean sendLost(long now, SegmentSink out) {
        if (scoreboard.lostBytes() == 0) return false;
        boolean sent = false;
        for (int guard = 0; guard < 4096; guard++) {
            int k = scoreboard.firstLostToSend();
            if (k < 0) break;
            long s = scoreboard.startAt(k), e = scoreboard.endAt(k);
            long wndEdge = sndUna + sndWnd;
            // Only what the peer's window holds, except the segment at SND.UNA (RFC 6298 §5.4).
            if (s > sndUna && s >= wndEdge) break;
            if (s > sndUna) e = Math.min(e, wndEdge);
            long len = Math.min(e - s, maxPayload());
            // RFC 6675 §5 (C): "If cwnd - pipe >= 1 SMSS" (here: room for this segment).
            if (cwndRoom() < len) break;
            long end = sendRange(s, e, now, out);
            if (end <= s) break;
            recoveryRetransmits++;
            sent = true;
            // (C.2): "If any of the data octets sent in (C.1) are below HighData, HighRxt MUST be set to
            // the highest sequence number of the retransmitted segment".
            if (end > highRxt) highRxt = end;
            // (4.3): "set both HighRxt and RescueRxt to the highest sequence number in the retransmitted
            // segment" for the fast retransmit itself.
            if (recoveryState == RECOVERY && rescueRxt < 0) rescueRxt = end;
        }
        return sent;
    }

    /**
     * NextSeg() rules 3 and 4 (RFC 6675 §4), once rules 1 and 2 found nothing: "(3) If the conditions
     * for rules (1) and (2) fail, but there exists an unSACKed sequence number 'S3' that meets the
     * criteria for detecting loss given in steps (1.a) and (1.b) above (specifically excluding step
     * (1.c)), then one segment of up to SMSS octets starting with S3 SHOULD be returned."
     * "(4) ... If HighACK is greater than RescueRxt (or RescueRxt is undefined), then one segment of upto
     * SMSS octets that MUST include the highest outstanding unSACKed sequence number SHOULD be returned,
     * and RescueRxt set to RecoveryPoint. HighRxt MUST NOT be updated."
     */
    private boolean sendRules3And4(long now, SegmentSink out) {
        if (recoveryState != RECOVERY || !sackOk) return false;
        // Rule 2 failed: no unsent data, or the peer's window allows none.
        if (unsentData() > 0 && sndNxt < sndUna + sndWnd) return false;
        if (scoreboard.firstLostToSend() >= 0) return false;       // rule 1 still has work (cwnd-limited)
        boolean sent = false;
        for (int guard = 0; guard < 4096; guard++) {
            int k = scoreboard.firstUnsackedAbove(highRxt);
            if (k < 0) break;
            long s = scoreboard.startAt(k), e = scoreboard.endAt(k);
            long len = Math.min(e - s, maxPayload());
            if (cwndRoom() < Math.max(len, 1)) return sent;
            long end = sendRange(s, e, now, out);
            if (end <= s) break;
            recoveryRetransmits++;
            highRxt = end;
            sent = true;
        }
        if (rescueRxt < 0 || sndUna > rescueRxt) {
            int k = scoreboard.highestUnsacked();
            // Deviation: not when that segment was retransmitted in this recovery already (rules 1 and 3
            // reached it); the rescue is for a tail no SACK can reveal, and resending a retransmission
            // only adds a duplicate.
            if (k >= 0 && (scoreboard.flagsAt(k) & SackScoreboard.RETRANS) == 0
                    && cwndRoom() >= Math.min(scoreboard.endAt(k) - scoreboard.startAt(k), maxPayload())) {
                long e = scoreboard.endAt(k);
                long s = Math.max(scoreboard.startAt(k), e - maxPayload());
                long oldHighRxt = highRxt;
                if (sendRange(s, e, now, out) > s) {
                    rescueRxt = recover;
                    highRxt = oldHighRxt;
                    rescueRetransmits++;
                    recoveryRetransmits++;
                    sent = true;
                }
            }
        }
        return sent;
    }

    private long rescueRetransmits;

    /** Bookkeeping of every data (or FIN) transmission at position {@code pos} (RFC 8985 §5.2 xmit_ts). */
    private void onTransmit(long pos, int seqLen, long now) {
        if (seqLen <= 0 || pos <= 0) return;
        scoreboard.onSend(pos, pos + seqLen, now);
        // RFC 6937 §3: "On any data transmission or retransmission: prr_out += (data sent)".
        if (recoveryState == RECOVERY) prr.onSent(seqLen);
    }

    /** Retransmissions sent by the loss recovery (NextSeg rules 1, 3, 4; RTO recovery included). */
    public long sackRetransmits() { return recoveryRetransmits; }
    /** Segments RACK (RFC 8985) marked lost. */
    public long rackLossMarks() { return rackMarked; }
    /** Tail loss probes sent (RFC 8985 §7). */
    public long tlpProbes() { return tlpProbes; }
    /** Losses a tail loss probe repaired (RFC 8985 §7.4). */
    public long tlpRepairs() { return tlpRepairs; }
    /** D-SACK blocks received: retransmissions the peer got twice (spurious, RFC 2883). */
    public long dsacksReceived() { return dsacksReceived; }
    /** Times the peer discarded SACKed data (RFC 2018 §8). */
    public long reneges() { return reneges; }
    /** Fast-recovery episodes entered (duplicate ACKs, SACK or RACK). */
    public long recoveryEpisodes() { return recoveryEpisodes; }
    /** Rescue retransmissions (RFC 6675 NextSeg rule 4). */
    public long rescueRetransmits() { return rescueRetransmits; }
    /** OPEN (0), RECOVERY (1, fast recovery) or LOSS (2, after an RTO). */
    int recoveryState() { return recoveryState; }
    SackScoreboard scoreboard() { return scoreboard; }
    Rack rack() { return rack; }
    Prr prr() { return prr; }
    long highRxt() { return highRxt; }
    long rescueRxt() { return rescueRxt; }

    /** Steps six (URG), seven (text) and eight (FIN) of RFC 9293 §3.10.7.4; {@code seq} is the first data byte. */
    private void processText(TcpSegment seg, int seq, long now) {
        if (!state.canReceive()) {
            // RFC 9293 §3.10.7.4 seventh: "CLOSE-WAIT ... CLOSING ... LAST-ACK ... TIME-WAIT STATE: This
            // should not occur since a FIN has been received from the remote side. Ignore the segment text."
            if (seg.payloadLength() > 0 || seg.fin()) ackNow = true;
            return;
        }
        int len = seg.payloadLength();
        long start = rcvPos(seq);          // position of the first payload byte
        long end = start + len;
        boolean fin = seg.fin();
        // Trim what we already have (left edge).
        int skip = 0;
        if (start < rcvNxt) {
            skip = (int) Math.min(len, rcvNxt - start);
            // RFC 2883 §4: a segment repeating data already received is reported in a D-SACK block.
            if (sackOk && skip > 0) sack.onDuplicate(start - 1, start - 1 + skip);
            start += skip;
        }
        // RFC 9293 §3.10.7.4: "Segments with higher beginning sequence numbers ... the segment may be
        // trimmed to the window" (C2.13): cut data beyond the right edge we advertised.
        long rightEdge = Math.max(rcvAdvEdge, rcvNxt);
        if (end > rightEdge) {
            long cut = end - Math.max(start, rightEdge);
            trimmedBytes += cut;
            ackNow = true; // tell the peer our window at once
            end = Math.max(start, rightEdge);
            fin = false; // the FIN follows data we dropped
        }
        if (appClosed && end > start) {
            // Data arriving after close(): nobody can read it. Linux answers with a reset
            // (tcp_rcv_state_process, "SHUT_RD and data"), as RFC 2525 §2.17 recommends for unread data.
            die(ConnectionError.NONE, true, seg);
            return;
        }

        // ---- sixth: check the URG bit ----
        if (seg.urg() && len > 0) {
            // RFC 9293 §3.8.5 / RFC 6093: the urgent pointer points to the octet following the urgent
            // data; the urgent byte is the one before it. With SO_OOBINLINE off it is removed from the
            // stream, as BSD and Linux do (C2.10).
            long upPos = rcvPos(seq) + seg.urgentPointer();
            long urgentData = upPos - 2; // data offset of the urgent byte
            if (!oobInline && urgentData >= rcvRead) urgentSkip = urgentData;
        }

        // ---- seventh: process the segment text ----
        boolean wasOutOfOrder = !ooo.isEmpty();
        if (end > start) {
            long dataStart = start - 1, dataEnd = end - 1;  // data offsets
            if (start == rcvNxt) {
                long before = rcvDataEnd;
                if (inputShutdown) {
                    // shutdownInput(): acknowledged and silently discarded (JDK Socket.shutdownInput).
                    rcvRead = dataEnd;
                    rcvBuf.advanceHead(rcvRead);
                } else {
                    rcvBuf.put(dataStart, seg.payload(), seg.payload().position() + skip, (int) (end - start));
                }
                rcvDataEnd = dataEnd;
                rcvNxt = end;
                if (!ooo.isEmpty()) {
                    long reach = ooo.pullContiguous(rcvDataEnd);
                    if (reach > rcvDataEnd) {
                        rcvDataEnd = reach;
                        rcvNxt = reach + 1;
                    }
                }
                if (inputShutdown) {
                    rcvRead = rcvDataEnd;
                    rcvBuf.advanceHead(rcvRead);
                }
                bytesReceived += rcvDataEnd - before;
                if (len > rcvMssSeen) rcvMssSeen = Math.min(len, config.mss());
                if (!inputShutdown) tuneOnData(len, now);
                bytesSinceAck += rcvDataEnd - before;
                // RFC 5681 §4.2: "an ACK SHOULD be generated for at least every second full-sized segment"
                // and "Out-of-order data segments SHOULD be acknowledged immediately" / when a segment
                // "fills in all or part of a gap" (C2.7, C2.2).
                // An ACK also goes at once when what is left of the advertised window cannot take another
                // full-sized segment: the sender is blocked until it hears from us, so delaying the ACK
                // would only stall it (large MSS against a 64 KiB window, or a nearly full buffer).
                if (wasOutOfOrder || bytesSinceAck >= 2L * rcvMssSeen || rcvAdvEdge - rcvNxt < rcvMssSeen) {
                    ackNow = true;
                } else if (delayedAckAt == NEVER) {
                    // RFC 9293 §3.8.6.3 (MUST-40): delay "MUST be less than 0.5 seconds".
                    delayedAckAt = now + delayedAckNanos;
                }
            } else {
                // Out of order: hold it within bounds (C2.2, C7.3, C7.4), ask for the gap at once.
                ackNow = true;
                boolean fits = dataEnd - rcvRead <= rcvBuf.maxCapacity() && dataEnd - rcvDataEnd <= config.maxOutOfOrderBytes();
                if (!inputShutdown && fits && ooo.add(dataStart, dataEnd)) {
                    if (sackOk) sack.onOutOfOrder(dataStart, dataEnd);
                    rcvBuf.put(dataStart, seg.payload(), seg.payload().position() + skip, (int) (end - start));
                } else {
                    oooDropped++;
                    note(DropReason.TCP_OUT_OF_ORDER_FULL, seg);
                    fin = false;
                }
            }
        } else if (len > 0) {
            // Nothing new (all old or all beyond the window): acknowledge.
            ackNow = true;
        }

        // ---- eighth: check the FIN bit ----
        if (fin) {
            long finAt = rcvPos(seq) + len;
            if (finAt >= rcvNxt) rcvFinPos = finAt;
        }
        if (rcvFinPos >= 0 && !finReceived) {
            if (rcvFinPos == rcvNxt) receiveFin(seg, now);
            else if (rcvFinPos < rcvNxt) rcvFinPos = -1; // data went past a bogus out-of-order FIN
        }
    }

    /** The peer's FIN is next in sequence: RFC 9293 §3.10.7.4 eighth step. */
    private void receiveFin(TcpSegment seg, long now) {
        // "advance RCV.NXT over the FIN, and send an acknowledgment for the FIN" (C2.15).
        rcvNxt = rcvFinPos + 1;
        finReceived = true;
        ackNow = true;
        switch (state) {
            // "SYN-RECEIVED STATE, ESTABLISHED STATE: Enter the CLOSE-WAIT state."
            case SYN_RECEIVED, ESTABLISHED -> setState(TcpState.CLOSE_WAIT, seg);
            // "FIN-WAIT-1 STATE: If our FIN has been ACKed (perhaps in this segment), then enter TIME-WAIT,
            // start the time-wait timer, turn off the other timers; otherwise, enter the CLOSING state."
            case FIN_WAIT_1 -> {
                if (finAcked()) enterTimeWait(seg, now);
                else setState(TcpState.CLOSING, seg);
            }
            // "FIN-WAIT-2 STATE: Enter the TIME-WAIT state. Start the time-wait timer, turn off the other timers."
            case FIN_WAIT_2 -> enterTimeWait(seg, now);
            default -> { }
        }
    }

    private void enterFinWait2(TcpSegment cause, long now) {
        setState(TcpState.FIN_WAIT_2, cause);
        // C3.9: FIN-WAIT-2 does not last forever once the application has closed (Linux tcp_fin_timeout).
        if (appClosed && finWait2Nanos > 0) finWait2At = now + finWait2Nanos;
    }

    private void enterTimeWait(TcpSegment cause, long now) {
        setState(TcpState.TIME_WAIT, cause);
        // RFC 9293 §3.10.7.4: "Start the time-wait timer" — 2 MSL (C3.6).
        timeWaitAt = now + 2 * mslNanos;
    }

    /**
     * Whether a new SYN for this connection's 4-tuple may end this connection and open a new one (RFC
     * 9293 §3.10.7.4 MAY-2 / RFC 1122 §4.2.2.13: in TIME-WAIT, a SYN whose sequence number is above the
     * final one seen). The stack asks this before handing the SYN to the listener; if true it calls
     * {@link #retire()} and passes the SYN to the listener; otherwise the SYN goes to
     * {@link #onSegment} (which answers with a challenge ACK).
     */
    public boolean acceptsNewSyn(TcpSegment syn) {
        return state == TcpState.TIME_WAIT && syn.syn() && !syn.hasAck() && !syn.rst()
                && Seq.gt(syn.seq(), rcvSeq(rcvNxt));
    }

    /**
     * RFC 1122 §4.2.2.13: a connection reopened from TIME-WAIT "assigns its initial sequence number for
     * the new connection to be larger than the largest sequence number it used on the previous
     * connection incarnation" — this is that floor (Linux adds 65535 + 2 as here).
     */
    int reopenIsnFloor() {
        return sndSeq(sndMax) + 65535 + 2;
    }

    /** Ends a TIME-WAIT connection silently (its 4-tuple is being reused). */
    public void retire() {
        if (state != TcpState.CLOSED) setState(TcpState.CLOSED, null);
    }

    private void lastRecv(long now) {
        keepAliveProbes = 0;
        if (keepAliveOn && keepAliveState()) keepAliveAt = now + keepAliveIdle;
    }

    private boolean keepAliveState() {
        return state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT
                || state == TcpState.FIN_WAIT_1 || state == TcpState.FIN_WAIT_2;
    }

    /** An ACK in reply to an unacceptable segment; data-less ones are rate limited (RFC 5961 §7). */
    private void rateLimitedAck(int segLen, long now) {
        if (segLen > 0) {
            ackNow = true;
        } else {
            challengeAck(now);
        }
    }

    /** RFC 5961 §7: "the ACK throttling mechanism" — at most one per challengeAckInterval (C4.8). */
    private void challengeAck(long now) {
        if (lastChallengeAt != Long.MIN_VALUE && now - lastChallengeAt < challengeInterval) {
            suppressedAcks++;
            note(DropReason.TCP_CHALLENGE_ACK_LIMITED, null);
            return;
        }
        lastChallengeAt = now;
        challengeAcks++;
        ackNow = true;
    }

    /** A segment is dropped: counted by reason and told to the event listener. */
    private void drop(DropReason reason, TcpSegment seg) {
        droppedSegments++;
        note(reason, seg);
    }

    /** Counts a reason without counting a dropped segment (part of a segment, a suppressed ACK). */
    private void note(DropReason reason, TcpSegment seg) {
        drops[reason.ordinal()]++;
        events.dropped(this, reason, seg);
    }

    // =================================================================================== ICMP

    /**
     * An ICMP error quoting this connection (RFC 1122 §4.2.3.9, RFC 1191). In SYN-SENT an unreachable
     * fails the connect (C6.4); in a synchronized state it is a soft error kept for a later timeout;
     * fragmentation-needed lowers the MSS (C6.5).
     *
     * @param mtu next-hop MTU for FRAGMENTATION_NEEDED (0 when the router did not say)
     */
    public void onIcmpError(IcmpErrorKind kind, int mtu, long now) {
        if (state == TcpState.CLOSED || state == TcpState.LISTEN) return;
        if (kind == IcmpErrorKind.FRAGMENTATION_NEEDED) {
            // RFC 1191 §3: "the sender ... reduce its assumed PMTU"; RFC 1191 §7 plateau when mtu is 0.
            int newMtu = mtu > 0 ? mtu : 576;
            newMtu = Math.max(newMtu, 552); // Linux min_pmtu
            int newMss = newMtu - 40;
            if (newMss < sndMss) {
                pathMtuMss = newMss;
                recomputeMss();
                // Resend what is in flight in smaller segments, without a congestion response (Linux
                // tcp_simple_retransmit).
                if (sndMax > sndUna && state.isSynchronized()) {
                    forgetInFlight();
                    rttTimingEnd = -1;
                }
            }
            return;
        }
        if (kind == IcmpErrorKind.TIME_EXCEEDED) {
            softError = ConnectionError.UNREACHABLE;
            return;
        }
        ConnectionError e = switch (kind) {
            case PORT_UNREACHABLE, PROTOCOL_UNREACHABLE -> ConnectionError.REFUSED;
            case NET_UNREACHABLE -> ConnectionError.NET_UNREACHABLE;
            default -> ConnectionError.UNREACHABLE;
        };
        if (state == TcpState.SYN_SENT || (state == TcpState.SYN_RECEIVED && !passive)) {
            // RFC 1122 §4.2.3.9 allows aborting on hard errors; Linux aborts a connect on any unreachable.
            die(e, false, null);
        } else {
            // RFC 1122 §4.2.3.9: "TCP MUST NOT abort the connection" for soft errors; "it SHOULD make the
            // information available to the application".
            softError = e;
        }
    }

    // =================================================================================== application

    private boolean canWrite() {
        if (finQueued || error != ConnectionError.NONE) return false;
        return switch (state) {
            case SYN_SENT, SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT -> true;
            default -> false;
        };
    }

    /**
     * Takes up to {@code len} bytes into the send buffer; returns the count (0 when full), or -1 when the
     * connection can no longer send (closed, reset, output shut down). Data written before the handshake
     * completes is sent right after it (C1.15). Sending happens at the next {@link #poll}.
     */
    public int write(byte[] b, int off, int len, long now) {
        if (!canWrite()) return -1;
        int space = writableSpace();
        if (space < len) {
            tuneSendBuffer();
            space = writableSpace();
        }
        int n = Math.min(len, space);
        if (n <= 0) return 0;
        restartAfterIdle(now);
        sndBuf.put(sndWritten, b, off, n);
        sndWritten += n;
        return n;
    }

    /** RFC 5681 §4.1: after an idle period longer than the RTO, restart from the restart window (C2.19). */
    private void restartAfterIdle(long now) {
        // "if the TCP has not sent data in an interval exceeding the retransmission timeout".
        if (state.isSynchronized() && sndMax == sndUna && unsentData() == 0 && lastDataSentAt != Long.MIN_VALUE
                && now - lastDataSentAt > rtt.rto()) {
            cc.onIdleRestart(now);
        }
    }

    /**
     * Sends one urgent byte (RFC 9293 §3.8.5, Socket.sendUrgentData): appended to the stream with URG and
     * the urgent pointer on the segments that precede and carry it (C2.10). Returns false if the byte
     * could not be queued.
     */
    public boolean sendUrgent(int b, long now) {
        if (!canWrite() || writableSpace() < 1) return false;
        write(new byte[] {(byte) b}, 0, 1, now);
        sndUp = sndWritten + 1; // position after the urgent byte
        return true;
    }

    /**
     * Reads up to {@code len} bytes. Returns the count, 0 when no data is there yet, -1 at end of stream
     * (after the peer's FIN, or once the connection is closed: check {@link #error()} first).
     */
    public int read(byte[] b, int off, int len, long now) {
        int total = 0;
        while (len > 0 && rcvRead < rcvDataEnd) {
            if (rcvRead == urgentSkip) {
                rcvRead++;
                urgentSkip = -1;
                continue;
            }
            long stop = rcvDataEnd;
            if (urgentSkip > rcvRead && urgentSkip < stop) stop = urgentSkip;
            int n = (int) Math.min(len, stop - rcvRead);
            rcvBuf.get(rcvRead, b, off, n);
            rcvRead += n;
            off += n;
            len -= n;
            total += n;
        }
        if (rcvRead == urgentSkip && rcvRead < rcvDataEnd) {
            rcvRead++;
            urgentSkip = -1;
        }
        rcvBuf.advanceHead(rcvRead);
        if (total > 0) {
            tuneOnRead(now);
            maybeWindowUpdate();
            return total;
        }
        if (len == 0) return 0;
        if (finReceived || inputShutdown || state == TcpState.CLOSED) return -1;
        return 0;
    }

    // ------------------------------------------------------------------ buffer autotuning

    /** Receive autotuning may grow the buffer up to this: the cap, and what our window scale can express. */
    private int receiveAutoTuneCap() {
        return (int) Math.min(config.maxReceiveBufferSize(), (long) TcpConfig.MAX_UNSCALED_WINDOW << rcvWscale);
    }

    /** In-order data of {@code segLen} bytes arrived: feed the receiver's RTT estimate. */
    private void tuneOnData(int segLen, long now) {
        if (rcvBufLocked || rcvBufSize >= receiveAutoTuneCap()) return;
        ReceiveBufferTuner t = rcvTuner;
        if (t == null) {
            // As Linux's tcp_init_buffer_space: the first RTT is compared with what the peer's initial
            // window (RFC 6928: 10 segments) can send.
            t = rcvTuner = new ReceiveBufferTuner(Math.min(rcvBufSize, 10L * rcvMssSeen), rcvRead, now);
        }
        if (ts != null && ts.enabled()) {
            // RFC 7323 §4.1 RTTM, receiver side: a full-sized segment echoes the TSval of the ACK that
            // released it.
            if (segHasTs && segLen >= rcvMssSeen) {
                long sample = ts.rttSample(true, true, segTsEcr, now);
                if (sample >= 0) t.timestampSample(segTsEcr, sample);
            }
        } else {
            t.inOrderData(rcvNxt, rcvAdvEdge, now);
        }
    }

    /** The application read: once per receiver RTT, grow the buffer to what that RTT's reading calls for. */
    private void tuneOnRead(long now) {
        ReceiveBufferTuner t = rcvTuner;
        if (t == null || rcvBufLocked) return;
        int cap = receiveAutoTuneCap();
        if (rcvBufSize >= cap) return;
        int n = t.onRead(rcvRead, now, rcvBufSize, cap, config.mss());
        if (n > rcvBufSize) {
            rcvBufSize = n;
            fitReceiveRing();
        }
    }

    /**
     * Send autotuning, as Linux's tcp_sndbuf_expand: the writer found the buffer full; let it hold
     * twice what may be in flight (at least twice the 10-segment initial window, RFC 6928), so that the
     * application keeps a large cwnd supplied through a round trip and a loss repair (CUBIC's reduction
     * to 0.7 cwnd needs about 1.7 cwnd of queued data; 2 leaves a cushion), up to
     * {@code maxSendBufferSize}. What may be in flight is the smaller of cwnd and the largest window the
     * peer has offered: a receiver-limited connection gains nothing from a larger buffer (Linux checks
     * the same thing through "cwnd not full").
     */
    private void tuneSendBuffer() {
        if (sndBufLocked || sndBufSize >= config.maxSendBufferSize()) return;
        long inFlight = Math.min(cc.cwnd(), Math.max(maxSndWnd, sndWnd));
        long want = 2L * Math.max(inFlight, 10L * sndMss);
        if (want > sndBufSize) {
            sndBufSize = (int) Math.min(config.maxSendBufferSize(), want);
            if (sndBuf.maxCapacity() < sndBufSize) sndBuf.setMaxCapacity(sndBufSize);
        }
    }

    /**
     * C2.14: after the application reads, send a window update at once if the window has grown a lot
     * (RFC 9293 §3.8.6.2.2: by at least min(RCV.BUFF/2, MSS); and, like Linux, only when the window we
     * advertised had fallen to half or less).
     */
    private void maybeWindowUpdate() {
        if (!state.canReceive() && state != TcpState.SYN_RECEIVED) return;
        long cur = rcvWindowNow();
        long offered = offeredEdge() - rcvNxt;
        int max = maxRcvWindow();
        if (2 * cur <= max && offered - cur >= Math.min(max / 2, sndMssForSws()) && offered >= 2 * cur) {
            ackNow = true;
        }
    }

    /** Eff.snd.MSS of the peer as we see it (RFC 9293 §3.8.6.2.2): the largest segment it has sent. */
    private int sndMssForSws() {
        return Math.max(1, rcvMssSeen);
    }

    /** The right edge the buffer allows now (before receiver SWS avoidance). */
    private long offeredEdge() {
        long edge = Math.min(bufferEdge(), rcvNxt + (TcpConfig.MAX_UNSCALED_WINDOW << rcvWscale));
        return Math.max(edge, rcvNxt);
    }

    /**
     * RFC 9293 §3.10.3 CLOSE of the output side (shutdownOutput): the FIN follows the queued data (C3.4,
     * C3.8). ESTABLISHED → FIN-WAIT-1, CLOSE-WAIT → LAST-ACK.
     */
    public void shutdownOutput(long now) {
        switch (state) {
            // Sent after the handshake (C1.15); establish() then moves on to FIN-WAIT-1.
            case SYN_SENT, SYN_RECEIVED -> finQueued = true;
            case ESTABLISHED -> {
                finQueued = true;
                setState(TcpState.FIN_WAIT_1, null);
            }
            case CLOSE_WAIT -> {
                finQueued = true;
                setState(TcpState.LAST_ACK, null);
            }
            default -> { }
        }
    }

    /** shutdownInput: later data is acknowledged and discarded; reads return -1. */
    public void shutdownInput(long now) {
        inputShutdown = true;
        rcvRead = rcvDataEnd;
        rcvBuf.advanceHead(rcvRead);
        urgentSkip = -1;
        ooo.clear();
        sack.clear();
        scoreboard.reset(sndUna);
    }

    /** True once shutdownInput or close was called. */
    public boolean inputShutdown() { return inputShutdown || appClosed; }

    /**
     * CLOSE (RFC 9293 §3.10.4): the FIN follows the queued data and the connection closes in the
     * background (C3.8); with unread received data a RST is sent instead (RFC 2525 §2.17, C4.7); in
     * SYN-SENT nothing is sent (C1.15).
     */
    public void close(long now) {
        if (appClosed) return;
        appClosed = true;
        switch (state) {
            case CLOSED -> { }
            // RFC 9293 §3.10.4: "LISTEN STATE ... SYN-SENT STATE: Delete the TCB and return "error:
            // closing" responses to any queued SENDs" — nothing is sent.
            case LISTEN, SYN_SENT -> setState(TcpState.CLOSED, null);
            default -> {
                if (readable() > 0 || !ooo.isEmpty()) {
                    // RFC 2525 §2.17: "a TCP SHOULD send a RST" when closing with unread data (C4.7).
                    if (state != TcpState.TIME_WAIT && state != TcpState.LAST_ACK && state != TcpState.CLOSING) {
                        die(ConnectionError.NONE, true, null);
                        return;
                    }
                }
                inputShutdown = true;
                shutdownOutput(now);
                if (state == TcpState.FIN_WAIT_2 && finWait2Nanos > 0) finWait2At = now + finWait2Nanos;
            }
        }
    }

    /** ABORT (RFC 9293 §3.10.5; SO_LINGER 0): RST, discard everything, CLOSED, no TIME-WAIT (C4.1). */
    public void abort(long now) {
        appClosed = true;
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> die(ConnectionError.ABORTED, true, null);
            case CLOSED -> { }
            default -> die(ConnectionError.ABORTED, false, null);
        }
    }

    /**
     * The stack lost the link under this connection (interface down, device gone): CLOSED at once
     * with {@code why}, nothing sent — not even a RST, which could not leave. A TIME-WAIT (or
     * already CLOSED) connection is left to its timer.
     */
    public void fail(ConnectionError why, long now) {
        if (state == TcpState.CLOSED || state == TcpState.TIME_WAIT) return;
        die(why, false, null);
        controlQueue.clear();
    }

    // =================================================================================== timers

    /** The earliest deadline (nanoseconds), or Long.MAX_VALUE when no timer runs. */
    public long nextDeadline() {
        long d = rtoAt;
        if (rackAt < d) d = rackAt;
        if (ptoAt < d) d = ptoAt;
        if (persistAt < d) d = persistAt;
        if (delayedAckAt < d) d = delayedAckAt;
        if (keepAliveAt < d) d = keepAliveAt;
        if (timeWaitAt < d) d = timeWaitAt;
        if (finWait2At < d) d = finWait2At;
        if (userTimeoutAt < d) d = userTimeoutAt;
        if (pacingAt < d) d = pacingAt;
        return d;
    }

    /** True when {@link #poll} would send something now (without timers). */
    public boolean wantsToSend() {
        return !controlQueue.isEmpty() || ackNow || tlpSendPending || probeNow || keepAliveNow
                || (sendingAllowed() && scoreboard.lostBytes() > 0 && cwndRoom() > 0)
                || (state.isHandshake() && sndNxt == 0) || (sendingAllowed() && (unsentData() > 0 || (finQueued && !finSent())));
    }

    /** Runs every timer due at {@code now}. */
    public void onTimer(long now) {
        if (userTimeoutAt <= now) {
            // RFC 9293 §3.8.4: "if data is not successfully delivered to the destination within the timeout
            // period, the TCP endpoint will abort the connection" (C5.3).
            die(softErrorOr(ConnectionError.TIMED_OUT), true, null);
            return;
        }
        if (rtoAt <= now) {
            onRetransmitTimeout(now);
            if (state == TcpState.CLOSED) return;
        }
        if (rackAt <= now) onRackTimeout(now);
        if (ptoAt <= now) onProbeTimeout(now);
        if (persistAt <= now) onPersistTimeout(now);
        if (pacingAt <= now) pacingAt = NEVER; // the paced segment may go (poll sends it)
        if (delayedAckAt <= now) {
            delayedAckAt = NEVER;
            ackNow = true;
        }
        if (keepAliveAt <= now) {
            onKeepAliveTimeout(now);
            if (state == TcpState.CLOSED) return;
        }
        if (timeWaitAt <= now) {
            // RFC 9293 §3.10.8: "If the time-wait timeout expires on a connection, delete the TCB, enter the
            // CLOSED state, and return."
            timeWaitAt = NEVER;
            setState(TcpState.CLOSED, null);
            return;
        }
        if (finWait2At <= now) {
            finWait2At = NEVER;
            if (state == TcpState.FIN_WAIT_2) setState(TcpState.CLOSED, null); // silently, as Linux
        }
    }

    private ConnectionError softErrorOr(ConnectionError e) {
        return softError != ConnectionError.NONE ? softError : e;
    }

    /** RFC 6298 §5.4–5.6 and RFC 5681 §3.1. */
    private void onRetransmitTimeout(long now) {
        rtoAt = NEVER;
        if (sndMax <= sndUna) return;
        retries++;
        timeouts++;
        events.rtoFired(this, retries, rtt.rto(), now);
        int limit = state.isHandshake() ? config.synRetries() : config.dataRetries();
        if (retries > limit) {
            // C1.7, C5.3: give up after the configured retries; an ICMP soft error seen meanwhile is
            // reported instead of the timeout (RFC 1122 §4.2.3.9, as Linux).
            die(softErrorOr(ConnectionError.TIMED_OUT), state.isSynchronized(), null);
            return;
        }
        if (state.isHandshake()) synRetransmitted = true;
        if (state.isSynchronized() || sndUna > 0) {
            cc.onRto((int) Math.min(Integer.MAX_VALUE, sndMax - sndUna), retries == 1, now);
            // RFC 6582 §3.2 step 4: "After a retransmit timeout, record the highest sequence number
            // transmitted in the variable recover, and exit the fast recovery procedure if applicable."
            // RFC 6675 §5.1: "If an RTO occurs during loss recovery ... RecoveryPoint MUST be set to
            // HighData ... and the loss recovery algorithm outlined in this document MUST be terminated."
            if (recoveryState != OPEN) rack.onRecoveryExit();
            recover = sndMax;
            recoveryState = LOSS;
            dupAcks = 0;
            renoSacked = 0;
            rackAt = ptoAt = NEVER;
            tlpSendPending = false;
            rack.onRto();
        }
        if (state.isSynchronized()) {
            // RFC 2018 §8: "After a retransmit timeout the data sender SHOULD turn off all of the SACKed
            // bits, since the timeout might indicate that the data receiver has reneged"; RFC 6675 §5.1:
            // it "MUST "ignore prior SACK information in determining which data to retransmit"" (SACKs
            // arriving after the timeout are used again). RFC 8985 §6.3 / Linux tcp_enter_loss: every
            // segment not SACKed is lost; what goes out next is chosen by NextSeg() in slow start, so
            // no byte the peer SACKs from now on is sent twice (instead of a blind go-back-N).
            scoreboard.clearSacked();
            scoreboard.markAllLost();
            highRxt = sndUna;
        } else {
            // RFC 6298 §5.4: "Retransmit the earliest segment that has not been acknowledged" — the SYN.
            sndNxt = sndUna;
        }
        rttTimingEnd = -1; // Karn's rule
        // RFC 6298 §5.5: "back off the timer"; §5.6: "Start the retransmission timer".
        rtt.backoff();
        rtoAt = now + rtt.rto();
    }

    private void onPersistTimeout(long now) {
        persistAt = NEVER;
        if (!sendingAllowed() || (unsentData() == 0 && !(finQueued && !finSent()))) {
            persistBackoff = 0;
            return;
        }
        if (sndWnd == 0) {
            // RFC 9293 §3.8.6.1: "The sending TCP peer must regularly transmit at least one octet of new data
            // (if available) ... even if the send window is zero" (C2.5).
            if (probesOut > config.dataRetries()) {
                die(softErrorOr(ConnectionError.TIMED_OUT), true, null);
                return;
            }
            probeNow = true;
            probesOut++;
        } else {
            // RFC 9293 §3.8.6.2.1: the override timeout — send what fits although it is small.
            forceSend = true;
        }
        persistBackoff++;
    }

    private void onKeepAliveTimeout(long now) {
        keepAliveAt = NEVER;
        if (!keepAliveOn || !keepAliveState()) return;
        if (sndMax > sndUna || unsentData() > 0) {
            // Data in flight: the retransmission timer watches the peer (as Linux).
            keepAliveAt = now + keepAliveIdle;
            return;
        }
        if (keepAliveProbes >= keepAliveCount) {
            // C5.1: after count unanswered probes the connection is dropped (Linux sends a reset too).
            die(softErrorOr(ConnectionError.TIMED_OUT), true, null);
            return;
        }
        keepAliveProbes++;
        keepAliveNow = true;
        keepAliveAt = now + keepAliveInterval;
    }

    // =================================================================================== output

    private boolean sendingAllowed() {
        return switch (state) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, LAST_ACK, CLOSING -> true;
            default -> false;
        };
    }

    /** Emits every segment due now: resets, SYN, data, FIN, probes and ACKs. */
    public void poll(long now, SegmentSink out) {
        while (!controlQueue.isEmpty()) {
            TcpSegment s = controlQueue.poll();
            segmentsOut++;
            out.send(this, s);
        }
        if (state == TcpState.CLOSED || state == TcpState.LISTEN) {
            ackNow = false;
            return;
        }
        boolean sentAck = false;
        if (state.isHandshake()) {
            if (sndNxt == 0 && (state == TcpState.SYN_RECEIVED || sndUna == 0)) {
                sentAck |= sendSyn(now, out);
            }
        } else if (sendingAllowed() || state == TcpState.FIN_WAIT_2 || state == TcpState.TIME_WAIT) {
            if (sendingAllowed()) {
                // RFC 6675 §5 (C) NextSeg(): rule 1 (lost segments) first, rule 2 (new data) in sendData,
                // rules 3 and 4 after it; a tail loss probe (RFC 8985 §7.3) when the PTO fired.
                sentAck |= sendLost(now, out);
                if (tlpSendPending) sentAck |= sendProbe(now, out);
            }
            if (sendingAllowed()) {
                long sentBefore = sndMax;
                sentAck |= sendData(now, out);
                sentAck |= sendRules3And4(now, out);
                // RFC 8985 §7.2: (re)start the PTO "after transmitting new data".
                if (sndMax > sentBefore && recoveryState == OPEN) armPto(now);
            }
            if (probeNow) {
                probeNow = false;
                sentAck |= sendWindowProbe(now, out);
            }
        }
        if (keepAliveNow) {
            keepAliveNow = false;
            if (!sentAck) {
                // C5.1: a keepalive probe is "<SEQ=SND.NXT-1><ACK=RCV.NXT>" with no data (Linux).
                emit(out, sndSeq(sndMax) - 1, TcpHeader.FLAG_ACK, EMPTY, 0, now);
                sentAck = true;
            }
        }
        if (ackNow && !sentAck && state != TcpState.SYN_SENT) {
            emit(out, sndSeq(sndMax), TcpHeader.FLAG_ACK, EMPTY, 0, now);
        }
        ackNow = false;
    }

    /** SYN (SYN-SENT) or SYN,ACK (SYN-RECEIVED) at ISS. */
    private boolean sendSyn(long now, SegmentSink out) {
        boolean synAck = state == TcpState.SYN_RECEIVED;
        if (sndMax > 0) {
            retransmittedSegments++;
            rttTimingEnd = -1;
            events.retransmitted(this, iss, 1, now);
        } else {
            rttTimingEnd = 1;
            rttTimingAt = now;
        }
        int flags = TcpHeader.FLAG_SYN | (synAck ? TcpHeader.FLAG_ACK : 0);
        // C1.11: MSS always; window scale and timestamps only when configured and, in a SYN-ACK, only
        // when the SYN offered them (learnSynOptions decided that for a passive open).
        TcpOptions opts = TcpOptions.NONE.withMss(config.mss());
        if (!synAck && sndMax == 0) offerSynOptions();
        if (rcvWscaleOffer >= 0) opts = opts.withWindowScale(rcvWscaleOffer);
        // RFC 2018 §2: "Sack-Permitted ... may be sent in a SYN"; in a SYN-ACK only when the SYN had it.
        if (synAck ? sackOk : config.sackPermitted()) opts = opts.withSackPermitted(true);
        if (timestamps().enabled() || (!synAck && config.timestamps())) {
            // RFC 7323 §3.2: "TSecr ... MUST be zero" in a <SYN>; a <SYN,ACK> echoes the SYN's TSval.
            opts = opts.withTimestamps(ts.tsVal(now), synAck ? ts.recent() : 0);
        }
        segmentsOut++;
        TcpSegment s = new TcpSegment(key.localPort(), key.remotePort(), iss, synAck ? rcvSeq(rcvNxt) : 0, flags,
                // RFC 7323 §2.2: "The window field in a segment where the SYN bit is set ... MUST NOT be scaled."
                Math.min(maxRcvWindow(), TcpConfig.MAX_UNSCALED_WINDOW), 0, opts, EMPTY);
        if (synAck) {
            rcvAdvEdge = Math.max(rcvAdvEdge, rcvNxt + s.window());
            clearAckState();
            ts.ackSent(rcvNxt);
        }
        out.send(this, s);
        sndNxt = 1;
        if (sndMax < 1) sndMax = 1;
        lastSendAt = now;
        if (rtoAt == NEVER) rtoAt = now + rtt.rto();
        return synAck;
    }

    /** The main send loop (RFC 9293 §3.7.4 Nagle, §3.8.6.2.1 SWS, RFC 5681 cwnd, RFC 3042). */
    private boolean sendData(long now, SegmentSink out) {
        boolean sent = false;
        while (true) {
            long avail = unsentData();
            boolean finPending = finQueued && sndNxt <= finPos();
            if (avail <= 0 && !finPending) break;
            long wndEdge = sndUna + sndWnd;
            long usable = wndEdge - sndNxt; // may be negative after the peer shrank its window (MUST-34)
            long flight = sndNxt - sndUna;
            // RFC 6675 §5 (C) / RFC 6937: cwnd − pipe, where pipe leaves out what the peer SACKed and what
            // is lost; without SACK each duplicate ACK counts as one SMSS delivered, which is RFC 3042's
            // limited transmit ("cwnd plus 2*SMSS" on the first two duplicate ACKs). A tail loss probe may
            // send one segment beyond it (RFC 8985 §7.3).
            long cwndRoom = cwndRoom() + tlpAllowance;
            int maxSeg = maxPayload();
            long len = Math.min(Math.min(avail, sizeGoal(maxSeg)), Math.min(usable, cwndRoom));
            if (len < 0) len = 0;
            if (len > maxSeg) len = wholeSegmentsOf(len, maxSeg, avail, finPending);
            // The FIN needs no window space (as Linux: it may go at the right edge of a zero window).
            boolean fin = finPending && len == avail && sndNxt + len <= wndEdge && (len > 0 || cwndRoom > 0);
            if (len == 0 && !fin) break;
            if (len < maxSeg && !fin && !forceSend) {
                boolean nagleOk = noDelay || flight == 0 || (sndUp >= 0 && sndUp > sndNxt);
                boolean allFits = len == avail;
                // RFC 9293 §3.8.6.2.1: send when "(1) a maximum-sized segment can be sent", "(2) the data is
                // pushed and all queued data can be sent now", "(3) at least a fraction Fs of the maximum
                // window can be sent" (Fs = 1/2); RFC 9293 §3.7.4 (Nagle, C2.6): with unacknowledged data
                // outstanding, hold small segments unless TCP_NODELAY.
                boolean ok = nagleOk && (allFits || len >= maxSndWnd / 2);
                if (!ok) break;
            }
            forceSend = false;
            if (pacing && flight > 0 && pacedLater(now)) break;
            sendSegmentAt(sndNxt, (int) len, fin, now, out);
            if (pacing) pace(len, now);
            sent = true;
            sndNxt += len + (fin ? 1 : 0);
            if (sndNxt > sndMax) sndMax = sndNxt;
            if (fin) break;
        }
        armPersistIfStalled(now);
        return sent;
    }

    /**
     * Bytes the send loop may put in one segment: one MSS, or with segmentation offload as many
     * whole MSS as fit in a super-segment (Linux tcp_tso_autosize without pacing: the link's
     * limit, 64 KiB).
     */
    private int sizeGoal(int mss) {
        return tsoMaxBytes > mss ? tsoMaxBytes / mss * mss : mss;
    }

    /**
     * A super-segment (len > one MSS) carries whole MSS only, unless its short tail is the end of
     * the queued data and would be sent anyway — pushed with TCP_NODELAY, urgent, or with the FIN
     * — as Linux's tcp_mss_split_point: cut at MSS boundaries, the tail is exactly the segment
     * Nagle (RFC 9293 §3.7.4) would hold with the rest in flight.
     */
    private long wholeSegmentsOf(long len, int mss, long avail, boolean finPending) {
        long partial = len % mss;
        if (partial == 0) return len;
        boolean tailGoes = len == avail && (noDelay || finPending || forceSend || (sndUp >= 0 && sndUp > sndNxt));
        return tailGoes ? len : len - partial;
    }

    /**
     * Pacing: true (and the pacing deadline armed) when the next segment must wait. Segments leave in
     * bursts of about SRTT/16 worth of data, so the timer runs some 16 times per RTT, not per segment.
     */
    private boolean pacedLater(long now) {
        long slack = rtt.srtt() >> 4;
        if (pacingNextAt - now <= slack) return false;
        pacingAt = pacingNextAt - slack;
        return true;
    }

    /**
     * Advances the pacing clock by one segment at rate = cwnd / SRTT × 2 while cwnd < ssthresh/2, × 1.2
     * after (Linux's tcp_pacing_ss_ratio 200 % and tcp_pacing_ca_ratio 120 %). No sample yet: no pacing.
     */
    private void pace(long len, long now) {
        long srtt = rtt.srtt();
        int cwnd = Math.max(sndMss, cc.cwnd());
        if (srtt <= 0 || len <= 0) return;
        long gap = (long) (len * (double) srtt / (cwnd < cc.ssthresh() / 2 ? 2.0 : 1.2) / cwnd);
        pacingNextAt = Math.max(pacingNextAt, now) + gap;
    }

    /**
     * Persist timer (RFC 9293 §3.8.6.1): data waiting, nothing in flight and no retransmission timer
     * running — only a window update from the peer can restart us, and it may be lost.
     */
    private void armPersistIfStalled(long now) {
        boolean waiting = unsentData() > 0 || (finQueued && sndNxt <= finPos());
        if (waiting && sndNxt == sndUna && rtoAt == NEVER && persistAt == NEVER) {
            long t = rtt.rto();
            for (int i = 0; i < persistBackoff && t < rtoMaxNanos(); i++) t <<= 1;
            persistAt = now + Math.min(t, rtoMaxNanos());
        }
    }

    /**
     * Payload bytes per data segment. RFC 9293 §3.7.1 (MUST-16): "the TCP endpoint MUST NOT send a segment
     * with ... data plus TCP options length > Eff.snd.MSS" (C2.17). Data segments carry no options yet;
     * with timestamps (RFC 7323) this subtracts their 12 bytes, with SACK the blocks in use.
     */
    private int maxPayload() {
        return Math.max(1, sndMss - dataOptionsLength());
    }

    /** Length of the options the next data segment carries: timestamps (NOP NOP TS) and SACK blocks. */
    private int dataOptionsLength() {
        int n = ts != null && ts.enabled() ? 12 : 0;
        if (sackOk) {
            int blocks = sack.maxBlocks(ooo, maxSackBlocks());
            if (blocks > 0) n += 4 + 8 * blocks; // NOP NOP SACK
        }
        return n;
    }

    /** RFC 2018 §3: at most 4 blocks fit in 40 option bytes, 3 beside the timestamps' 12. */
    private int maxSackBlocks() {
        return ts != null && ts.enabled() ? 3 : TcpOptions.MAX_SACK_BLOCKS;
    }

    /** True when both SYNs carried SACK-permitted (RFC 2018 §2). */
    public boolean sackEnabled() { return sackOk; }
    /** D-SACK blocks sent (RFC 2883). */
    public long dsacksSent() { return sack.dsacksSent(); }

    private long rtoMaxNanos() {
        return config.rtoMax().toNanos();
    }

    /** One byte beyond a zero window (or the FIN), from SND.NXT, without advancing it. */
    private boolean sendWindowProbe(long now, SegmentSink out) {
        if (sndNxt != sndUna) return false;
        long avail = unsentData();
        if (avail > 0) {
            sendSegmentAt(sndNxt, 1, false, now, out);
            if (sndMax < sndNxt + 1) {
                // The byte counts as sent for ACK validation; sndNxt stays so it is sent again if refused.
                sndMax = sndNxt + 1;
            }
            // The persist timer, not the retransmission timer, watches the probe.
            rtoAt = NEVER;
            userTimeoutAt = userTimeout > 0 ? userTimeoutAt : NEVER;
            armPersistIfStalled(now);
            return true;
        } else if (finQueued && sndNxt <= finPos()) {
            sendSegmentAt(sndNxt, 0, true, now, out);
            sndNxt = sndMax = Math.max(sndMax, sndNxt + 1);
            return true;
        }
        return false;
    }

    private void sendSegmentAt(long pos, int len, boolean fin, long now, SegmentSink out) {
        ByteBuffer payload = EMPTY;
        if (len > 0) {
            // A transient-accepting sink gets a view of the send buffer: the data is copied once, into the
            // packet. Otherwise (or where the range wraps around the ring) a copy in txScratch.
            payload = out.acceptsTransient() ? sndBuf.view(pos - 1, len) : null;
            if (payload == null) {
                if (txScratch.length < len) {
                    txScratch = new byte[Math.max(len, sndMss)];
                    txScratchView = null;
                }
                sndBuf.get(pos - 1, txScratch, 0, len);
                if (out.acceptsTransient()) {
                    if (txScratchView == null) txScratchView = ByteBuffer.wrap(txScratch);
                    payload = txScratchView.limit(len).position(0);
                } else {
                    payload = ByteBuffer.wrap(txScratch, 0, len);
                }
            }
        }
        int flags = TcpHeader.FLAG_ACK | (fin ? TcpHeader.FLAG_FIN : 0);
        // C2.8: PSH on the segment that empties the send buffer (the last segment of a write).
        if (len > 0 && pos - 1 + len == sndWritten) flags |= TcpHeader.FLAG_PSH;
        int urgentPointer = 0;
        if (sndUp >= 0 && sndUp > pos) {
            // RFC 9293 §3.8.5 (MUST-30/31): URG with the pointer to the octet after the urgent data.
            long up = sndUp - pos;
            if (up <= 0xFFFF) {
                flags |= TcpHeader.FLAG_URG;
                urgentPointer = (int) up;
            }
        }
        boolean newData = pos + len + (fin ? 1 : 0) > sndMax;
        if (newData && pos >= sndMax && rttTimingEnd < 0) {
            rttTimingEnd = pos + len + (fin ? 1 : 0);
            rttTimingAt = now;
        }
        if (pos < sndMax && len + (fin ? 1 : 0) > 0) {
            retransmittedSegments++;
            events.retransmitted(this, sndSeq(pos), len + (fin ? 1 : 0), now);
            // RFC 6298 §3 (Karn): no RTT sample from a segment that was retransmitted.
            if (rttTimingEnd >= 0 && pos < rttTimingEnd) rttTimingEnd = -1;
        }
        emit(out, sndSeq(pos), flags, payload, urgentPointer, now);
        onTransmit(pos, len + (fin ? 1 : 0), now);
        if (len > 0) lastDataSentAt = now;
        // RFC 6298 §5.1: "Every time a packet containing data is sent (including a retransmission), if
        // the timer is not running, start it running so that it will expire after RTO seconds".
        if (rtoAt == NEVER) rtoAt = now + rtt.rto();
        if (userTimeout > 0 && userTimeoutAt == NEVER) userTimeoutAt = now + userTimeout;
        persistAt = NEVER;
    }

    /** Emits one segment carrying ACK (everything after the handshake does) with our window. */
    private void emit(SegmentSink out, int seq, int flags, ByteBuffer payload, int urgentPointer, long now) {
        int window = advertiseWindow();
        segmentsOut++;
        lastSendAt = now;
        clearAckState();
        boolean reuse = out.acceptsTransient();
        if (reuse && txSeg == null) {
            txSeg = TcpSegment.newTransient();
            txOpts = TcpOptions.newTransient();
            txSackBlocks = new int[2 * TcpOptions.MAX_SACK_BLOCKS];
        }
        TcpOptions opts = TcpOptions.NONE;
        if (ts != null && ts.enabled()) {
            // RFC 7323 §3.2: "Once TSopt has been successfully negotiated ... TSopt MUST be sent in every
            // non-<RST> segment"; TSecr is TS.Recent (§4.3).
            opts = reuse ? txOpts.setTimestampsOnly(ts.tsVal(now), ts.recent())
                    : opts.withTimestamps(ts.tsVal(now), ts.recent());
            ts.ackSent(rcvNxt);
        }
        if (sackOk && (!ooo.isEmpty() || sack.dsackPending())) {
            // RFC 2018 §4: "If sent at all, SACK options SHOULD be included in all ACKs which do not ACK
            // the highest sequence number in the data receiver's queue"; most recent block first.
            int n = sack.fill(ooo, maxSackBlocks(), sackScratch);
            if (n > 0) {
                int[] blocks = reuse ? txSackBlocks : new int[2 * n];
                for (int i = 0; i < 2 * n; i++) blocks[i] = rcvSeq(sackScratch[i] + 1); // data offset → seq
                if (reuse) {
                    if (opts != txOpts) opts = txOpts.clear();
                    opts = txOpts.setSackBlocks(blocks, n);
                } else {
                    opts = opts.withSackBlocks(blocks);
                }
            }
        }
        out.send(this, reuse
                ? txSeg.set(key.localPort(), key.remotePort(), seq, rcvSeq(rcvNxt), flags, window, urgentPointer, opts, payload)
                : new TcpSegment(key.localPort(), key.remotePort(), seq, rcvSeq(rcvNxt), flags, window,
                        urgentPointer, opts, payload));
    }

    private void clearAckState() {
        ackNow = false;
        delayedAckAt = NEVER;
        bytesSinceAck = 0;
    }

    /**
     * The window field for an outgoing segment. RFC 9293 §3.8.6.2.2 (receiver SWS avoidance): "the
     * receiver should not advance the right window edge ... until the reduction satisfies RCV.BUFF -
     * RCV.USER - RCV.WND >= min(Fr * RCV.BUFF, Eff.snd.MSS)"; SHLD-14: the right edge never moves left.
     */
    private int advertiseWindow() {
        long edge = Math.max(rcvAdvEdge, rcvNxt);
        long offered = offeredEdge();
        if (offered > edge) {
            long increase = offered - rcvAdvEdge;
            int threshold = Math.min(maxRcvWindow() / 2, sndMssForSws());
            if (increase >= threshold || rcvAdvEdge < rcvNxt) edge = offered;
        }
        // The scaled window field loses the low bits, so the edge the peer sees may fall short of one
        // we advertised before. RFC 7323 §2.4: "the TCP will have to either advertise a new window that
        // is beyond what it previously advertised (and perhaps beyond the buffer) or will have to
        // advertise a smaller window". We round up (SHLD-14: no shrinking) while that stays within the
        // buffer; with the buffer full we round down by less than 2^shift rather than beyond it, since
        // rounding up there again and again lets a peer sending small segments push the edge ever
        // further without the application reading (the unbounded growth Linux fixed by allowing this
        // shrink, commit b650d953cd39). Either way rcvAdvEdge keeps the furthest edge ever advertised:
        // §2.4 "The receiver must honor, as in a window, any segment that would have been in window for
        // any ACK sent by the receiver."
        long w = (edge - rcvNxt) >> rcvWscale;
        if (rcvNxt + (w << rcvWscale) < rcvAdvEdge && rcvNxt + ((w + 1) << rcvWscale) <= bufferEdge()) w++;
        w = Math.min(w, TcpConfig.MAX_UNSCALED_WINDOW);
        long wireEdge = rcvNxt + (w << rcvWscale);
        if (wireEdge > rcvAdvEdge) rcvAdvEdge = wireEdge;
        return (int) w;
    }

    /** The right edge the buffer itself allows (what the application has read, plus the buffer size). */
    private long bufferEdge() {
        return rcvRead + rcvBufSize + 1;
    }
}
