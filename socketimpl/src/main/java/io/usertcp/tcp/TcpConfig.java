package io.usertcp.tcp;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-connection TCP parameters, with Linux-like defaults ({@link #DEFAULT}). Immutable; change with
 * {@link #toBuilder()} or the {@code with…} methods. Durations are converted to nanoseconds once,
 * when a connection is built.
 *
 * @param mss              our maximum segment size (receive side), advertised in the SYN; default
 *                         1460 (MTU 1500 − 40); see {@link #forMtu(int)}
 * @param msl              maximum segment lifetime; TIME-WAIT lasts 2×MSL. Default 30 s so that
 *                         TIME-WAIT lasts 60 s as Linux's TCP_TIMEWAIT_LEN (RFC 9293 §3.4.2 suggests
 *                         2 minutes; we follow Linux)
 * @param rtoInitial       RFC 6298 §2.1: "set RTO <- 1 second"
 * @param rtoMin           RFC 6298 §2.4: "Whenever RTO is computed, if it is less than 1 second, then
 *                         the RTO SHOULD be rounded up to 1 second". Default 1 s per the RFC; Linux
 *                         uses 200 ms (set it lower to behave like Linux)
 * @param rtoMax           RFC 6298 §2.5: "A maximum value MAY be placed on RTO provided it is at least
 *                         60 seconds"; default 120 s as Linux's TCP_RTO_MAX
 * @param synRetries       SYN (and SYN-ACK) retransmissions before the handshake fails; Linux
 *                         tcp_syn_retries = 6
 * @param dataRetries      retransmissions of the same data before the connection is dropped; Linux
 *                         tcp_retries2 = 15 (counted here, not converted to time)
 * @param delayedAck       delayed-ACK timeout; RFC 9293 §3.8.6.3 (MUST-40): "less than 0.5 seconds";
 *                         default 200 ms, clamped to 500 ms
 * @param keepAlive        SO_KEEPALIVE default (off, as sockets start)
 * @param keepAliveIdle    idle time before the first probe (Linux tcp_keepalive_time 7200 s)
 * @param keepAliveInterval between probes (tcp_keepalive_intvl 75 s)
 * @param keepAliveCount   unanswered probes before the connection is dropped (tcp_keepalive_probes 9)
 * @param finWait2Timeout  how long FIN-WAIT-2 lasts once the application has closed (Linux
 *                         tcp_fin_timeout 60 s); ZERO means forever
 * @param userTimeout      RFC 9293 §3.8.4 user timeout (TCP_USER_TIMEOUT): data unacknowledged this
 *                         long aborts the connection; ZERO means off (Linux default)
 * @param sendBufferSize   bytes the send buffer holds at first (SO_SNDBUF default); default 256 KiB.
 *                         Grows by send autotuning up to {@code maxSendBufferSize} unless the
 *                         application sets SO_SNDBUF
 * @param receiveBufferSize bytes the receive buffer holds at first, in order and out of order (the
 *                         SO_RCVBUF default, like Linux tcp_rmem[1]); default 128 KiB. Receive
 *                         autotuning grows it with the measured bandwidth-delay product up to
 *                         {@code maxReceiveBufferSize} unless the application sets SO_RCVBUF. The ring
 *                         behind it grows on demand, so an idle connection costs nothing for it
 * @param maxOutOfOrderBytes how far beyond RCV.NXT out-of-order data is kept (bounded by the receive
 *                         buffer as well)
 * @param noDelay          TCP_NODELAY default (off: Nagle on)
 * @param oobInline        SO_OOBINLINE default (off: a received urgent byte is dropped)
 * @param initialWindowSegments initial congestion window in segments; 0 means RFC 5681 §3.1
 *                         (min(4*MSS, max(2*MSS, 4380)))
 * @param windowScaling    offer window scaling (RFC 7323 §2); default on, as Linux. Negotiated only
 *                         when both SYNs carry the option; our shift covers max(receive buffer, its autotuning cap, 6 MiB)
 * @param sackPermitted    offer SACK (RFC 2018); default on, as Linux. Negotiated only when both SYNs
 *                         carry SACK-permitted; then our ACKs report out-of-order blocks (most recent
 *                         first) and D-SACK (RFC 2883); our sender recovers losses from the peer's
 *                         blocks (RFC 6675 scoreboard, RACK-TLP, PRR)
 * @param timestamps       offer timestamps (RFC 7323 §3–5: RTT measurement and PAWS); default on, as
 *                         Linux. Negotiated only when both SYNs carry the option
 * @param challengeAckInterval minimum time between two data-less challenge or out-of-window ACKs
 *                         (RFC 5961 §7; Linux tcp_invalid_ratelimit 500 ms)
 * @param maxReassemblyRanges at most this many separate out-of-order ranges are kept (C7.3)
 * @param synCookies       when a listener answers SYNs with SYN cookies and keeps no state for them
 *                         (RFC 4987 §3.6, {@link SynCookies}); default {@link SynCookieMode#ON_OVERFLOW}:
 *                         only once SYN queue + accept queue hold the backlog, as Linux's
 *                         {@code tcp_syncookies=1}. {@link SynCookieMode#OFF} drops those SYNs (C1.10)
 * @param congestionControl the congestion control algorithm, by Linux's names: {@code "cubic"}
 *                         (RFC 9438 with HyStart++, RFC 9406; the default, as Linux) or {@code "reno"}
 *                         (NewReno, RFC 5681/6582; {@code "newreno"} is accepted too). Per socket:
 *                         {@code TcpSocket.setCongestionControl}, java.net
 *                         {@code UserTcpOptions.TCP_CONGESTION}
 * @param pacing           space the segments of a window over the RTT (rate = cwnd/SRTT × 2 in slow
 *                         start, × 1.2 in congestion avoidance, as Linux's fq pacing) instead of sending
 *                         them back to back; default off
 * @param maxReceiveBufferSize cap of receive-buffer autotuning (Linux tcp_rmem[2]); default 6 MiB. Our
 *                         window-scale shift covers it. Equal to (or below) {@code receiveBufferSize}
 *                         turns receive autotuning off
 * @param maxSendBufferSize cap of send-buffer autotuning (Linux tcp_wmem[2]); default 4 MiB. Equal to
 *                         (or below) {@code sendBufferSize} turns send autotuning off
 * @param rack             RACK time-based loss detection (RFC 8985 §6) with SACK; default on, as Linux.
 *                         Off: RFC 6675 DupThresh loss detection (IsLost) alone
 * @param tlp              tail loss probes (RFC 8985 §7; needs {@code rack} and SACK); default on, as Linux
 */
public record TcpConfig(
        int mss,
        Duration msl,
        Duration rtoInitial,
        Duration rtoMin,
        Duration rtoMax,
        int synRetries,
        int dataRetries,
        Duration delayedAck,
        boolean keepAlive,
        Duration keepAliveIdle,
        Duration keepAliveInterval,
        int keepAliveCount,
        Duration finWait2Timeout,
        Duration userTimeout,
        int sendBufferSize,
        int receiveBufferSize,
        int maxOutOfOrderBytes,
        boolean noDelay,
        boolean oobInline,
        int initialWindowSegments,
        boolean windowScaling,
        boolean sackPermitted,
        boolean timestamps,
        Duration challengeAckInterval,
        int maxReassemblyRanges,
        SynCookieMode synCookies,
        String congestionControl,
        boolean pacing,
        int maxReceiveBufferSize,
        int maxSendBufferSize,
        boolean rack,
        boolean tlp) {

    /** RFC 9293 §3.7.1 (MUST-15): "If an MSS Option is not received at connection setup, TCP
     *  implementations MUST assume a default send MSS of 536 (576 - 40) for IPv4". */
    public static final int DEFAULT_MSS_IPV4 = 536;
    /** Largest window the 16-bit field can carry without window scaling. */
    public static final int MAX_UNSCALED_WINDOW = 65535;

    public static final TcpConfig DEFAULT = new Builder().build();

    public TcpConfig {
        Objects.requireNonNull(msl);
        Objects.requireNonNull(rtoInitial);
        Objects.requireNonNull(rtoMin);
        Objects.requireNonNull(rtoMax);
        Objects.requireNonNull(delayedAck);
        Objects.requireNonNull(keepAliveIdle);
        Objects.requireNonNull(keepAliveInterval);
        Objects.requireNonNull(finWait2Timeout);
        Objects.requireNonNull(userTimeout);
        Objects.requireNonNull(challengeAckInterval);
        Objects.requireNonNull(synCookies);
        Objects.requireNonNull(congestionControl);
        congestionControl = CongestionControl.canonicalName(congestionControl);
        if (!CongestionControl.ALGORITHMS.contains(congestionControl)) {
            throw new IllegalArgumentException("unknown congestion control algorithm: " + congestionControl);
        }
        if (mss < 64 || mss > 65495) throw new IllegalArgumentException("mss " + mss);
        if (sendBufferSize < 1 || receiveBufferSize < 1 || maxSendBufferSize < 1 || maxReceiveBufferSize < 1) {
            throw new IllegalArgumentException("buffer sizes");
        }
        if (rtoMin.compareTo(rtoMax) > 0) throw new IllegalArgumentException("rtoMin > rtoMax");
        // RFC 9293 §3.8.6.3 (MUST-40): "an ACK should not be excessively delayed; in particular, the
        // delay MUST be less than 0.5 seconds".
        if (delayedAck.compareTo(Duration.ofMillis(500)) > 0) delayedAck = Duration.ofMillis(500);
    }

    /**
     * The defaults with Linux's timer choices where they deviate from the RFCs: RTO minimum 200 ms
     * (TCP_RTO_MIN; RFC 6298 §2.4 says 1 s) and delayed ACK 40 ms (TCP_DELACK_MIN, Linux's quick
     * path). Handy for interop tests and lossy links, where the RFC minimum makes every timeout cost
     * a second.
     */
    public static TcpConfig linuxLike() {
        return DEFAULT.toBuilder().rtoMin(Duration.ofMillis(200)).delayedAck(Duration.ofMillis(40)).build();
    }

    /** Defaults with the MSS for an interface MTU (MTU − 40: IPv4 and TCP headers without options). */
    public static TcpConfig forMtu(int mtu) {
        return DEFAULT.withMss(mtu - 40);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public TcpConfig withMss(int v) { return toBuilder().mss(v).build(); }
    public TcpConfig withMsl(Duration v) { return toBuilder().msl(v).build(); }
    public TcpConfig withRtoMin(Duration v) { return toBuilder().rtoMin(v).build(); }
    public TcpConfig withSynCookies(SynCookieMode v) { return toBuilder().synCookies(v).build(); }
    public TcpConfig withCongestionControl(String v) { return toBuilder().congestionControl(v).build(); }
    public TcpConfig withPacing(boolean v) { return toBuilder().pacing(v).build(); }
    /** Fixed buffer sizes, autotuning off in both directions (as sockets that set SO_SNDBUF and SO_RCVBUF). */
    public TcpConfig withBuffers(int send, int receive) {
        return toBuilder().sendBufferSize(send).receiveBufferSize(receive)
                .maxSendBufferSize(send).maxReceiveBufferSize(receive).build();
    }

    /** Builder; every setter returns this. */
    public static final class Builder {
        private int mss = 1460;
        private Duration msl = Duration.ofSeconds(30);
        private Duration rtoInitial = Duration.ofSeconds(1);
        private Duration rtoMin = Duration.ofSeconds(1);
        private Duration rtoMax = Duration.ofSeconds(120);
        private int synRetries = 6;
        private int dataRetries = 15;
        private Duration delayedAck = Duration.ofMillis(200);
        private boolean keepAlive;
        private Duration keepAliveIdle = Duration.ofSeconds(7200);
        private Duration keepAliveInterval = Duration.ofSeconds(75);
        private int keepAliveCount = 9;
        private Duration finWait2Timeout = Duration.ofSeconds(60);
        private Duration userTimeout = Duration.ZERO;
        private int sendBufferSize = 256 * 1024;
        private int receiveBufferSize = 128 * 1024;
        private int maxOutOfOrderBytes = 1024 * 1024;
        private boolean noDelay;
        private boolean oobInline;
        private int initialWindowSegments;
        private boolean windowScaling = true;
        private boolean sackPermitted = true;
        private boolean timestamps = true;
        private Duration challengeAckInterval = Duration.ofMillis(500);
        private int maxReassemblyRanges = 64;
        private SynCookieMode synCookies = SynCookieMode.ON_OVERFLOW;
        private String congestionControl = "cubic";
        private boolean pacing;
        private int maxReceiveBufferSize = 6 << 20;
        private int maxSendBufferSize = 4 << 20;
        private boolean rack = true;
        private boolean tlp = true;

        Builder() { }

        Builder(TcpConfig c) {
            mss = c.mss; msl = c.msl; rtoInitial = c.rtoInitial; rtoMin = c.rtoMin; rtoMax = c.rtoMax;
            synRetries = c.synRetries; dataRetries = c.dataRetries; delayedAck = c.delayedAck;
            keepAlive = c.keepAlive; keepAliveIdle = c.keepAliveIdle; keepAliveInterval = c.keepAliveInterval;
            keepAliveCount = c.keepAliveCount; finWait2Timeout = c.finWait2Timeout; userTimeout = c.userTimeout;
            sendBufferSize = c.sendBufferSize; receiveBufferSize = c.receiveBufferSize;
            maxOutOfOrderBytes = c.maxOutOfOrderBytes; noDelay = c.noDelay; oobInline = c.oobInline;
            initialWindowSegments = c.initialWindowSegments; windowScaling = c.windowScaling;
            sackPermitted = c.sackPermitted; timestamps = c.timestamps;
            challengeAckInterval = c.challengeAckInterval; maxReassemblyRanges = c.maxReassemblyRanges;
            synCookies = c.synCookies;
            congestionControl = c.congestionControl; pacing = c.pacing;
            maxReceiveBufferSize = c.maxReceiveBufferSize; maxSendBufferSize = c.maxSendBufferSize;
            rack = c.rack; tlp = c.tlp;
        }

        public Builder mss(int v) { mss = v; return this; }
        public Builder msl(Duration v) { msl = v; return this; }
        public Builder rtoInitial(Duration v) { rtoInitial = v; return this; }
        public Builder rtoMin(Duration v) { rtoMin = v; return this; }
        public Builder rtoMax(Duration v) { rtoMax = v; return this; }
        public Builder synRetries(int v) { synRetries = v; return this; }
        public Builder dataRetries(int v) { dataRetries = v; return this; }
        public Builder delayedAck(Duration v) { delayedAck = v; return this; }
        public Builder keepAlive(boolean v) { keepAlive = v; return this; }
        public Builder keepAliveIdle(Duration v) { keepAliveIdle = v; return this; }
        public Builder keepAliveInterval(Duration v) { keepAliveInterval = v; return this; }
        public Builder keepAliveCount(int v) { keepAliveCount = v; return this; }
        public Builder finWait2Timeout(Duration v) { finWait2Timeout = v; return this; }
        public Builder userTimeout(Duration v) { userTimeout = v; return this; }
        public Builder sendBufferSize(int v) { sendBufferSize = v; return this; }
        public Builder receiveBufferSize(int v) { receiveBufferSize = v; return this; }
        public Builder maxOutOfOrderBytes(int v) { maxOutOfOrderBytes = v; return this; }
        public Builder noDelay(boolean v) { noDelay = v; return this; }
        public Builder oobInline(boolean v) { oobInline = v; return this; }
        public Builder initialWindowSegments(int v) { initialWindowSegments = v; return this; }
        public Builder windowScaling(boolean v) { windowScaling = v; return this; }
        public Builder sackPermitted(boolean v) { sackPermitted = v; return this; }
        public Builder timestamps(boolean v) { timestamps = v; return this; }
        public Builder challengeAckInterval(Duration v) { challengeAckInterval = v; return this; }
        public Builder maxReassemblyRanges(int v) { maxReassemblyRanges = v; return this; }
        public Builder synCookies(SynCookieMode v) { synCookies = v; return this; }
        public Builder congestionControl(String v) { congestionControl = v; return this; }
        public Builder pacing(boolean v) { pacing = v; return this; }
        public Builder maxReceiveBufferSize(int v) { maxReceiveBufferSize = v; return this; }
        public Builder maxSendBufferSize(int v) { maxSendBufferSize = v; return this; }
        public Builder rack(boolean v) { rack = v; return this; }
        public Builder tlp(boolean v) { tlp = v; return this; }

        public TcpConfig build() {
            return new TcpConfig(mss, msl, rtoInitial, rtoMin, rtoMax, synRetries, dataRetries, delayedAck,
                    keepAlive, keepAliveIdle, keepAliveInterval, keepAliveCount, finWait2Timeout, userTimeout,
                    sendBufferSize, receiveBufferSize, maxOutOfOrderBytes, noDelay, oobInline,
                    initialWindowSegments, windowScaling, sackPermitted, timestamps, challengeAckInterval,
                    maxReassemblyRanges, synCookies, congestionControl, pacing, maxReceiveBufferSize, maxSendBufferSize,
                    rack, tlp);
        }
    }
}
