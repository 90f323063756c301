package io.usertcp.net;

import io.usertcp.link.PacketLink;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.MalformedPacketException;
import io.usertcp.wire.TcpSegment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A {@link PacketLink} decorator that shows every TCP segment crossing the link to a
 * {@link Listener}, in both directions, without changing anything: the link-decorator way to
 * trace (like smoltcp's {@code Tracer} or gVisor's sniffer), needing no hook in the engine.
 * Non-TCP packets, fragments and packets that do not parse are passed on unseen.
 */
final class SegmentTap implements PacketLink {

    /** Told about each segment; {@code seg.payload()} is valid only during the call. */
    interface Listener {
        void segment(boolean outbound, int srcIp, int dstIp, TcpSegment seg);
    }

    private final PacketLink inner;
    private final Listener listener;

    SegmentTap(PacketLink inner, Listener listener) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public int mtu() {
        return inner.mtu();
    }

    @Override
    public void send(ByteBuffer packet) throws IOException {
        show(true, packet, packet.position(), packet.remaining());
        inner.send(packet);
    }

    @Override
    public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        int n = inner.receive(dst, timeoutNanos);
        if (n > 0) {
            show(false, dst, 0, n);
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    /** Parses with absolute reads only: the packet's position and limit are left alone. */
    private void show(boolean outbound, ByteBuffer buf, int off, int len) {
        try {
            Ipv4Header ip = Ipv4Header.parse(buf, off, len);
            if (ip.protocol() != Ipv4Header.PROTO_TCP || ip.isFragment()) {
                return;
            }
            TcpSegment seg = TcpSegment.parse(buf, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst());
            listener.segment(outbound, ip.src(), ip.dst(), seg);
        } catch (MalformedPacketException | RuntimeException e) {
            // not ours to judge: the stack counts and drops bad packets itself
        }
    }

    @Override
    public String toString() {
        return "SegmentTap[" + inner + "]";
    }
}
