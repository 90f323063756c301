package io.usertcp.wire;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Test helper: hex constants to buffers and back. */
final class Hex {
    private Hex() {}

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("[\\s_]", ""));
    }

    static ByteBuffer buf(String hex) {
        return ByteBuffer.wrap(bytes(hex));
    }

    static String hex(ByteBuffer b, int off, int len) {
        byte[] a = new byte[len];
        b.get(off, a);
        return HexFormat.of().formatHex(a);
    }

    /** A heap buffer of {@code n} bytes all 0xA5, so a field emit forgets shows up (STYLE §9). */
    static ByteBuffer prefilled(int n) {
        ByteBuffer b = ByteBuffer.allocate(n);
        for (int i = 0; i < n; i++) {
            b.put(i, (byte) 0xA5);
        }
        return b;
    }
}
