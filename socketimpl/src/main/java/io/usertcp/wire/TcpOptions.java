package io.usertcp.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The TCP options of one segment, parsed once (RFC 9293 §3.2, RFC 7323, RFC 2018).
 *
 * @param mss            maximum segment size (kind 2), 0..65535, or -1 when absent
 * @param windowScale    window scale shift count (kind 3), 0..14, or -1 when absent
 * @param sackPermitted  SACK-permitted present (kind 4)
 * @param hasTimestamps  timestamps present (kind 8); {@code tsVal}/{@code tsEcr} are 0 otherwise
 * @param tsVal          TSval, 32 bits unsigned, compare through {@link Seq}
 * @param tsEcr          TSecr, 32 bits unsigned
 * @param sackBlocks     SACK blocks (kind 5) as left,right pairs of sequence numbers; length 0 when
 *                       none, at most 8 (4 blocks). Treat as read-only.
 *
 * <p><b>Parsing policy.</b> EOL ends the list; NOP is skipped; an option of a kind we do not know is
 * skipped by its length (RFC 9293 §3.2 MUST-6: "MUST ignore without error any TCP option it does not
 * implement, assuming that the option has a length field"). A known kind with the wrong length is
 * ignored the same way (as Linux {@code tcp_parse_options} does). An option whose length byte is 0 or 1
 * or that runs past the header makes the whole segment malformed: RFC 9293 §3.2 MUST-7: "MUST be
 * prepared to handle an illegal option length (e.g., zero); a suggested procedure is to reset the
 * connection and log the error cause". We drop the segment and count {@link DropReason#BAD_TCP_OPTION}
 * rather than reset: a reset would let a blind attacker kill connections with one forged segment, and
 * dropping is what smoltcp does. Linux ({@code tcp_parse_options}: "silly options" / "don't parse
 * partial options") and gVisor ({@code ParseTCPOptions}) instead stop parsing at the bad option, keep
 * what they read so far and process the segment. We deliberately differ: a conforming peer never sends
 * such a segment, so the difference is visible only to a broken or hostile one, and a segment whose
 * option area is garbage is not trusted for its other fields either.
 *
 * <p>A window scale above 14 is clamped: RFC 7323 §2.3: "the TCP SHOULD log the error but MUST use 14
 * instead of the specified value". The log goes to System.Logger {@code io.usertcp.wire} at DEBUG.
 *
 * <p><b>Value class, and transient holders</b> (as {@link TcpSegment}): instances from the
 * constructor, {@link #parse} and the {@code with…} methods are immutable values (this was a record;
 * the API is unchanged). {@link #newTransient()} makes a holder the engine refills per packet
 * ({@link #parseInto}, {@link #setTimestampsOnly}, {@link #setSackBlocks}) with no allocation: its
 * {@link #sackBlocks()} array is one of four preallocated arrays, valid only until the next refill.
 * Keep a {@link #copy()}.
 */
public final class TcpOptions {
    private int mss, windowScale;
    private boolean sackPermitted, hasTimestamps;
    private int tsVal, tsEcr;
    private int[] sackBlocks;
    /** Transient holders only: a preallocated array of 2, 4, 6 and 8 ints for each block count. */
    private final int[][] blockArrays;

    public static final int KIND_EOL = 0, KIND_NOP = 1, KIND_MSS = 2, KIND_WINDOW_SCALE = 3,
            KIND_SACK_PERMITTED = 4, KIND_SACK = 5, KIND_TIMESTAMPS = 8;
    public static final int LEN_MSS = 4, LEN_WINDOW_SCALE = 3, LEN_SACK_PERMITTED = 2, LEN_TIMESTAMPS = 10;
    /** RFC 7323 §2.3: the largest usable shift count. */
    public static final int MAX_WINDOW_SCALE = 14;
    /** RFC 2018 §3: at most 4 blocks fit in 40 option bytes. */
    public static final int MAX_SACK_BLOCKS = 4;

    private static final int[] NO_BLOCKS = new int[0];

    /** No options at all. */
    public static final TcpOptions NONE = new TcpOptions(-1, -1, false, false, 0, 0, NO_BLOCKS);

    private static final System.Logger LOG = System.getLogger("io.usertcp.wire");

    /** The canonical constructor: an immutable value (ranges checked; {@code sackBlocks} is not copied). */
    public TcpOptions(int mss, int windowScale, boolean sackPermitted, boolean hasTimestamps,
                      int tsVal, int tsEcr, int[] sackBlocks) {
        if (mss < -1 || mss > 0xFFFF) {
            throw new IllegalArgumentException("mss " + mss);
        }
        if (windowScale < -1 || windowScale > MAX_WINDOW_SCALE) {
            throw new IllegalArgumentException("windowScale " + windowScale);
        }
        if (sackBlocks == null) {
            sackBlocks = NO_BLOCKS;
        }
        if ((sackBlocks.length & 1) != 0 || sackBlocks.length > 2 * MAX_SACK_BLOCKS) {
            throw new IllegalArgumentException("sackBlocks length " + sackBlocks.length);
        }
        if (!hasTimestamps && (tsVal != 0 || tsEcr != 0)) {
            throw new IllegalArgumentException("timestamp values without hasTimestamps");
        }
        this.mss = mss;
        this.windowScale = windowScale;
        this.sackPermitted = sackPermitted;
        this.hasTimestamps = hasTimestamps;
        this.tsVal = tsVal;
        this.tsEcr = tsEcr;
        this.sackBlocks = sackBlocks;
        this.blockArrays = null;
    }

    private TcpOptions() {
        this.blockArrays = new int[MAX_SACK_BLOCKS + 1][];
        for (int n = 0; n <= MAX_SACK_BLOCKS; n++) {
            blockArrays[n] = n == 0 ? NO_BLOCKS : new int[2 * n];
        }
        clear();
    }

    /** A reusable holder for the engine's per-packet paths (see the class comment); starts empty. */
    public static TcpOptions newTransient() {
        return new TcpOptions();
    }

    /** True for a {@link #newTransient()} holder. */
    public boolean isTransient() {
        return blockArrays != null;
    }

    /** An immutable copy (this value itself when it is not transient). */
    public TcpOptions copy() {
        if (blockArrays == null) {
            return this;
        }
        return isEmpty() ? NONE
                : new TcpOptions(mss, windowScale, sackPermitted, hasTimestamps, tsVal, tsEcr, sackBlocks.clone());
    }

    private void checkTransient() {
        if (blockArrays == null) {
            throw new IllegalStateException("immutable TcpOptions cannot be refilled");
        }
    }

    /** Transient holder: back to no options at all. */
    public TcpOptions clear() {
        checkTransient();
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        hasTimestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlocks = NO_BLOCKS;
        return this;
    }

    /** Transient holder: timestamps {@code val}/{@code ecr} and nothing else (a data segment's or an ACK's options). */
    public TcpOptions setTimestampsOnly(int val, int ecr) {
        clear();
        hasTimestamps = true;
        tsVal = val;
        tsEcr = ecr;
        return this;
    }

    /**
     * Transient holder: sets the first {@code count} SACK blocks (0..4) from {@code leftRightPairs}
     * (left, right, left, right…, most recent first), other options kept.
     */
    public TcpOptions setSackBlocks(int[] leftRightPairs, int count) {
        checkTransient();
        if (count < 0 || count > MAX_SACK_BLOCKS) {
            throw new IllegalArgumentException("sack block count " + count);
        }
        int[] b = blockArrays[count];
        System.arraycopy(leftRightPairs, 0, b, 0, 2 * count);
        sackBlocks = b;
        return this;
    }

    public int mss() { return mss; }
    public int windowScale() { return windowScale; }
    public boolean sackPermitted() { return sackPermitted; }
    public boolean hasTimestamps() { return hasTimestamps; }
    /** TSval, 32 bits unsigned, compare through {@link Seq}. */
    public int tsVal() { return tsVal; }
    public int tsEcr() { return tsEcr; }
    /** SACK blocks as left,right pairs; length 0 when none. Treat as read-only. */
    public int[] sackBlocks() { return sackBlocks; }

    /** Number of SACK blocks. */
    public int sackBlockCount() {
        return sackBlocks.length >>> 1;
    }

    /** True when no option is present. */
    public boolean isEmpty() {
        return mss < 0 && windowScale < 0 && !sackPermitted && !hasTimestamps && sackBlocks.length == 0;
    }

    public TcpOptions withMss(int m) {
        return new TcpOptions(m, windowScale, sackPermitted, hasTimestamps, tsVal, tsEcr, keptBlocks());
    }

    public TcpOptions withWindowScale(int ws) {
        return new TcpOptions(mss, ws, sackPermitted, hasTimestamps, tsVal, tsEcr, keptBlocks());
    }

    public TcpOptions withSackPermitted(boolean on) {
        return new TcpOptions(mss, windowScale, on, hasTimestamps, tsVal, tsEcr, keptBlocks());
    }

    public TcpOptions withTimestamps(int val, int ecr) {
        return new TcpOptions(mss, windowScale, sackPermitted, true, val, ecr, keptBlocks());
    }

    public TcpOptions withoutTimestamps() {
        return new TcpOptions(mss, windowScale, sackPermitted, false, 0, 0, keptBlocks());
    }

    /** The blocks for a new immutable value: a transient holder's arrays are reused, so copied. */
    private int[] keptBlocks() {
        return blockArrays != null && sackBlocks.length > 0 ? sackBlocks.clone() : sackBlocks;
    }

    /** @param leftRightPairs left,right sequence numbers of each block, most recent first */
    public TcpOptions withSackBlocks(int... leftRightPairs) {
        return new TcpOptions(mss, windowScale, sackPermitted, hasTimestamps, tsVal, tsEcr,
                leftRightPairs.clone());
    }

    // ------------------------------------------------------------------ parse

    /**
     * Parses {@code len} option bytes at {@code off} (the bytes between the fixed header and the data).
     *
     * @throws MalformedPacketException {@link DropReason#BAD_TCP_OPTION} for a length byte of 0 or 1,
     *         or an option running past the header
     */
    public static TcpOptions parse(ByteBuffer buf, int off, int len) throws MalformedPacketException {
        return len == 0 ? NONE : parse(buf, off, len, null);
    }

    /**
     * {@link #parse} into a transient holder, allocating nothing; returns {@code into} (refilled, empty
     * when there are no options). Same checks; on {@link MalformedPacketException} the holder is
     * undefined.
     */
    public static TcpOptions parseInto(TcpOptions into, ByteBuffer buf, int off, int len) throws MalformedPacketException {
        into.checkTransient();
        if (len == 0) {
            return into.clear();
        }
        return parse(buf, off, len, into);
    }

    private static TcpOptions parse(ByteBuffer buf, int off, int len, TcpOptions into) throws MalformedPacketException {
        int mss = -1, ws = -1, tsVal = 0, tsEcr = 0;
        boolean sackPerm = false, ts = false;
        int[] blocks = NO_BLOCKS;
        int i = off;
        int end = off + len;
        while (i < end) {
            int kind = buf.get(i) & 0xFF;
            if (kind == KIND_EOL) {
                break; // RFC 9293 §3.2: "End of Option List ... used at the end of all options"
            }
            if (kind == KIND_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                throw new MalformedPacketException(DropReason.BAD_TCP_OPTION, "no length byte");
            }
            int optLen = buf.get(i + 1) & 0xFF;
            // RFC 9293 §3.2 MUST-7: "MUST be prepared to handle an illegal option length (e.g., zero)"
            if (optLen < 2) {
                throw new MalformedPacketException(DropReason.BAD_TCP_OPTION, "length " + optLen);
            }
            if (i + optLen > end) {
                throw new MalformedPacketException(DropReason.BAD_TCP_OPTION, "past header");
            }
            switch (kind) {
                case KIND_MSS:
                    if (optLen == LEN_MSS) {
                        mss = Short.toUnsignedInt(buf.getShort(i + 2));
                    }
                    break;
                case KIND_WINDOW_SCALE:
                    if (optLen == LEN_WINDOW_SCALE) {
                        ws = buf.get(i + 2) & 0xFF;
                        if (ws > MAX_WINDOW_SCALE) {
                            // RFC 7323 §2.3: "SHOULD log the error but MUST use 14 instead"
                            if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                                LOG.log(System.Logger.Level.DEBUG, "window scale {0} clamped to 14", ws);
                            }
                            ws = MAX_WINDOW_SCALE;
                        }
                    }
                    break;
                case KIND_SACK_PERMITTED:
                    if (optLen == LEN_SACK_PERMITTED) {
                        sackPerm = true;
                    }
                    break;
                case KIND_TIMESTAMPS:
                    if (optLen == LEN_TIMESTAMPS) {
                        ts = true;
                        tsVal = buf.getInt(i + 2);
                        tsEcr = buf.getInt(i + 6);
                    }
                    break;
                case KIND_SACK: {
                    int n = (optLen - 2) >>> 3;
                    // RFC 2018 §3: "Length: Variable" = 8 * n + 2; ignore a SACK with a ragged length.
                    if (n >= 1 && n <= MAX_SACK_BLOCKS && optLen == 2 + 8 * n) {
                        blocks = into != null ? into.blockArrays[n] : new int[2 * n];
                        for (int b = 0; b < 2 * n; b++) {
                            blocks[b] = buf.getInt(i + 2 + 4 * b);
                        }
                    }
                    break;
                }
                default:
                    // RFC 9293 §3.2 MUST-6: "MUST ignore without error any TCP option it does not implement"
                    break;
            }
            i += optLen;
        }
        if (into != null) {
            into.mss = mss;
            into.windowScale = ws;
            into.sackPermitted = sackPerm;
            into.hasTimestamps = ts;
            into.tsVal = tsVal;
            into.tsEcr = tsEcr;
            into.sackBlocks = blocks;
            return into;
        }
        if (mss < 0 && ws < 0 && !sackPerm && !ts && blocks.length == 0) {
            return NONE;
        }
        return new TcpOptions(mss, ws, sackPerm, ts, tsVal, tsEcr, blocks);
    }

    // ------------------------------------------------------------------ emit

    /**
     * Number of bytes {@link #emit} writes: a multiple of 4, at most 40. SACK blocks that would not fit
     * in 40 bytes (after the other options) are left out, oldest (last) first.
     */
    public int length() {
        int n = fixedLength();
        int blocks = emittedSackBlocks(n);
        return blocks == 0 ? n : n + 4 + 8 * blocks;
    }

    private int fixedLength() {
        int n = 0;
        if (mss >= 0) {
            n += 4;
        }
        if (hasTimestamps) {
            n += 12; // (SACK_PERM | NOP NOP) + TS
        } else if (sackPermitted) {
            n += 4; // NOP NOP SACK_PERM
        }
        if (windowScale >= 0) {
            n += 4; // NOP WS
        }
        return n;
    }

    private int emittedSackBlocks(int fixed) {
        int count = sackBlocks.length >>> 1;
        if (count == 0) {
            return 0;
        }
        int room = (TcpHeader.MAX_OPTIONS_LENGTH - fixed - 4) / 8;
        return Math.max(0, Math.min(count, room));
    }

    /**
     * Writes the options at {@code off} with absolute puts, in Linux's layout (MSS; SACK_PERM with TS or
     * NOP-padded; NOP WS; NOP NOP SACK), every option 4-byte aligned. Returns {@link #length()}.
     */
    public int emit(ByteBuffer buf, int off) {
        int i = off;
        if (mss >= 0) {
            buf.put(i, (byte) KIND_MSS);
            buf.put(i + 1, (byte) LEN_MSS);
            buf.putShort(i + 2, (short) mss);
            i += 4;
        }
        if (hasTimestamps) {
            if (sackPermitted) {
                buf.put(i, (byte) KIND_SACK_PERMITTED);
                buf.put(i + 1, (byte) LEN_SACK_PERMITTED);
            } else {
                buf.put(i, (byte) KIND_NOP);
                buf.put(i + 1, (byte) KIND_NOP);
            }
            buf.put(i + 2, (byte) KIND_TIMESTAMPS);
            buf.put(i + 3, (byte) LEN_TIMESTAMPS);
            buf.putInt(i + 4, tsVal);
            buf.putInt(i + 8, tsEcr);
            i += 12;
        } else if (sackPermitted) {
            buf.put(i, (byte) KIND_NOP);
            buf.put(i + 1, (byte) KIND_NOP);
            buf.put(i + 2, (byte) KIND_SACK_PERMITTED);
            buf.put(i + 3, (byte) LEN_SACK_PERMITTED);
            i += 4;
        }
        if (windowScale >= 0) {
            buf.put(i, (byte) KIND_NOP);
            buf.put(i + 1, (byte) KIND_WINDOW_SCALE);
            buf.put(i + 2, (byte) LEN_WINDOW_SCALE);
            buf.put(i + 3, (byte) windowScale);
            i += 4;
        }
        int blocks = emittedSackBlocks(i - off);
        if (blocks > 0) {
            buf.put(i, (byte) KIND_NOP);
            buf.put(i + 1, (byte) KIND_NOP);
            buf.put(i + 2, (byte) KIND_SACK);
            buf.put(i + 3, (byte) (2 + 8 * blocks));
            i += 4;
            for (int b = 0; b < 2 * blocks; b++) {
                buf.putInt(i, sackBlocks[b]);
                i += 4;
            }
        }
        return i - off;
    }

    // ------------------------------------------------------------------ Object

    @Override
    public boolean equals(Object o) {
        return o instanceof TcpOptions t && mss == t.mss && windowScale == t.windowScale
                && sackPermitted == t.sackPermitted && hasTimestamps == t.hasTimestamps
                && tsVal == t.tsVal && tsEcr == t.tsEcr && Arrays.equals(sackBlocks, t.sackBlocks);
    }

    @Override
    public int hashCode() {
        int h = mss;
        h = 31 * h + windowScale;
        h = 31 * h + (sackPermitted ? 1 : 0);
        h = 31 * h + (hasTimestamps ? 1 : 0);
        h = 31 * h + tsVal;
        h = 31 * h + tsEcr;
        return 31 * h + Arrays.hashCode(sackBlocks);
    }

    /** tcpdump-like: {@code <mss 1460,sackOK,ts 1 2,ws 7,sack 1-2 3-4>}; {@code <>} when empty. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("<");
        if (mss >= 0) {
            sb.append("mss ").append(mss).append(',');
        }
        if (windowScale >= 0) {
            sb.append("ws ").append(windowScale).append(',');
        }
        if (sackPermitted) {
            sb.append("sackOK,");
        }
        if (hasTimestamps) {
            sb.append("ts ").append(Integer.toUnsignedString(tsVal)).append(' ')
                    .append(Integer.toUnsignedString(tsEcr)).append(',');
        }
        if (sackBlocks.length > 0) {
            sb.append("sack");
            for (int b = 0; b < sackBlocks.length; b += 2) {
                sb.append(' ').append(Integer.toUnsignedString(sackBlocks[b])).append('-')
                        .append(Integer.toUnsignedString(sackBlocks[b + 1]));
            }
            sb.append(',');
        }
        if (sb.length() > 1) {
            sb.setLength(sb.length() - 1);
        }
        return sb.append('>').toString();
    }
}
