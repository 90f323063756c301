package io.usertcp.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Internet checksum of RFC 1071: the 16-bit one's complement of the one's complement sum of
 * 16-bit words.
 *
 * <p>Sums are accumulated in an unfolded {@code long} ({@link #add}) so several ranges (pseudo-header,
 * header, payload) can be combined, then folded once ({@link #finish}). Reads are absolute
 * reads: position and limit never move; nothing is allocated. The loop sums 32 bytes per iteration as
 * four little-endian 64-bit words into four accumulators and swaps the folded result (RFC 1071 §2(B):
 * the sum may be computed in wider words, in either byte order, and folded at the end).
 *
 * <p>Only the last range of a multi-range sum may have an odd length (an odd range in the middle
 * would misalign the following words); TCP, UDP and ICMP ranges always satisfy that.
 */
public final class Checksum {
    private Checksum() {}

    /** IP protocol number of TCP. */
    public static final int PROTO_TCP = 6;

    // Little-endian (x86's native order: no byte swap) absolute reads that work the same for heap,
    // direct and read-only buffers whatever their order() — and, unlike ByteBuffer.getLong, without a
    // virtual call per word when the JIT has seen several ByteBuffer classes (a megamorphic call site
    // was the checksum's main cost in the bulk-path profile).
    private static final VarHandle BUF_LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BUF_INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle ARR_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle ARR_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Adds the big-endian 16-bit words of {@code buf[off, off+len)} to {@code acc}. An odd final byte
     * is padded with a zero byte on its right (RFC 1071 §4.1). The buffer's {@link ByteBuffer#order()}
     * does not matter; heap, direct and read-only buffers all work.
     */
    public static long add(long acc, ByteBuffer buf, int off, int len) {
        if (len <= 0) {
            return acc;
        }
        if (off < 0 || off + len > buf.limit()) {
            throw new IndexOutOfBoundsException("range " + off + "+" + len + " outside limit " + buf.limit());
        }
        long le = buf.hasArray() ? sumArray(buf.array(), buf.arrayOffset() + off, len) : sumBuffer(buf, off, len);
        return acc + swapFolded(le);
    }

    /** Adds the big-endian 16-bit words of {@code b[off, off+len)} to {@code acc} (as {@link #add}). */
    public static long add(long acc, byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        return len <= 0 ? acc : acc + swapFolded(sumArray(b, off, len));
    }

    /**
     * RFC 1071 §2(B) byte-order independence: a sum of little-endian words, folded to 16 bits and
     * byte-swapped, is the sum of the same bytes read as big-endian words.
     */
    private static int swapFolded(long leSum) {
        int f = fold(leSum);
        return ((f & 0xFF) << 8) | (f >>> 8);
    }

    // RFC 1071 §2(B): "the sum may be computed in wider words and folded at the end". Each 64-bit word
    // is added as two 32-bit halves into four independent accumulators: every addition is < 2^33, so
    // no accumulator can overflow for any range a Java array or buffer can hold.
    private static long sumArray(byte[] b, int i, int len) {
        int end = i + len;
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        while (end - i >= 32) {
            long w0 = (long) ARR_LONG.get(b, i);
            long w1 = (long) ARR_LONG.get(b, i + 8);
            long w2 = (long) ARR_LONG.get(b, i + 16);
            long w3 = (long) ARR_LONG.get(b, i + 24);
            s0 += (w0 >>> 32) + (w0 & 0xFFFF_FFFFL);
            s1 += (w1 >>> 32) + (w1 & 0xFFFF_FFFFL);
            s2 += (w2 >>> 32) + (w2 & 0xFFFF_FFFFL);
            s3 += (w3 >>> 32) + (w3 & 0xFFFF_FFFFL);
            i += 32;
        }
        while (end - i >= 8) {
            long w = (long) ARR_LONG.get(b, i);
            s0 += (w >>> 32) + (w & 0xFFFF_FFFFL);
            i += 8;
        }
        if (end - i >= 4) {
            s1 += (int) ARR_INT.get(b, i) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (end - i >= 2) {
            s2 += (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8);
            i += 2;
        }
        if (i < end) {
            s3 += b[i] & 0xFF; // odd byte: the low (first) byte of a little-endian word
        }
        return s0 + s1 + s2 + s3;
    }

    private static long sumBuffer(ByteBuffer b, int i, int len) {
        int end = i + len;
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        while (end - i >= 32) {
            long w0 = (long) BUF_LONG.get(b, i);
            long w1 = (long) BUF_LONG.get(b, i + 8);
            long w2 = (long) BUF_LONG.get(b, i + 16);
            long w3 = (long) BUF_LONG.get(b, i + 24);
            s0 += (w0 >>> 32) + (w0 & 0xFFFF_FFFFL);
            s1 += (w1 >>> 32) + (w1 & 0xFFFF_FFFFL);
            s2 += (w2 >>> 32) + (w2 & 0xFFFF_FFFFL);
            s3 += (w3 >>> 32) + (w3 & 0xFFFF_FFFFL);
            i += 32;
        }
        while (end - i >= 8) {
            long w = (long) BUF_LONG.get(b, i);
            s0 += (w >>> 32) + (w & 0xFFFF_FFFFL);
            i += 8;
        }
        if (end - i >= 4) {
            s1 += (int) BUF_INT.get(b, i) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (end - i >= 2) {
            s2 += (b.get(i) & 0xFF) | ((b.get(i + 1) & 0xFF) << 8);
            i += 2;
        }
        if (i < end) {
            s3 += b.get(i) & 0xFF;
        }
        return s0 + s1 + s2 + s3;
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
        // 64 → 33 → 17 bits, then at most two more end-around carries.
        acc = (acc & 0xFFFF_FFFFL) + (acc >>> 32);
        acc = (acc & 0xFFFF) + (acc >>> 16);
        acc = (acc & 0xFFFF) + (acc >>> 16);
        return (int) ((acc & 0xFFFF) + (acc >>> 16));
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
