package io.usertcp.wire;

/**
 * 32-bit TCP sequence-number arithmetic on plain {@code int}s, modulo 2^32.
 *
 * <p>RFC 9293 §3.4: "It is essential to remember that the actual sequence number space is finite,
 * though very large ... all arithmetic dealing with sequence numbers must be performed modulo 2**32". Comparisons are valid when the two numbers are less than 2^31 apart (the RFC 1982
 * serial-number rule); never compare sequence numbers with {@code <} directly.
 */
public final class Seq {
    private Seq() {}

    /** {@code a < b} modulo 2^32. */
    public static boolean lt(int a, int b) { return a - b < 0; }

    /** {@code a <= b} modulo 2^32. */
    public static boolean le(int a, int b) { return a - b <= 0; }

    /** {@code a > b} modulo 2^32. */
    public static boolean gt(int a, int b) { return a - b > 0; }

    /** {@code a >= b} modulo 2^32. */
    public static boolean ge(int a, int b) { return a - b >= 0; }

    /**
     * {@code start <= v < start + size} modulo 2^32, with {@code size} read as unsigned (so a size of
     * up to 2^32 - 1 works). A size of 0 contains nothing.
     */
    public static boolean inWindow(int v, int start, int size) {
        return Integer.compareUnsigned(v - start, size) < 0;
    }

    /** The later of two sequence numbers. */
    public static int max(int a, int b) { return a - b >= 0 ? a : b; }

    /** The earlier of two sequence numbers. */
    public static int min(int a, int b) { return a - b <= 0 ? a : b; }

    /** {@code a - b} as a signed distance (positive when a is after b). */
    public static int diff(int a, int b) { return a - b; }

    /** Formats a sequence number as the unsigned decimal tcpdump prints. */
    public static String toString(int seq) { return Integer.toUnsignedString(seq); }
}
