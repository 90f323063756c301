package io.usertcp.tcp;

import io.usertcp.wire.TcpSegment;

/**
 * Where a connection's outgoing segments go. The segment (and its payload buffer) is only valid
 * during the call: the sink must emit or copy it before returning.
 */
@FunctionalInterface
public interface SegmentSink {
    void send(TcpConnection from, TcpSegment seg);

    /**
     * True when this sink is done with each segment when {@link #send} returns (it emits it, or keeps
     * only a {@link TcpSegment#copy()}): the connection may then hand it a transient holder that it
     * refills for the next segment, with the payload a view of its send buffer, so that sending
     * allocates nothing and copies the data once. False by default: the segment is a fresh immutable
     * value (tests and tools may keep it; its payload bytes are still only valid during the call).
     */
    default boolean acceptsTransient() {
        return false;
    }
}
