package io.usertcp.tcp;

/**
 * The data sender's scoreboard (RFC 6675 §3, RFC 8985 §5.2): one entry per segment sent and not yet
 * cumulatively acknowledged, in sequence order, with its last transmission time and four flags —
 * SACKED, LOST, RETRANS (retransmitted, and that retransmission is not known lost) and EVER_RETRANS
 * (RACK's "Segment.retransmitted"). Positions are the connection's 64-bit send positions
 * ({@link TcpConnection}'s sequence space).
 *
 * <p>Like Linux's retransmit queue, the byte counts the loss-recovery algorithms need are kept as
 * counters updated on every flag change, so RFC 6675 SetPipe() is O(1):
 * {@code pipe = outstanding − SACKed − lost + retransmitted} — "for each octet ... that has not been
 * SACKed: (a) If IsLost (S1) returns false: Pipe is incremented by 1 octet. (b) If S1 <= HighRxt:
 * Pipe is incremented by 1 octet" (RFC 6675 §4 SetPipe), with (b) read per segment as "retransmitted
 * and the retransmission not deemed lost".
 *
 * <p><b>Cost and memory.</b> The entries are parallel primitive arrays (no object per segment); they
 * grow by doubling up to {@code maxEntries} and are reused. A SACK block costs a binary search plus
 * the entries it newly covers (each entry is SACKed once), so processing an ACK is O(blocks + newly
 * SACKed segments), never O(bytes). When the table is full, adjacent untouched entries are coalesced;
 * if that is not enough the last entry absorbs the new range (loss detection only gets coarser).
 *
 * <p><b>Reneging.</b> RFC 2018 §8: "the data sender MUST NOT discard data before it is acknowledged by
 * the Cumulative Acknowledgment" — the bytes stay in the send buffer until SND.UNA passes them; SACK
 * flags can be cleared at any time ({@link #clearSacked()}, after a timeout or when the peer reneges).
 */
final class SackScoreboard {
    static final int SACKED = 1;
    static final int LOST = 2;
    static final int RETRANS = 4;
    static final int EVER_RETRANS = 8;

    /** Told about every segment newly delivered (cumulatively or selectively acknowledged). */
    interface DeliveryListener {
        void delivered(long xmitTime, long end, boolean everRetransmitted);
    }

    private final int maxEntries;
    private long[] start;
    private long[] end;
    private long[] xmit;
    private byte[] flags;
    private int head;             // entries are [head, tail)
    private int tail;
    private long base;            // SND.UNA: first position not cumulatively acknowledged
    private long top;             // end of the highest entry (HighData + 1)

    private long sackedBytes;
    private int sackedSegments;
    private long lostBytes;       // LOST and not SACKED
    private long retransBytes;    // RETRANS and not SACKED
    private long highSacked = -1; // end of the highest SACKed entry, -1 when none (RFC 6675 "HighSACK")
    private long lostHint = Long.MAX_VALUE; // no LOST & !RETRANS & !SACKED entry starts below this
    private long lostHigh = -1;   // end of the highest entry ever marked LOST (scan bound)
    private long retransHigh = -1; // end of the highest entry ever retransmitted (RACK scan bound)

    SackScoreboard(int maxEntries) {
        this.maxEntries = Math.max(16, maxEntries);
        int n = Math.min(64, this.maxEntries);
        start = new long[n];
        end = new long[n];
        xmit = new long[n];
        flags = new byte[n];
    }

    // ------------------------------------------------------------------------------- accessors

    int size() { return tail - head; }
    boolean isEmpty() { return tail == head; }
    long base() { return base; }
    long top() { return top; }
    long sackedBytes() { return sackedBytes; }
    int sackedSegments() { return sackedSegments; }
    long lostBytes() { return lostBytes; }
    long retransmittedBytes() { return retransBytes; }
    /** The end of the highest SACKed segment, or -1 when nothing is SACKed. */
    long highSacked() { return highSacked; }
    boolean hasSacked() { return sackedBytes > 0; }

