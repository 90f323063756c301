package io.usertcp.tcp;

import io.usertcp.wire.TcpSegment;

/** Told about every state transition, from the one {@code setState}; called on the engine thread. */
@FunctionalInterface
public interface TcpEventListener {
    /**
     * @param cause the segment whose processing caused the change, or null (application call or timer)
     */
    void stateChanged(TcpConnection c, TcpState from, TcpState to, TcpSegment cause);

    TcpEventListener NONE = (c, from, to, cause) -> { };
}
