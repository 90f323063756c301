package io.usertcp.stack;

import io.usertcp.link.PacketLink;
import io.usertcp.wire.Checksum;
import io.usertcp.wire.IcmpHeader;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.MalformedPacketException;
import io.usertcp.wire.TcpSegment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Builds and parses raw IPv4 packets for stack-level packet-in/packet-out tests. */
final class Packets {

    static final int PEER = Ipv4Header.address(198, 18, 0, 1);
    static final int US = Ipv4Header.address(198, 18, 0, 2);

    private Packets() {}

    /** An IPv4 packet of {@code protocol} carrying {@code payload}, DF set, TTL 64. */
    static byte[] ip(int protocol, int src, int dst, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put(20, payload);
        Ipv4Header.emit(b, 0, 0, 0x1234, 64, protocol, src, dst, payload.length);
        return b.array();
    }

    /** An IPv4 packet carrying {@code seg} from {@code src} to {@code dst}, checksums filled. */
    static byte[] tcp(TcpSegment seg, int src, int dst) {
        ByteBuffer b = ByteBuffer.allocate(65535);
        int n = seg.emit(b, 20, src, dst);
        Ipv4Header.emit(b, 0, 0, 0x4321, 64, Ipv4Header.PROTO_TCP, src, dst, n);
        return Arrays.copyOf(b.array(), 20 + n);
    }

    /** An ICMP message (type, code, the 4 bytes after the checksum, data) with its checksum. */
    static byte[] icmp(int type, int code, int rest, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.put(0, (byte) type).put(1, (byte) code).putInt(4, rest).put(8, data);
        IcmpHeader.wrap(b, 0, b.capacity()).fillChecksum();
        return b.array();
    }

    /** An ICMP error quoting the IP header and first 8 payload bytes of {@code original}. */
    static byte[] icmpError(int type, int code, int rest, byte[] original) {
        int hl = (original[0] & 0x0F) * 4;
        return icmp(type, code, rest, Arrays.copyOf(original, Math.min(original.length, hl + 8)));
    }

    /**
     * A fragment of the whole IPv4 packet {@code p} (20-byte header): payload bytes
     * [{@code from}, {@code to}), MF set unless it is the last one, checksum filled.
     */
    static byte[] fragment(byte[] p, int from, int to) {
        int payload = p.length - 20;
        ByteBuffer b = ByteBuffer.allocate(20 + to - from);
        b.put(0, p, 0, 20);
        b.put(20, p, 20 + from, to - from);
        b.putShort(Ipv4Header.TOTAL_LENGTH, (short) (20 + to - from));
        int flags = to < payload ? Ipv4Header.FLAG_MF : 0;
        b.putShort(Ipv4Header.FLAGS_FRAGMENT, (short) (flags | (from / 8)));
        Ipv4Header.wrap(b, 0).fillChecksum();
        return b.array();
    }

    /** The TCP segment inside IPv4 packet {@code p}; fails the test on any malformation. */
    static TcpSegment parseTcp(byte[] p) {
        ByteBuffer b = ByteBuffer.wrap(p);
        try {
            Ipv4Header h = Ipv4Header.parse(b, 0, p.length);
            if (h.protocol() != Ipv4Header.PROTO_TCP) {
                throw new AssertionError("not TCP: " + h);
            }
            return TcpSegment.parse(b, h.payloadOffset(), h.payloadLength(), h.src(), h.dst());
        } catch (MalformedPacketException e) {
            throw new AssertionError("malformed packet from the stack: " + e.reason(), e);
        }
    }

    static Ipv4Header parseIp(byte[] p) {
        try {
            return Ipv4Header.parse(ByteBuffer.wrap(p), 0, p.length);
        } catch (MalformedPacketException e) {
            throw new AssertionError("malformed packet from the stack: " + e.reason(), e);
        }
    }

    /** The next packet waiting on {@code link} (waiting up to {@code millis}), or null. */
    static byte[] receive(PacketLink link, long millis) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Math.max(link.mtu(), 65535));
        int n = link.receive(b, millis * 1_000_000L);
        if (n <= 0) {
            return null;
        }
        byte[] p = new byte[n];
        b.get(0, p);
        return p;
    }

    /** The next TCP segment on {@code link} within {@code millis}; fails when none comes. */
    static TcpSegment expectTcp(PacketLink link, long millis) throws IOException {
        byte[] p = receive(link, millis);
        if (p == null) {
            throw new AssertionError("expected a segment, got nothing within " + millis + " ms");
        }
        return parseTcp(p);
    }

    static boolean checksumOk(byte[] p, int off, int len) {
        return Checksum.verifies(Checksum.add(0, ByteBuffer.wrap(p), off, len));
    }
}
