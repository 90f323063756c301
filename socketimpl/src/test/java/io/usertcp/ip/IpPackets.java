package io.usertcp.ip;

import io.usertcp.wire.Checksum;
import io.usertcp.wire.Ipv4Header;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Test packets and builders for the ip package. Hex constants were computed independently (Python). */
final class IpPackets {
    private IpPackets() {}

    static final int A = 0xC6120001; // 198.18.0.1, "us"
    static final int B = 0xC6120002; // 198.18.0.2, the peer
    static final int ROUTER = 0xC6120101;

    /** Echo request B > A, id 0x1234 seq 1, 32 data bytes 0x10..0x2f, IP id 0xbeef. */
    static final String ECHO_REQUEST = "4500003cbeef40004001efa9c6120002c6120001"
            + "0800f3c812340001" + "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f";
    /** The reply A > B with IP id 7, DF, TTL 64. */
    static final String ECHO_REPLY = "4500003c000740004001ae92c6120001c6120002"
            + "0000fbc812340001" + "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f";
    /** Our SYN A:40000 > B:80, seq 0x01020304, IP id 0x42. */
    static final String OUR_SYN = "45000028004240004006ae66c6120001c6120002"
            + "9c40005001020304000000005002ffff83240000";
    /** Router > A: destination unreachable, fragmentation needed, next-hop MTU 1400, quoting OUR_SYN + 8. */
    static final String FRAG_NEEDED = "45000038009900004001ed05c6120101c6120001"
            + "030456ed00000578"
            + "45000028004240004006ae66c6120001c6120002" + "9c40005001020304";

    static ByteBuffer buf(String hex) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(hex));
    }

    static String hex(ByteBuffer b, int off, int len) {
        byte[] a = new byte[len];
        b.get(off, a);
        return HexFormat.of().formatHex(a);
    }

    /**
     * One fragment: IP header (src B, dst A, protocol, id), offset in bytes, MF, and the payload bytes
     * {@code data[start, start+len)}.
     */
    static ByteBuffer fragment(int src, int dst, int protocol, int id, byte[] data, int start, int len, boolean more) {
        ByteBuffer b = ByteBuffer.allocate(20 + len);
        Ipv4Header.emit(b, 0, 0, id, 64, protocol, src, dst, len);
        b.putShort(Ipv4Header.FLAGS_FRAGMENT, (short) ((more ? Ipv4Header.FLAG_MF : 0) | (start >>> 3)));
        b.put(20, data, start, len);
        Ipv4Header.wrap(b, 0).fillChecksum();
        return b;
    }

    static ByteBuffer fragment(int id, byte[] data, int start, int len, boolean more) {
        return fragment(B, A, Ipv4Header.PROTO_TCP, id, data, start, len, more);
    }

    static Ipv4Header header(ByteBuffer packet) {
        try {
            return Ipv4Header.parse(packet, 0, packet.limit());
        } catch (io.usertcp.wire.MalformedPacketException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] pattern(int n, int seed) {
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) {
            d[i] = (byte) (i * 7 + seed);
        }
        return d;
    }

    static boolean checksumOk(ByteBuffer b, int off, int len) {
        return Checksum.verifies(Checksum.add(0, b, off, len));
    }
}
