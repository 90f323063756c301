package io.usertcp.tcp;

/**
 * The congestion window and slow-start threshold (RFC 5681), behind one interface so that the
 * algorithms can be swapped: {@link Cubic} (RFC 9438 with HyStart++, RFC 9406; the default, as Linux)
 * and {@link NewReno} (RFC 5681/6582); {@link #create} picks one by name. All sizes are bytes;
 * {@code now} is the nanoseconds the connection passes in.
 *
 * <p><b>Split of duties.</b> The connection detects loss (duplicate ACKs, the RFC 6675 SACK
 * scoreboard, RACK-TLP of RFC 8985, the retransmission timer) and runs loss recovery: which segment
 * goes out next (RFC 6675 NextSeg) and how much may go out (RFC 6937 Proportional Rate Reduction).
 * The congestion control decides only:
 * <ul>
 *   <li>the multiplicative decrease at a congestion event ({@link #onCongestionEvent}: sets
 *       {@code ssthresh}; NewReno max(FlightSize/2, 2·SMSS), RFC 5681 §3.2 equation 4; CUBIC β = 0.7,
 *       RFC 9438 §4.6);</li>
 *   <li>window growth outside recovery ({@link #onAck}: slow start, congestion avoidance);</li>
 *   <li>the response to a retransmission timeout ({@link #onRto}) and to idleness ({@link #onIdleRestart}).</li>
 * </ul>
 *
 * <p><b>Call sequence of one fast-recovery episode.</b>
 * <ol>
 *   <li>{@link #onCongestionEvent}{@code (flightSize, now)} once, when recovery starts. It sets
 *       {@code ssthresh} and may remember what it needs (CUBIC: W_max, the epoch). It need not touch
 *       {@code cwnd}: the connection sets it right after.</li>
 *   <li>{@link #setCwnd}{@code (pipe + sndcnt)} on every ACK during recovery: RFC 6937 §3 "cwnd = pipe
 *       + sndcnt". The implementation takes the value as given. {@link #onAck} is <em>not</em> called
 *       while in recovery.</li>
 *   <li>{@link #onRecoveryEnd}{@code (now)} when the cumulative ACK reaches the recovery point:
 *       RFC 6937 §3 "cwnd = ssthresh" ("at the end of recovery ... set cwnd to ssthresh"). CUBIC may
 *       start its congestion-avoidance epoch here.</li>
 * </ol>
 * A loss repaired by a tail loss probe (RFC 8985 §7.4) is a congestion event that enters and ends
 * recovery at once: {@code onCongestionEvent} then {@code onRecoveryEnd}.
 *
 * <p><b>Timeout.</b> {@link #onRto} sets ssthresh (on the first timeout of the same data) and cwnd to
 * the loss window (1 SMSS, RFC 5681 §3.1); the connection then retransmits what is marked lost in
 * slow start, calling {@link #onAck} for each ACK (an RTO ends any fast recovery without
 * {@code onRecoveryEnd}).
 */
public interface CongestionControl {
    /** The algorithm names {@link #create} knows, as Linux's {@code tcp_available_congestion_control}. */
    java.util.List<String> ALGORITHMS = java.util.List.of("cubic", "reno");

    /**
     * A new instance of the algorithm called {@code name} ({@code "cubic"}, or {@code "reno"} for
     * NewReno; {@code "newreno"} is accepted too), case-insensitive.
     * @throws IllegalArgumentException for any other name
     */
    static CongestionControl create(String name, int mss, int initialWindowSegments) {
        return switch (canonicalName(name)) {
            case "cubic" -> new Cubic(mss, initialWindowSegments);
            case "reno" -> new NewReno(mss, initialWindowSegments);
            default -> throw new IllegalArgumentException("unknown congestion control algorithm: " + name);
        };
    }

    /** The name as {@link #name()} reports it, or the argument lower-cased when it is not known. */
    static String canonicalName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT);
        return n.equals("newreno") ? "reno" : n;
    }

    /** The algorithm's name as Linux's {@code ss} shows it: {@code "cubic"} or {@code "reno"}. */
    String name();

    int cwnd();

    int ssthresh();

    /** The sender MSS changed (negotiation, path MTU). */
    void setMss(int mss);

    /**
     * New data was acknowledged outside of loss recovery: grow the window (RFC 5681 §3.1).
     * @param ackedBytes newly acknowledged bytes (SND.UNA advance)
     * @param flightSizeBeforeAck bytes in flight before this ACK
     */
    void onAck(int ackedBytes, int flightSizeBeforeAck, long now);

    /**
     * A congestion event: loss detected by duplicate ACKs, SACK (RFC 6675) or RACK (RFC 8985), or a
     * loss a tail loss probe repaired. Sets ssthresh (the multiplicative decrease); the connection's
     * PRR (RFC 6937) then owns cwnd through {@link #setCwnd} until {@link #onRecoveryEnd}.
     * @param flightSize RFC 5681 FlightSize: bytes sent and not cumulatively acknowledged
     */
    void onCongestionEvent(int flightSize, long now);

    /** Sets cwnd during loss recovery (RFC 6937: "cwnd = pipe + sndcnt"); taken as given. */
    void setCwnd(int cwnd);

    /**
     * Fast recovery ended: the cumulative ACK covers the recovery point (RFC 6675 §5, RFC 6582 §3.2).
     * RFC 6937 §3: "cwnd = ssthresh" — what {@link NewReno} does.
     */
    void onRecoveryEnd(long now);

    /**
     * A retransmission timeout (RFC 5681 §3.1, equation 4 and "LW").
     * @param first false when the same data timed out before (ssthresh is then kept, RFC 5681 §3.1)
     */
    void onRto(int flightSize, boolean first, long now);

    /** RFC 5681 §4.1: restart after an idle period longer than the RTO. */
    void onIdleRestart(long now);

    /**
     * An RTT sample (RFC 6298 timing, or every ACK of new data with RFC 7323 timestamps), given on the
     * ACK that produced it, after {@link #onAckedUpTo} and before {@link #onAck}.
     */
    default void onRttSample(long rttNanos, long now) { }

    /**
     * An ACK advances SND.UNA to {@code sndUna}; {@code sndNxt} is the highest position sent so far
     * (both 64-bit stream positions, so they never wrap). Called first for every such ACK, in or out
     * of recovery, so that an algorithm can count round trips by sequence numbers (RFC 9406 §4.2).
     */
    default void onAckedUpTo(long sndUna, long sndNxt, long now) { }

    /**
     * Takes over a running connection's window from another algorithm (a switch of TCP_CONGESTION):
     * {@code cwnd} and {@code ssthresh} in bytes ({@code Integer.MAX_VALUE}: no threshold yet).
     */
    void inherit(int cwnd, int ssthresh);

    /** The connection paces its segments (HyStart++ then uses L = infinity, RFC 9406 §4.3). */
    default void setPaced(boolean paced) { }
}
