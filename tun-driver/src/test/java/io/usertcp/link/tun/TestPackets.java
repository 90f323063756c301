package io.usertcp.link.tun;

import java.nio.ByteBuffer;

/** Hand-built IPv4/ICMP/UDP bytes for link tests (the wire layer lives in socketimpl, above us). */
final class TestPackets {
    private TestPackets() {}

    static final int PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17;
    static final int TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10;

    /** RFC 1071 §4.1 one's complement sum of buf[off, off+len), folded, not complemented. */
    static int sum(ByteBuffer buf, int off, int len, int initial) {
        long s = initial;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            s += ((buf.get(off + i) & 0xFF) << 8) | (buf.get(off + i + 1) & 0xFF);
        }
        if (i < len) {
            s += (buf.get(off + i) & 0xFF) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    /** RFC 1071: the checksum field value for buf[off, off+len) (with its checksum field zero). */
    static int checksum(ByteBuffer buf, int off, int len) {
        return ~sum(buf, off, len, 0) & 0xFFFF;
    }

    /** Writes a 20-byte IPv4 header at 0 (RFC 791 §3.1) with a correct header checksum. */
    static void ipv4Header(ByteBuffer b, int totalLength, int protocol, int src, int dst, int id) {
        b.put(0, (byte) 0x45);
        b.put(1, (byte) 0);
        b.putShort(2, (short) totalLength);
        b.putShort(4, (short) id);
        b.putShort(6, (short) 0x4000); // DF
        b.put(8, (byte) 64);
        b.put(9, (byte) protocol);
        b.putShort(10, (short) 0);
        b.putInt(12, src);
        b.putInt(16, dst);
        b.putShort(10, (short) checksum(b, 0, 20));
    }

    /** An ICMP echo request (RFC 792) from src to dst, ready to send (position 0, limit = length). */
    static ByteBuffer icmpEchoRequest(int src, int dst, int ident, int seq, byte[] payload) {
        int len = 20 + 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocateDirect(len);
        ipv4Header(b, len, PROTO_ICMP, src, dst, seq);
        b.put(20, (byte) 8); // echo request
        b.put(21, (byte) 0);
        b.putShort(22, (short) 0);
        b.putShort(24, (short) ident);
        b.putShort(26, (short) seq);
        b.put(28, payload);
        b.putShort(22, (short) checksum(b, 20, 8 + payload.length));
        return b.position(0).limit(len);
    }

    /** A UDP datagram (RFC 768) with a correct checksum over the pseudo-header. */
    static ByteBuffer udp(int src, int srcPort, int dst, int dstPort, byte[] payload) {
        int len = 20 + 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocateDirect(len);
        ipv4Header(b, len, PROTO_UDP, src, dst, 1);
        b.putShort(20, (short) srcPort);
        b.putShort(22, (short) dstPort);
        b.putShort(24, (short) (8 + payload.length));
        b.putShort(26, (short) 0);
        b.put(28, payload);
        int pseudo = ((src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + PROTO_UDP + 8 + payload.length);
        int c = ~sum(b, 20, 8 + payload.length, pseudo) & 0xFFFF;
        b.putShort(26, (short) (c == 0 ? 0xFFFF : c));
        return b.position(0).limit(len);
    }

    /**
     * A TCP segment (RFC 9293 §3.1) in a direct buffer of its exact size. {@code options} must be a
     * multiple of 4 bytes. With {@code partialChecksum} the checksum field holds the folded
     * pseudo-header sum only, as Linux leaves it for CHECKSUM_PARTIAL (virtio NEEDS_CSUM); else
     * the full checksum.
     */
    static ByteBuffer tcp(int src, int srcPort, int dst, int dstPort, int seq, int ack, int flags, int window,
            byte[] options, byte[] payload, boolean partialChecksum) {
        int thl = 20 + options.length;
        int tcpLen = thl + payload.length;
        int len = 20 + tcpLen;
        ByteBuffer b = ByteBuffer.allocateDirect(len);
        ipv4Header(b, len, PROTO_TCP, src, dst, seq & 0xFFFF);
        b.putShort(20, (short) srcPort);
        b.putShort(22, (short) dstPort);
        b.putInt(24, seq);
        b.putInt(28, ack);
        b.put(32, (byte) ((thl / 4) << 4));
        b.put(33, (byte) flags);
        b.putShort(34, (short) window);
        b.putShort(36, (short) 0);
        b.putShort(38, (short) 0);
        b.put(40, options);
        b.put(20 + thl, payload);
        int pseudo = (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + PROTO_TCP + tcpLen;
        pseudo = (pseudo & 0xFFFF) + (pseudo >>> 16);
        pseudo = (pseudo & 0xFFFF) + (pseudo >>> 16);
        int c = partialChecksum ? pseudo : ~sum(b, 20, tcpLen, pseudo) & 0xFFFF;
        b.putShort(36, (short) c);
        return b.position(0).limit(len);
    }

    /** The MSS option (kind 2, length 4). */
    static byte[] mssOption(int mss) {
        return new byte[] {2, 4, (byte) (mss >>> 8), (byte) mss};
    }
}
