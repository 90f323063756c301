package io.usertcp.tcp;

/**
 * The congestion window and slow-start threshold (RFC 5681). The connection runs loss detection and
 * recovery (duplicate ACKs, NewReno partial ACKs, RTO; later a SACK scoreboard) and tells this object
 * what happened; the object only decides {@code cwnd} and {@code ssthresh}. Implementations:
 * {@link Cubic} (RFC 9438 with HyStart++, RFC 9406; the default, as Linux) and {@link NewReno}
 * (RFC 5681/6582); {@link #create} picks one by name. All sizes are bytes; times are the
 * {@code now} nanoseconds the connection passes in.
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

    /** New data was acknowledged outside of loss recovery. */
    void onAck(int ackedBytes, int flightSizeBeforeAck, long now);

    /** Loss detected by duplicate ACKs: entering fast recovery (RFC 5681 §3.2 steps 2–3). */
    void onLoss(int flightSize, long now);

    /** A further duplicate ACK during fast recovery (RFC 5681 §3.2 step 4). */
    void onDupAckInRecovery();

    /** A partial ACK during fast recovery (RFC 6582 §3.2 step 3). */
    void onPartialAck(int ackedBytes);

    /** The ACK that ends fast recovery (RFC 6582 §3.2 step 3, full acknowledgment). */
    void onRecoveryEnd(int flightSize);

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
