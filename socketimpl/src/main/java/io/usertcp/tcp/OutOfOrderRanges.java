package io.usertcp.tcp;

/**
 * The out-of-order byte ranges a receiver holds beyond RCV.NXT, as sorted, disjoint, non-adjacent
 * half-open intervals of absolute stream offsets. The bytes themselves live in the receive
 * {@link ByteRing}; this only remembers which offsets are filled. Bounded: at most {@code maxRanges}
 * intervals (C7.3). A SACK sender (RFC 2018) can later report these ranges, most recent first.
 */
final class OutOfOrderRanges {
    private final long[] start;
    private final long[] end;
    private int count;

    OutOfOrderRanges(int maxRanges) {
        start = new long[Math.max(1, maxRanges)];
        end = new long[start.length];
    }

    int count() { return count; }
    boolean isEmpty() { return count == 0; }
    long start(int i) { return start[i]; }
    long end(int i) { return end[i]; }

    /** Highest offset held (exclusive), or {@code floor} when empty. */
    long highest(long floor) {
        return count == 0 ? floor : Math.max(floor, end[count - 1]);
    }

    long bytes() {
        long n = 0;
        for (int i = 0; i < count; i++) n += end[i] - start[i];
        return n;
    }

    /**
     * Adds [s, e), merging with neighbours. Returns false (and changes nothing) when the range would
     * need a new interval and the table is full.
     */
    boolean add(long s, long e) {
        if (e <= s) return true;
        int i = 0;
        while (i < count && end[i] < s) i++;             // first interval that touches or follows s
        int j = i;
        while (j < count && start[j] <= e) j++;          // intervals [i, j) touch [s, e)
        if (i == j) {
            if (count == start.length) return false;
            System.arraycopy(start, i, start, i + 1, count - i);
            System.arraycopy(end, i, end, i + 1, count - i);
            start[i] = s;
            end[i] = e;
            count++;
            return true;
        }
        long ns = Math.min(s, start[i]);
        long ne = Math.max(e, end[j - 1]);
        start[i] = ns;
        end[i] = ne;
        int removed = j - i - 1;
        if (removed > 0) {
            System.arraycopy(start, j, start, i + 1, count - j);
            System.arraycopy(end, j, end, i + 1, count - j);
            count -= removed;
        }
        return true;
    }

    /**
     * Removes every interval starting at or before {@code pos} and returns the end of the contiguous
     * run from {@code pos} (or {@code pos} itself when nothing joins it).
     */
    long pullContiguous(long pos) {
        long reach = pos;
        int k = 0;
        while (k < count && start[k] <= reach) {
            reach = Math.max(reach, end[k]);
            k++;
        }
        if (k > 0) {
            System.arraycopy(start, k, start, 0, count - k);
            System.arraycopy(end, k, end, 0, count - k);
            count -= k;
        }
        return reach;
    }

    void clear() {
        count = 0;
    }
}
