package io.usertcp.tcp;

/**
 * The data sender's SACK scoreboard (RFC 6675 §3, a first step): which ranges above SND.UNA the peer
 * has selectively acknowledged, as sorted disjoint intervals of send positions (see
 * {@link TcpConnection}'s sequence space). The connection uses it during fast recovery to retransmit
 * only the holes (C2.12). Bounded ({@code maxRanges}); blocks beyond the bound are ignored, which only
 * makes the sender retransmit more. SACKed data is never freed before the cumulative ACK covers it
 * (RFC 2018 §8: the receiver may renege).
 */
final class SackScoreboard {
    private final OutOfOrderRanges ranges;

    SackScoreboard(int maxRanges) {
        ranges = new OutOfOrderRanges(maxRanges);
    }

    boolean isEmpty() { return ranges.isEmpty(); }
    long sackedBytes() { return ranges.bytes(); }

    /**
     * Records one block [left, right) of positions. RFC 2018 §4 / RFC 2883 §4: a block at or below
     * SND.UNA is a D-SACK (or stale) and is not added; a block beyond what was sent is bogus.
     */
    void add(long left, long right, long sndUna, long sndMax) {
        if (left >= right || right <= sndUna || right > sndMax || left < sndUna) return;
        ranges.add(left, right);
    }

    /** SND.UNA advanced: forget everything below it. */
    void ackedTo(long sndUna) {
        if (ranges.isEmpty() || ranges.start(0) >= sndUna) return;
        long reach = ranges.pullContiguous(sndUna);
        if (reach > sndUna) ranges.add(sndUna, reach);
    }

    /** The end of the SACKed range holding {@code pos}, or {@code pos} when it is not SACKed. */
    long skipSacked(long pos) {
        for (int i = 0; i < ranges.count(); i++) {
            if (ranges.start(i) <= pos && pos < ranges.end(i)) return ranges.end(i);
            if (ranges.start(i) > pos) break;
        }
        return pos;
    }

    /** The start of the first SACKed range above {@code pos}, or Long.MAX_VALUE. */
    long nextSackedAfter(long pos) {
        for (int i = 0; i < ranges.count(); i++) {
            if (ranges.start(i) > pos) return ranges.start(i);
        }
        return Long.MAX_VALUE;
    }

    /** The highest SACKed position (exclusive), or {@code floor} when nothing is SACKed. */
    long highest(long floor) {
        return ranges.highest(floor);
    }

    void clear() {
        ranges.clear();
    }
}
