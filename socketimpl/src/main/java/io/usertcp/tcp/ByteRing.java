package io.usertcp.tcp;

import java.nio.ByteBuffer;

/**
 * Bytes of one direction of a stream, addressed by their absolute stream offset ({@code long}, never
 * wraps). Holds the window {@code [head, head + maxCapacity)}; the backing array is a power of two
 * that grows on demand up to the first power of two ≥ maxCapacity, so an idle connection costs
 * little. No allocation per write once grown. Not thread-safe.
 */
final class ByteRing {
    private static final int INITIAL = 4096;
    private int maxCapacity;
    private byte[] buf = new byte[0];
    private long head;
    private ByteBuffer view; // over buf, for view(); re-made when buf grows

    ByteRing(int maxCapacity) {
        this.maxCapacity = maxCapacity;
    }

    long head() { return head; }

    /** Changes the bound; callers never shrink it below what is stored. */
    void setMaxCapacity(int n) { maxCapacity = n; }
    int maxCapacity() { return maxCapacity; }
    int allocated() { return buf.length; }

    /** Forgets every byte before {@code newHead}. */
    void advanceHead(long newHead) {
        if (newHead > head) head = newHead;
    }

    private void ensure(long endOffset) {
        long need = endOffset - head;
        if (need > maxCapacity) throw new IllegalStateException("ring overflow " + need + " > " + maxCapacity);
        if (need <= buf.length) return;
        int n = Math.max(INITIAL, buf.length);
        while (n < need) n <<= 1;
        byte[] nb = new byte[n];
        // Re-place live bytes [head, head + old length) at their new index.
        int old = buf.length;
        for (long o = head; o < head + old; ) {
            int from = (int) (o & (old - 1));
            int to = (int) (o & (n - 1));
            int run = Math.min(old - from, n - to);
            run = (int) Math.min(run, head + old - o);
            System.arraycopy(buf, from, nb, to, run);
            o += run;
        }
        buf = nb;
    }

    void put(long offset, byte[] src, int srcOff, int len) {
        ensure(offset + len);
        int mask = buf.length - 1;
        while (len > 0) {
            int i = (int) (offset & mask);
            int run = Math.min(len, buf.length - i);
            System.arraycopy(src, srcOff, buf, i, run);
            offset += run; srcOff += run; len -= run;
        }
    }

    /** Copies src's remaining bytes to {@code offset} without moving src's position. */
    void put(long offset, ByteBuffer src) {
        put(offset, src, src.position(), src.remaining());
    }

    /** Copies {@code len} bytes of src from index {@code srcPos} (absolute gets; src does not move). */
    void put(long offset, ByteBuffer src, int srcPos, int len) {
        ensure(offset + len);
        int mask = buf.length - 1;
        int p = srcPos;
        while (len > 0) {
            int i = (int) (offset & mask);
            int run = Math.min(len, buf.length - i);
            src.get(p, buf, i, run);
            offset += run; p += run; len -= run;
        }
    }

    void get(long offset, byte[] dst, int dstOff, int len) {
        if (offset < head) throw new IllegalStateException("read before head");
        int mask = buf.length - 1;
        while (len > 0) {
            int i = (int) (offset & mask);
            int run = Math.min(len, buf.length - i);
            System.arraycopy(buf, i, dst, dstOff, run);
            offset += run; dstOff += run; len -= run;
        }
    }

    /**
     * A view of {@code [offset, offset + len)} in place — position and limit bound the bytes — or null
     * when the range wraps around the end of the backing array (copy it with {@link #get} then). The
     * view object is reused: valid until the next call or write. No allocation unless the array grew.
     */
    ByteBuffer view(long offset, int len) {
        if (offset < head) throw new IllegalStateException("read before head");
        int i = (int) (offset & (buf.length - 1));
        if (len > buf.length - i) return null;
        ByteBuffer v = view;
        if (v == null || v.array() != buf) view = v = ByteBuffer.wrap(buf);
        return v.limit(i + len).position(i);
    }

    byte get(long offset) {
        return buf[(int) (offset & (buf.length - 1))];
    }
}
