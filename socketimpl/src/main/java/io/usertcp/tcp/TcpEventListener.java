package io.usertcp.tcp;

import io.usertcp.wire.DropReason;
import io.usertcp.wire.TcpSegment;

/** Told about every state transition, from the one {@code setState}; called on the engine thread. */
@FunctionalInterface
public interface TcpEventListener {
    /**
     * @param cause the segment whose processing caused the change, or null (application call or timer)
     */
    void stateChanged(TcpConnection c, TcpState from, TcpState to, TcpSegment cause);

    /**
     * A segment (or part of one, or an ACK we would have sent) was dropped; for counting by reason.
     * {@code c} is null for a listener's drops, {@code seg} may be null.
     */
    default void dropped(TcpConnection c, DropReason reason, TcpSegment seg) { }

    /**
     * A segment is sent again: {@code seq} (raw) and {@code length} in sequence space (payload + SYN
     * + FIN), for an RTO, a fast retransmit, a partial ACK or a repeated SYN / SYN,ACK.
     */
    default void retransmitted(TcpConnection c, int seq, int length, long now) { }

    /** The retransmission timer fired: {@code retries} in a row so far, {@code rtoNanos} the RTO that expired. */
    default void rtoFired(TcpConnection c, int retries, long rtoNanos, long now) { }

    /** The peer's advertised window closed ({@code entered}) or opened again after having been zero. */
    default void zeroWindow(TcpConnection c, boolean entered, long now) { }

    TcpEventListener NONE = (c, from, to, cause) -> { };
}
