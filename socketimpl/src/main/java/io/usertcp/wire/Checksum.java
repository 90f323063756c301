package io.usertcp.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Internet checksum of RFC 1071: the 16-bit one's complement of the one's complement sum of
 * 16-bit words.
 *
 * <p>Sums are accumulated in an unfolded {@code long} ({@link #add}) so several ranges (pseudo-header,
 * header, payload) can be combined, then folded once ({@link #finish}). Reads are absolute
 * {@code get(index)}s: position and limit never move; nothing is allocated. The loop sums 8 bytes at a
 * time (RFC 1071 §2(B): the sum may be computed in wider words and folded at the end).
 *
 * <p>Only the last range of a multi-range sum may have an odd length (an odd range in the middle
 * would misalign the following words); TCP, UDP and ICMP ranges always satisfy that.
 */
public final class Checksum {
    private Checksum() {}

    /** IP protocol number of TCP. */
    public static final int PROTO_TCP = 6;

    /**
     * Adds the big-endian 16-bit words of {@code buf[off, off+len)} to {@code acc}. An odd final byte
     * is padded with a zero byte on its right (RFC 1071 §4.1).
     */
    public static long add(long acc, ByteBuffer buf, int off, int len) {
        long sum = 0;
        int i = off;
        int end = off + len;
        // Sum 64-bit words as two 32-bit halves: each addition is < 2^33, so a long cannot overflow
        // for any buffer a ByteBuffer can hold.
        while (end - i >= 8) {
            long w = buf.getLong(i);
            sum += (w >>> 32) + (w & 0xFFFF_FFFFL);
            i += 8;
        }
        if (end - i >= 4) {
            sum += buf.getInt(i) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (end - i >= 2) {
            sum += buf.getShort(i) & 0xFFFFL;
            i += 2;
        }
        if (i < end) {
            // Odd byte: its position in a 16-bit word depends on byte order.
            int b = buf.get(i) & 0xFF;
            sum += buf.order() == ByteOrder.BIG_ENDIAN ? b << 8 : b;
        }
        if (buf.order() != ByteOrder.BIG_ENDIAN) {
            // RFC 1071 §2(B): the sum is byte-order independent up to a final swap.
            sum = Short.toUnsignedInt(Short.reverseBytes((short) fold(sum)));
        }
        return acc + sum;
    }

    /** Adds a 16-bit value to the sum. */
    public static long add16(long acc, int value) {
        return acc + (value & 0xFFFF);
    }

    /** Adds a 32-bit value (as two 16-bit words) to the sum. */
    public static long add32(long acc, int value) {
        return acc + (value >>> 16) + (value & 0xFFFF);
    }

    /**
     * The TCP/UDP pseudo-header sum (RFC 9293 §3.1: source address, destination address, zero,
     * protocol, TCP length), ready to pass to {@link #add}.
     */
    public static long pseudoHeader(int srcIp, int dstIp, int protocol, int length) {
        long acc = add32(0, srcIp);
        acc = add32(acc, dstIp);
        acc = add16(acc, protocol & 0xFF);
        return add16(acc, length);
    }

    /** Folds an unfolded sum to 16 bits with end-around carry (not complemented). */
    public static int fold(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xFFFF) + (acc >>> 16);
        }
        return (int) acc;
    }

    /** The checksum field value for a sum: the one's complement of the folded sum. */
    public static int finish(long acc) {
        return ~fold(acc) & 0xFFFF;
    }

    /** The checksum of one range (for the IPv4 header, ICMP). */
    public static int compute(ByteBuffer buf, int off, int len) {
        return finish(add(0, buf, off, len));
    }

    /**
     * True when a range that includes its checksum field sums to all ones, i.e. the checksum
     * verifies (RFC 1071 §1(3)).
     */
    public static boolean verifies(long accIncludingChecksumField) {
        return fold(accIncludingChecksumField) == 0xFFFF;
    }
}
