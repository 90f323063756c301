package io.usertcp.tcp;

/**
 * The congestion window and slow-start threshold (RFC 5681). The connection runs loss detection and
 * recovery (duplicate ACKs, NewReno partial ACKs, RTO; later a SACK scoreboard) and tells this object
 * what happened; the object only decides {@code cwnd} and {@code ssthresh}. NewReno
 * ({@link NewReno}) is the implementation; CUBIC can be added behind the same interface.
 * All sizes are bytes.
 */
public interface CongestionControl {
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
}
