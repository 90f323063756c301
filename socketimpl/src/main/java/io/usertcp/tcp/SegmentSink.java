package io.usertcp.tcp;

import io.usertcp.wire.TcpSegment;

/**
 * Where a connection's outgoing segments go. The segment (and its payload buffer) is only valid
 * during the call: the sink must emit or copy it before returning.
 */
@FunctionalInterface
public interface SegmentSink {
    void send(TcpConnection from, TcpSegment seg);
}