    /** RFC 6675 §4 SetPipe(), kept as counters: outstanding − SACKed − lost + retransmitted. */
    long pipe() {
        return Math.max(0, (top - base) - sackedBytes - lostBytes + retransBytes);
    }

    int flagsAt(int k) { return flags[k]; }
    long startAt(int k) { return start[k]; }
    long endAt(int k) { return end[k]; }
    long xmitAt(int k) { return xmit[k]; }
    int headIndex() { return head; }
    int tailIndex() { return tail; }

    /** Forgets every entry: nothing is in flight from {@code pos} on (a go-back-N rewind). */
    void reset(long pos) {
        head = tail = 0;
        base = top = pos;
        sackedBytes = lostBytes = retransBytes = 0;
        sackedSegments = 0;
        highSacked = -1;
        lostHint = Long.MAX_VALUE;
        lostHigh = retransHigh = -1;
    }

    // ------------------------------------------------------------------------------- transmissions

    /**
     * A transmission of [from, to) at {@code now}. Beyond {@link #top()} it is new data (a new entry);
     * below it, the entries it covers are marked retransmitted (split at the edges when needed).
     */
    void onSend(long from, long to, long now) {
        if (to <= from) return;
        if (isEmpty() && top == base && from > top) top = base = from;
        if (from < top) {
            long rEnd = Math.min(to, top);
            int i = split(from);
            int j = split(rEnd);
            if (i < 0) i = indexOf(from);
            if (j < 0) j = firstAtOrAbove(rEnd);
            for (int k = Math.max(i, head); k < j; k++) markRetransmitted(k, now);
        }
        if (to > top) append(Math.max(from, top), to, now);
    }

    private void markRetransmitted(int k, long now) {
        int f = flags[k];
        if ((f & SACKED) != 0) return;
        xmit[k] = now;
        if ((f & RETRANS) == 0) retransBytes += end[k] - start[k];
        flags[k] = (byte) (f | RETRANS | EVER_RETRANS);
        if (end[k] > retransHigh) retransHigh = end[k];
    }

    private void append(long from, long to, long now) {
        if (tail == start.length) makeRoom();
        if (tail - head >= maxEntries) {
            coalesce();
            if (tail - head >= maxEntries) {
                // Still full: the last entry absorbs the range, as one segment sent now.
                int k = tail - 1;
                uncount(k);
                end[k] = to;
                xmit[k] = now;
                flags[k] = (byte) (flags[k] & EVER_RETRANS);
                top = to;
                return;
            }
            if (tail == start.length) makeRoom();
        }
        start[tail] = from;
        end[tail] = to;
        xmit[tail] = now;
        flags[tail] = 0;
        tail++;
        top = to;
    }

    /** Makes sure index {@code tail} is usable: compacts to 0 or grows the arrays (up to maxEntries). */
    private void makeRoom() {
        int n = tail - head;
        if (head > 0 && n < start.length * 3 / 4) {
            System.arraycopy(start, head, start, 0, n);
            System.arraycopy(end, head, end, 0, n);
            System.arraycopy(xmit, head, xmit, 0, n);
            System.arraycopy(flags, head, flags, 0, n);
        } else {
            int cap = Math.min(Math.max(start.length * 2, 16), maxEntries + 2);
            if (cap <= start.length) cap = start.length + 2;
            long[] s = new long[cap], e = new long[cap], x = new long[cap];
            byte[] f = new byte[cap];
            System.arraycopy(start, head, s, 0, n);
            System.arraycopy(end, head, e, 0, n);
            System.arraycopy(xmit, head, x, 0, n);
            System.arraycopy(flags, head, f, 0, n);
            start = s;
            end = e;
            xmit = x;
            flags = f;
        }
        head = 0;
        tail = n;
    }

