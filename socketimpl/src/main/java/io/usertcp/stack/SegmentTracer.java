package io.usertcp.stack;

import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.TcpSegment;

/**
 * Told about every TCP segment a {@link Stack} receives (after the codec's checks) or sends, and
 * every state change, while set with {@link Stack#setTracer}. Called on the engine thread with the
 * engine lock held: implementations must be quick, must not call back into the stack, and must
 * copy what they keep ({@code seg.payload()} is valid only during the call).
 */
@FunctionalInterface
public interface SegmentTracer {

    /** Which way a segment crossed the stack's IP layer. */
    enum Direction { IN, OUT }

    /**
     * @param key the connection's 4-tuple seen from this stack (local = this stack's side), whether
     *            or not a connection with that key exists
     * @param now the stack clock's nanoseconds
     */
    void segment(ConnectionKey key, Direction dir, TcpSegment seg, long now);

    /** A connection of this stack changed state; {@code key} as for {@link #segment}. */
    default void stateChanged(ConnectionKey key, TcpState from, TcpState to, long now) { }
}
