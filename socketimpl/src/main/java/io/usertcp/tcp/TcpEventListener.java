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

    TcpEventListener NONE = (c, from, to, cause) -> { };
}
