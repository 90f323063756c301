package io.usertcp.tcp;

/**
 * The data receiver's side of SACK (RFC 2018 §4) and D-SACK (RFC 2883): which blocks the next ACK
 * reports. Offsets are data offsets (0-based stream offsets, as in {@link OutOfOrderRanges}); the
 * connection turns them into sequence numbers. Pure and allocation-free after construction.
 *
 * <p>RFC 2018 §4: "The first SACK block (i.e., the one immediately following the kind and length
 * fields in the option) MUST specify the contiguous block of data containing the segment which
 * triggered this ACK, unless that segment advanced the Acknowledgment Number field in the header";
 * "The SACK option SHOULD be filled out by repeating the most recently reported SACK blocks ... that
 * are not subsets of a SACK block already included in the SACK option being constructed".
 */
final class SackReporter {
    static final int MAX_RECENT = 4;

    private final long[] recent = new long[MAX_RECENT]; // a start offset inside each recent block, newest first
    private int recentCount;
    private long dupStart = -1, dupEnd;                  // D-SACK range to report once, -1 none
    private long dsacksSent;

    long dsacksSent() { return dsacksSent; }
    boolean dsackPending() { return dupStart >= 0; }

    /** An out-of-order segment [s, e) was stored: its block becomes the first to report. */
    void onOutOfOrder(long s, long e) {
        int w = 0;
        for (int i = 0; i < recentCount && w < MAX_RECENT - 1; i++) {
            long r = recent[i];
            if (r >= s && r < e) continue; // the same block
            recentTmp[w++] = r;
        }
        recent[0] = s;
        System.arraycopy(recentTmp, 0, recent, 1, w);
        recentCount = w + 1;
    }

    private final long[] recentTmp = new long[MAX_RECENT];

    /**
     * RFC 2883 §4: "If the data receiver receives a duplicate segment, the first block of the SACK
     * option ... [is] a D-SACK block" reporting [s, e), sent in the next ACK only.
     */
    void onDuplicate(long s, long e) {
        if (e <= s) return;
        dupStart = s;
        dupEnd = e;
    }

    /** Forgets everything (connection reset, input shut down). */
    void clear() {
        recentCount = 0;
        dupStart = -1;
    }

    /** An upper bound of {@link #fill}'s result, without side effects (to size a segment, C2.17). */
    int maxBlocks(OutOfOrderRanges ooo, int max) {
        return Math.min(max, ooo.count() + (dupStart >= 0 ? 1 : 0));
    }

    /**
     * Writes up to {@code max} blocks as start,end pairs into {@code out} (length ≥ 2 * max): the
     * D-SACK block first (once), then the blocks holding the most recently received segments, then
     * the other held ranges from the highest down. Returns the count.
     */
    int fill(OutOfOrderRanges ooo, int max, long[] out) {
        int n = 0;
        int from = 0; // blocks after the D-SACK one are checked for repeats
        if (dupStart >= 0 && max > 0) {
            out[0] = dupStart;
            out[1] = dupEnd;
            n = 1;
            dsacksSent++;
            // RFC 2883 §4 (3): "If the D-SACK block reports a duplicate contiguous sequence from a
            // (possibly larger) block of data in the receiver's data queue above the cumulative
            // acknowledgement, then the second SACK block ... SHOULD specify this block".
            int i = find(ooo, dupStart);
            if (i >= 0 && n < max) {
                out[2] = ooo.start(i);
                out[3] = ooo.end(i);
                n = 2;
            }
            dupStart = -1;
            from = 1;
        }
        int kept = 0;
        for (int r = 0; r < recentCount; r++) {
            int i = find(ooo, recent[r]);
            if (i < 0) continue; // delivered in order meanwhile: no longer reported
            recent[kept++] = recent[r];
            if (n < max && !already(out, from, n, ooo.start(i))) {
                out[2 * n] = ooo.start(i);
                out[2 * n + 1] = ooo.end(i);
                n++;
            }
        }
        recentCount = kept;
        for (int i = ooo.count() - 1; i >= 0 && n < max; i--) {
            if (!already(out, from, n, ooo.start(i))) {
                out[2 * n] = ooo.start(i);
                out[2 * n + 1] = ooo.end(i);
                n++;
            }
        }
        return n;
    }

    private static int find(OutOfOrderRanges ooo, long off) {
        for (int i = 0; i < ooo.count(); i++) {
            if (ooo.start(i) <= off && off < ooo.end(i)) return i;
        }
        return -1;
    }

    private static boolean already(long[] out, int from, int n, long start) {
        for (int k = from; k < n; k++) if (out[2 * k] == start) return true;
        return false;
    }
}