    /** Merges neighbours that were sent once and carry no flag (they behave as one segment). */
    private void coalesce() {
        int w = head;
        for (int k = head; k < tail; k++) {
            if (w > head && flags[w - 1] == 0 && flags[k] == 0 && end[w - 1] == start[k]) {
                end[w - 1] = end[k];
                xmit[w - 1] = Math.max(xmit[w - 1], xmit[k]);
                continue;
            }
            if (w != k) {
                start[w] = start[k];
                end[w] = end[k];
                xmit[w] = xmit[k];
                flags[w] = flags[k];
            }
            w++;
        }
        tail = w;
    }

    /** Removes an entry's contribution from the counters (before it changes or disappears). */
    private void uncount(int k) {
        long len = end[k] - start[k];
        int f = flags[k];
        if ((f & SACKED) != 0) {
            sackedBytes -= len;
            sackedSegments--;
        } else {
            if ((f & LOST) != 0) lostBytes -= len;
            if ((f & RETRANS) != 0) retransBytes -= len;
        }
    }

    private void count(int k) {
        long len = end[k] - start[k];
        int f = flags[k];
        if ((f & SACKED) != 0) {
            sackedBytes += len;
            sackedSegments++;
        } else {
            if ((f & LOST) != 0) lostBytes += len;
            if ((f & RETRANS) != 0) retransBytes += len;
        }
    }

    // ------------------------------------------------------------------------------- lookup

