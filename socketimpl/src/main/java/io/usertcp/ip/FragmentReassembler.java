package io.usertcp.ip;

import io.usertcp.wire.Checksum;
import io.usertcp.wire.DropReason;
import io.usertcp.wire.Ipv4Header;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * IPv4 fragment reassembly (RFC 791 §3.2 "reassembly", RFC 1122 §3.3.2, RFC 815 in spirit) with
 * bounded memory and a fixed timeout. Datagrams are keyed by (source, destination, protocol,
 * identification).
 *
 * <p><b>Bounds.</b> At most {@code maxDatagrams} datagrams and {@code maxBytes} bytes (buffer capacity
 * plus a fixed overhead per datagram) are held. When a new fragment needs room, the <em>oldest</em>
 * datagrams are evicted first and counted as {@link DropReason#FRAGMENT_NO_MEMORY}; so a flood of
 * never-completed datagrams keeps memory at the cap and a datagram whose fragments arrive close
 * together still completes. A datagram larger than the whole budget is refused.
 *
 * <p><b>Overlaps.</b> RFC 5722 (written for IPv6, applied here in spirit, as Linux does for IPv4 since
 * 4.19) drops a datagram with overlapping fragments, because overlaps are how IDS evasion and
 * "teardrop" attacks work. We keep one case RFC 791 retransmissions produce: bytes that overlap
 * identical bytes already held are accepted (an exact duplicate is counted as
 * {@link IpStats.Counter#FRAGMENTS_DUPLICATE}); an overlap with <em>different</em> bytes drops the
 * whole datagram ({@link DropReason#FRAGMENT_OVERLAP}).
 *
 * <p><b>Timeout.</b> RFC 1122 §3.3.2: "The IP reassembly timeout value SHOULD be a fixed value, not set
 * from the remaining TTL. It is recommended that the value lie between 60 seconds and 120 seconds."
 * The default here is 30 s, Linux's {@code ipfrag_time}: we follow Linux because the stack is meant to
 * look like it and a shorter hold frees memory sooner under attack. The clock is never read: callers
 * pass {@code now} (nanoseconds) and call {@link #expire} by {@link #nextDeadline()}. "If the
 * reassembly timeout expires, the partially-reassembled datagram MUST be discarded and an ICMP Time
 * Exceeded message sent to the source host (if fragment zero has been received)": {@link #expire}
 * hands the quote for that message (original header + 8 bytes) to an {@link ExpiryListener}.
 *
 * <p>Not thread-safe: the stack calls it under the engine lock. Holds no per-connection state.
 */
public final class FragmentReassembler {
    public static final long DEFAULT_TIMEOUT_NANOS = 30_000_000_000L;
    /** Linux {@code ipfrag_high_thresh} default. */
    public static final int DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
    public static final int DEFAULT_MAX_DATAGRAMS = 256;
    /** Bytes charged per held datagram besides its buffer (key, bitmap, header copy). */
    static final int OVERHEAD = 256;
    private static final int MIN_CAPACITY = 2048;

    /** Told about each datagram given up on timeout whose fragment zero had arrived. */
    @FunctionalInterface
    public interface ExpiryListener {
        /**
         * @param quote the original IP header of fragment zero and up to 8 bytes of its data
         *              (position 0, limit = length), what an ICMP Time Exceeded (code 1) quotes
         */
        void expired(ByteBuffer quote, long now);
    }

    private record Key(int src, int dst, int protocol, int id) {}

    private static final class Datagram {
        final long deadline;
        byte[] data = new byte[0];
        final BitSet blocks = new BitSet(); // 8-byte blocks received
        int blockCount;                     // cardinality of blocks
        int maxEnd;                         // highest byte end received
        int total = -1;                     // payload length, known once the last fragment arrived
        byte[] header;                      // fragment zero's IP header, once it arrived

        Datagram(long deadline) {
            this.deadline = deadline;
        }

        int charge() {
            return data.length + OVERHEAD;
        }
    }

    private final int maxBytes;
    private final int maxDatagrams;
    private final long timeoutNanos;
    private final IpStats stats;
    /** Insertion order = creation order = deadline order (the timeout is fixed). */
    private final LinkedHashMap<Key, Datagram> datagrams = new LinkedHashMap<>();
    private int bytesHeld;

    public FragmentReassembler(IpStats stats) {
        this(DEFAULT_MAX_BYTES, DEFAULT_MAX_DATAGRAMS, DEFAULT_TIMEOUT_NANOS, stats);
    }

    public FragmentReassembler(int maxBytes, int maxDatagrams, long timeoutNanos, IpStats stats) {
        if (maxBytes < OVERHEAD || maxDatagrams < 1 || timeoutNanos <= 0) {
            throw new IllegalArgumentException("maxBytes " + maxBytes + " maxDatagrams " + maxDatagrams
                    + " timeoutNanos " + timeoutNanos);
        }
        this.maxBytes = maxBytes;
        this.maxDatagrams = maxDatagrams;
        this.timeoutNanos = timeoutNanos;
        this.stats = stats;
    }

    /** Bytes charged against the cap right now. */
    public int bytesHeld() {
        return bytesHeld;
    }

    /** Incomplete datagrams held right now. */
    public int datagramsHeld() {
        return datagrams.size();
    }

    /** Earliest timeout of a held datagram, {@code Long.MAX_VALUE} when none. */
    public long nextDeadline() {
        Iterator<Datagram> it = datagrams.values().iterator();
        return it.hasNext() ? it.next().deadline : Long.MAX_VALUE;
    }

    /**
     * Discards every datagram whose timeout is due at {@code now}, counting
     * {@link DropReason#FRAGMENT_TIMEOUT}; {@code listener} (may be null) gets the quote of those whose
     * fragment zero had arrived.
     */
    public void expire(long now, ExpiryListener listener) {
        Iterator<Datagram> it = datagrams.values().iterator();
        while (it.hasNext()) {
            Datagram d = it.next();
            if (d.deadline - now > 0) {
                break;
            }
            it.remove();
            bytesHeld -= d.charge();
            stats.drop(DropReason.FRAGMENT_TIMEOUT);
            if (listener != null && d.header != null) {
                int q = Math.min(8, d.data.length);
                ByteBuffer quote = ByteBuffer.allocate(d.header.length + q);
                quote.put(0, d.header).put(d.header.length, d.data, 0, q);
                listener.expired(quote, now);
            }
        }
    }

    /**
     * Takes one validated fragment ({@code ip.isFragment()}; its payload is read at
     * {@code ip.payloadOffset()} for {@code ip.payloadLength()} bytes and copied). Returns the
     * reassembled datagram in a new buffer (the header of fragment zero with flags/offset cleared,
     * total length and checksum updated, then the payload; position 0, limit = total length) when this
     * fragment completed it, else null. Drops are counted in {@link IpStats}. Expires due datagrams
     * first (without a listener; call {@link #expire} from the timer to send ICMP).
     */
    public ByteBuffer offer(Ipv4Header ip, long now) {
        stats.increment(IpStats.Counter.FRAGMENTS_RECEIVED);
        expire(now, null);
        ByteBuffer buf = ip.buffer();
        int start = ip.fragmentOffset();
        int len = ip.payloadLength();
        int end = start + len;
        boolean more = ip.moreFragments();
        int hl = ip.headerLength();
        // RFC 791 §3.1: every fragment but the last carries a multiple of 8 octets.
        if (more && (len == 0 || (len & 7) != 0)) {
            stats.drop(DropReason.FRAGMENT_BAD);
            return null;
        }
        // Ping of death: the datagram could not have been sent (total length is 16 bits).
        if (hl + end > Ipv4Header.MAX_TOTAL_LENGTH) {
            stats.drop(DropReason.FRAGMENT_TOO_BIG);
            return null;
        }
        Key key = new Key(ip.src(), ip.dst(), ip.protocol(), ip.identification());
        Datagram d = datagrams.get(key);
        if (d == null) {
            if (!makeRoom(OVERHEAD, null)) {
                stats.drop(DropReason.FRAGMENT_NO_MEMORY);
                return null;
            }
            d = new Datagram(now + timeoutNanos);
            datagrams.put(key, d);
            bytesHeld += d.charge();
        }
        // Consistency of the end of the datagram.
        if (!more) {
            if ((d.total >= 0 && d.total != end) || d.maxEnd > end) {
                discard(key, d, DropReason.FRAGMENT_BAD);
                return null;
            }
            d.total = end;
        } else if (d.total >= 0 && end > d.total) {
            discard(key, d, DropReason.FRAGMENT_BAD);
            return null;
        }
        // Overlap check against blocks already held.
        int firstBlock = start >>> 3;
        int endBlock = (end + 7) >>> 3;
        int newBlocks = 0;
        for (int b = firstBlock; b < endBlock; b++) {
            if (d.blocks.get(b)) {
                int from = Math.max(start, b << 3);
                int to = Math.min(end, Math.min((b + 1) << 3, d.total >= 0 ? d.total : Integer.MAX_VALUE));
                if (!sameBytes(d.data, from, buf, ip.payloadOffset() + (from - start), to - from)) {
                    discard(key, d, DropReason.FRAGMENT_OVERLAP);
                    return null;
                }
            } else {
                newBlocks++;
            }
        }
        if (newBlocks == 0 && len > 0) {
            // Nothing new (its bytes equal what we hold); it may still have told us the end (a last
            // fragment), so fall through to the completion check without copying.
            stats.increment(IpStats.Counter.FRAGMENTS_DUPLICATE);
        } else if (end > d.data.length) {
            // Grow the buffer within the budget.
            int cap = d.total >= 0 ? d.total
                    : Math.min(Ipv4Header.MAX_TOTAL_LENGTH, Math.max(end, Math.max(MIN_CAPACITY, 2 * d.data.length)));
            int extra = cap - d.data.length;
            if (!makeRoom(extra, d)) {
                discard(key, d, DropReason.FRAGMENT_NO_MEMORY);
                return null;
            }
            d.data = Arrays.copyOf(d.data, cap);
            bytesHeld += extra;
        }
        if (newBlocks > 0) {
            buf.get(ip.payloadOffset(), d.data, start, len);
            d.blocks.set(firstBlock, endBlock);
            d.blockCount = d.blocks.cardinality();
        }
        d.maxEnd = Math.max(d.maxEnd, end);
        if (start == 0 && d.header == null) {
            d.header = new byte[hl];
            buf.get(ip.offset(), d.header);
        }
        if (d.total < 0 || d.header == null || d.blockCount != (d.total + 7) >>> 3) {
            return null;
        }
        // Complete.
        datagrams.remove(key);
        bytesHeld -= d.charge();
        int dhl = d.header.length;
        if (dhl + d.total > Ipv4Header.MAX_TOTAL_LENGTH) {
            stats.drop(DropReason.FRAGMENT_TOO_BIG);
            return null;
        }
        ByteBuffer out = ByteBuffer.allocate(dhl + d.total);
        out.put(0, d.header).put(dhl, d.data, 0, d.total);
        out.putShort(Ipv4Header.TOTAL_LENGTH, (short) (dhl + d.total));
        out.putShort(Ipv4Header.FLAGS_FRAGMENT, (short) 0);
        out.putShort(Ipv4Header.CHECKSUM, (short) 0);
        out.putShort(Ipv4Header.CHECKSUM, (short) Checksum.compute(out, 0, dhl));
        stats.increment(IpStats.Counter.DATAGRAMS_REASSEMBLED);
        return out;
    }

    private static boolean sameBytes(byte[] held, int from, ByteBuffer buf, int bufOff, int n) {
        for (int i = 0; i < n; i++) {
            if (held[from + i] != buf.get(bufOff + i)) {
                return false;
            }
        }
        return true;
    }

    private void discard(Key key, Datagram d, DropReason reason) {
        datagrams.remove(key);
        bytesHeld -= d.charge();
        stats.drop(reason);
    }

    /**
     * Evicts the oldest datagrams (never {@code keep}) until {@code extra} more bytes and, when
     * {@code keep} is null (a new datagram), one more datagram fit. False when they cannot fit.
     */
    private boolean makeRoom(int extra, Datagram keep) {
        if (extra > maxBytes - (keep == null ? 0 : keep.charge())) {
            return false;
        }
        Iterator<Datagram> it = datagrams.values().iterator();
        while (bytesHeld + extra > maxBytes || (keep == null && datagrams.size() >= maxDatagrams)) {
            if (!it.hasNext()) {
                return false;
            }
            Datagram victim = it.next();
            if (victim == keep) {
                continue;
            }
            it.remove();
            bytesHeld -= victim.charge();
            stats.drop(DropReason.FRAGMENT_NO_MEMORY);
        }
        return true;
    }
}