    /** Index of the entry holding {@code pos}, or the first one above it ({@code tail} when none). */
    int indexOf(long pos) {
        int lo = head, hi = tail - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (end[mid] <= pos) lo = mid + 1;
            else if (start[mid] > pos) hi = mid - 1;
            else return mid;
        }
        return lo;
    }

    private int firstAtOrAbove(long pos) {
        int k = indexOf(pos);
        if (k < tail && start[k] < pos) k++;
        return k;
    }

    /**
     * Splits the entry holding {@code pos} so that an entry starts there; returns the index of the
     * entry starting at {@code pos} (or {@code tail} when pos is at or beyond the top), -1 when the
     * table is full and the split could not be made.
     */
    int split(long pos) {
        int k = indexOf(pos);
        if (k >= tail || start[k] >= pos) return k;
        if (tail - head >= maxEntries) {
            coalesce();
            k = indexOf(pos);
            if (k >= tail || start[k] >= pos) return k;
            if (tail - head >= maxEntries) return -1;
        }
        if (tail == start.length) {
            makeRoom();
            k = indexOf(pos);
        }
        System.arraycopy(start, k + 1, start, k + 2, tail - k - 1);
        System.arraycopy(end, k + 1, end, k + 2, tail - k - 1);
        System.arraycopy(xmit, k + 1, xmit, k + 2, tail - k - 1);
        System.arraycopy(flags, k + 1, flags, k + 2, tail - k - 1);
        tail++;
        // Byte counters do not change; a SACKed segment becomes two.
        if ((flags[k] & SACKED) != 0) sackedSegments++;
        start[k + 1] = pos;
        end[k + 1] = end[k];
        xmit[k + 1] = xmit[k];
        flags[k + 1] = flags[k];
        end[k] = pos;
        return k + 1;
    }

    // ------------------------------------------------------------------------------- acknowledgments

    /**
     * The cumulative ACK moved SND.UNA to {@code una}: drops the entries below it, telling
     * {@code l} about each one that was not SACKed before (RACK, RFC 8985 §6.2 step 2).
     */
    void ackedTo(long una, DeliveryListener l) {
        if (una <= base) return;
        while (head < tail && end[head] <= una) {
            if ((flags[head] & SACKED) == 0 && l != null) {
                l.delivered(xmit[head], end[head], (flags[head] & EVER_RETRANS) != 0);
            }
            uncount(head);
            head++;
        }
        if (head < tail && start[head] < una) {
            // Part of a segment acknowledged (the peer's segmentation differs from ours).
            if ((flags[head] & SACKED) == 0 && l != null) {
                l.delivered(xmit[head], una, (flags[head] & EVER_RETRANS) != 0);
            }
            uncount(head);
            start[head] = una;
            count(head);
        }
        if (head == tail) {
            head = tail = 0;
            if (top < una) top = una;
        }
        base = una;
        if (highSacked <= una) highSacked = -1;
        if (lostHigh <= una) lostHigh = -1;
        if (retransHigh <= una) retransHigh = -1;
    }

    /**
     * One SACK block [left, right): marks the segments it covers, splitting at its edges when they
     * fall inside a segment. Returns the bytes newly SACKed. Blocks outside (SND.UNA, top] are ignored
     * (RFC 2883 §4: a block below the cumulative ACK is a D-SACK, handled by the caller).
     */
    long sack(long left, long right, DeliveryListener l) {
        left = Math.max(left, base);
        right = Math.min(right, top);
        if (left >= right || isEmpty()) return 0;
        int i = split(left);
        if (i < 0) i = firstAtOrAbove(left);
        int j = split(right);
        if (j < 0) j = indexOf(right);          // the partly covered last entry stays un-SACKed
        long n = 0;
        for (int k = i; k < j; k++) {
            int f = flags[k];
            if ((f & SACKED) != 0) continue;
            if (end[k] > right) break;
            uncount(k);
            flags[k] = (byte) (f | SACKED);
            count(k);
            n += end[k] - start[k];
            if (end[k] > highSacked) highSacked = end[k];
            if (l != null) l.delivered(xmit[k], end[k], (f & EVER_RETRANS) != 0);
        }
        return n;
    }

    /** True when the segment at SND.UNA is SACKed: the receiver discarded SACKed data (RFC 2018 §8). */
    boolean headSacked() {
        return head < tail && (flags[head] & SACKED) != 0;
    }

    /** RFC 2018 §8: forget every SACK (after a timeout, or when the receiver reneged). */
    void clearSacked() {
        for (int k = head; k < tail; k++) {
            if ((flags[k] & SACKED) != 0) {
                uncount(k);
                flags[k] &= ~SACKED;
                count(k);
                if ((flags[k] & LOST) != 0 && (flags[k] & RETRANS) == 0) lostHint = Math.min(lostHint, start[k]);
            }
        }
        highSacked = -1;
    }

    // ------------------------------------------------------------------------------- loss marking

    /** Marks entry {@code k} lost (again, when its retransmission was lost too). */
    boolean markLost(int k) {
        int f = flags[k];
        if ((f & SACKED) != 0) return false;
        if ((f & LOST) != 0 && (f & RETRANS) == 0) return false;
        uncount(k);
        flags[k] = (byte) ((f | LOST) & ~RETRANS);
        count(k);
        if (start[k] < lostHint) lostHint = start[k];
        if (end[k] > lostHigh) lostHigh = end[k];
        return true;
    }

    /** Marks the segment at SND.UNA lost (NewReno fast retransmit and partial ACK, RFC 6582). */
    boolean markHeadLost() {
        return head < tail && markLost(head);
    }

    /**
     * After a retransmission timeout: every segment is lost and no retransmission is in flight any
     * more (RFC 6675 §5.1, RFC 8985 §6.3 "mark all ... as lost"). SACK flags are kept; the caller
     * clears them first when it ignores SACK information.
     */
    void markAllLost() {
        for (int k = head; k < tail; k++) {
            int f = flags[k];
            if ((f & SACKED) != 0) continue;
            uncount(k);
            flags[k] = (byte) ((f | LOST) & ~RETRANS);
            count(k);
        }
        if (head < tail) {
            lostHint = start[head];
            lostHigh = top;
        }
    }

    /**
     * RFC 6675 §4 IsLost(), applied to every segment: "The routine returns true when either DupThresh
     * discontiguous SACKed sequences have arrived above 'SeqNum' or more than (DupThresh - 1) * SMSS
     * bytes with sequence numbers greater than 'SeqNum' have been SACKed." Finds the boundary below
     * which IsLost() holds (walking down from the highest SACKed segment) and marks the un-SACKed
     * segments below it lost. Returns the boundary (-1 when none).
     */
    long markLostByDupThresh(int dupThresh, int smss) {
        if (sackedSegments == 0) return -1;
        int segs = 0;
        long bytes = 0;
        long boundary = -1;
        for (int k = tail - 1; k >= head; k--) {
            if ((flags[k] & SACKED) == 0) continue;
            segs++;
            bytes += end[k] - start[k];
            if (segs >= dupThresh || bytes > (long) (dupThresh - 1) * smss) {
                boundary = start[k];
                break;
            }
        }
        if (boundary < 0) return -1;
        for (int k = head; k < tail && end[k] <= boundary; k++) {
            int f = flags[k];
            if ((f & (SACKED | LOST)) == 0) markLost(k);
        }
        return boundary;
    }

    /** RFC 6675 §4 IsLost(pos) from the same counts. */
    boolean isLost(long pos, int dupThresh, int smss) {
        int segs = 0;
        long bytes = 0;
        for (int k = tail - 1; k >= head && end[k] > pos; k--) {
            if ((flags[k] & SACKED) == 0 || start[k] <= pos) continue;
            segs++;
            bytes += end[k] - start[k];
            if (segs >= dupThresh || bytes > (long) (dupThresh - 1) * smss) return true;
        }
        return false;
    }

    // ------------------------------------------------------------------------------- NextSeg() helpers

    /** Index of the lowest segment marked lost and not retransmitted since, or -1 (NextSeg rule 1). */
    int firstLostToSend() {
        if (lostBytes == 0 || lostHint == Long.MAX_VALUE) return -1;
        int k = indexOf(Math.max(lostHint, base));
        for (; k < tail && start[k] < lostHigh; k++) {
            int f = flags[k];
            if ((f & LOST) != 0 && (f & (RETRANS | SACKED)) == 0) {
                lostHint = start[k];
                return k;
            }
        }
        lostHint = Long.MAX_VALUE;
        return -1;
    }

    /**
     * NextSeg rule 3 (RFC 6675 §4): the lowest un-SACKed segment at or above {@code highRxt}, below
     * the highest SACKed byte, not retransmitted (its loss not established). -1 when none.
     */
    int firstUnsackedAbove(long highRxt) {
        if (highSacked < 0) return -1;
        for (int k = indexOf(Math.max(highRxt, base)); k < tail && start[k] < highSacked; k++) {
            if (start[k] < highRxt) continue;
            if ((flags[k] & (SACKED | RETRANS)) == 0) return k;
        }
        return -1;
    }

    /** NextSeg rule 4: the highest un-SACKed segment, or -1. */
    int highestUnsacked() {
        for (int k = tail - 1; k >= head; k--) {
            if ((flags[k] & SACKED) == 0) return k;
        }
        return -1;
    }

    /** The highest segment sent (TLP retransmits it, RFC 8985 §7.3), or -1. */
    int last() {
        return tail > head ? tail - 1 : -1;
    }

    /** End of the highest entry ever retransmitted and not yet acknowledged, or -1. */
    long retransHigh() { return retransHigh; }

    /** Recomputes the counters from the flags (tests check that incremental updates are exact). */
    long[] recount() {
        long s = 0, l = 0, r = 0, n = 0;
        for (int k = head; k < tail; k++) {
            long len = end[k] - start[k];
            if ((flags[k] & SACKED) != 0) {
                s += len;
                n++;
            } else {
                if ((flags[k] & LOST) != 0) l += len;
                if ((flags[k] & RETRANS) != 0) r += len;
            }
        }
        return new long[] {s, l, r, n};
    }
}
