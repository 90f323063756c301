package io.usertcp.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.usertcp.ip.Icmp;
import io.usertcp.ip.IcmpError;
import io.usertcp.wire.DropReason;
import io.usertcp.wire.IcmpHeader;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.MalformedPacketException;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Coverage-guided fuzz targets (Jazzer) for every parser of wire bytes (issue 8, CONFORMANCE C7.1,
 * C7.2). Each target checks invariants, not just "no exception":
 * <ul>
 * <li>the only exception a parser throws is {@link MalformedPacketException}, with the
 *     {@link DropReason} an independent {@link Oracle} predicts from the RFC rules;</li>
 * <li>a parser accepts exactly what the oracle accepts, and the fields it reports are the bytes;</li>
 * <li>parsing never writes to the buffer;</li>
 * <li>a parsed segment re-emits to bytes that parse to an equal record (SACK blocks that do not fit
 *     next to the other options are documented to be left out, oldest first).</li>
 * </ul>
 * In {@code mvn verify} these run in regression mode on the files under
 * {@code src/test/resources/io/usertcp/fuzz/WireParsersFuzzTestInputs/<method>/} (seeds and every
 * finding); {@code scripts/fuzz-long.sh} fuzzes them for real.
 */
class WireParsersFuzzTest {
    static final int PEER = 0xC6120002; // 198.18.0.2
    static final int US = 0xC6120001;   // 198.18.0.1

    // ------------------------------------------------------------------ IPv4

    /**
     * Input: one control byte (bits 0-1: offset of the packet in the buffer; bit 2: fix the header
     * checksum so the fuzzer gets past it; bit 3: claim 4 bytes more than the buffer holds), then the
     * packet.
     */
    @FuzzTest
    void ipv4HeaderParse(byte[] data) {
        FuzzBytes in = new FuzzBytes(data);
        int ctl = in.u8();
        int pad = ctl & 3;
        byte[] pkt = in.rest();
        int len = pkt.length;
        if ((ctl & 4) != 0 && len >= 20) {
            int hl = (pkt[0] & 0x0F) * 4;
            if (hl >= 20 && hl <= len) {
                Oracle.put16(pkt, 10, 0);
                Oracle.put16(pkt, 10, Oracle.checksum(0, pkt, 0, hl));
            }
        }
        int claimed = (ctl & 8) != 0 ? len + 4 : len;
        byte[] whole = new byte[pad + len + 3];
        Arrays.fill(whole, (byte) 0x5A);
        System.arraycopy(pkt, 0, whole, pad, len);
        byte[] before = whole.clone();
        ByteBuffer buf = ByteBuffer.wrap(whole, 0, pad + len + 3 - ((ctl & 8) != 0 ? 3 : 0));

        DropReason expected = expectedIpv4(pkt, claimed, (ctl & 8) != 0);
        try {
            Ipv4Header h = Ipv4Header.parse(buf, pad, claimed);
            if (expected != null) {
                fail("accepted, oracle says " + expected + ": " + hex(pkt));
            }
            int hl = (pkt[0] & 0x0F) * 4;
            assertEquals(4, h.version());
            assertEquals(hl, h.headerLength());
            assertEquals(Oracle.u16(pkt, 2), h.totalLength());
            assertTrue(h.totalLength() >= hl && h.totalLength() <= len);
            assertEquals(pad + hl, h.payloadOffset());
            assertTrue(h.payloadOffset() + h.payloadLength() <= pad + len);
            assertEquals(Oracle.s32(pkt, 12), h.src());
            assertEquals(Oracle.s32(pkt, 16), h.dst());
            assertEquals(pkt[9] & 0xFF, h.protocol());
            assertEquals((Oracle.u16(pkt, 6) & 0x1FFF) * 8, h.fragmentOffset());
            assertEquals((Oracle.u16(pkt, 6) & 0x2000) != 0, h.moreFragments());
            assertNotNull(h.toString());
        } catch (MalformedPacketException e) {
            assertEquals(expected, e.reason(), () -> "reason for " + hex(pkt));
        }
        assertArrayEquals(before, whole, "parse wrote to the buffer");
    }

    /** RFC 791 / RFC 1122 §3.2.1.1-2 in the documented order of Ipv4Header.parse; null = accept. */
    private static DropReason expectedIpv4(byte[] p, int claimed, boolean beyondBuffer) {
        if (claimed < 20 || beyondBuffer) {
            return DropReason.IP_TRUNCATED;
        }
        if ((p[0] & 0xF0) != 0x40) {
            return DropReason.IP_BAD_VERSION;
        }
        int hl = (p[0] & 0x0F) * 4;
        if (hl < 20 || hl > claimed) {
            return DropReason.IP_BAD_HEADER_LENGTH;
        }
        int total = Oracle.u16(p, 2);
        if (total < hl || total > claimed) {
            return DropReason.IP_BAD_TOTAL_LENGTH;
        }
        return Oracle.verifies(p, 0, hl) ? null : DropReason.IP_BAD_CHECKSUM;
    }

    // ------------------------------------------------------------------ ICMP

    /**
     * Input: control byte (bit 0: fix the ICMP checksum; bits 1-2: offset), then the ICMP message.
     * Checks {@link IcmpHeader#parse}, every accessor guarded by its predicate, and
     * {@link Icmp#parseError} on whatever parsed.
     */
    @FuzzTest
    void icmpParse(byte[] data) {
        FuzzBytes in = new FuzzBytes(data);
        int ctl = in.u8();
        byte[] msg = in.rest();
        if ((ctl & 1) != 0 && msg.length >= 8) {
            fixIcmpChecksum(msg);
        }
        checkIcmp(msg, (ctl >>> 1) & 3);
    }

    /**
     * Input: type selector, code, next-hop MTU, then the quoted datagram. Builds a well-formed
     * (checksummed) ICMP error around fuzzed quotes, so the fuzzer spends its time in
     * {@link Icmp#parseError}.
     */
    @FuzzTest
    void icmpParseError(byte[] data) {
        FuzzBytes in = new FuzzBytes(data);
        int[] types = {3, 4, 5, 11, 12, 0, 8, in.u8()};
        int type = types[in.below(types.length)];
        int code = in.u8();
        int mtu = in.u16();
        byte[] quote = in.rest();
        byte[] msg = new byte[8 + quote.length];
        msg[0] = (byte) type;
        msg[1] = (byte) code;
        Oracle.put16(msg, 6, mtu);
        System.arraycopy(quote, 0, msg, 8, quote.length);
        fixIcmpChecksum(msg);
        checkIcmp(msg, 1);
    }

    private static void fixIcmpChecksum(byte[] msg) {
        Oracle.put16(msg, 2, 0);
        Oracle.put16(msg, 2, Oracle.checksum(0, msg, 0, msg.length));
    }

    private static void checkIcmp(byte[] msg, int pad) {
        byte[] whole = new byte[pad + msg.length + 2];
        System.arraycopy(msg, 0, whole, pad, msg.length);
        byte[] before = whole.clone();
        ByteBuffer buf = ByteBuffer.wrap(whole);
        int len = msg.length;
        DropReason expected = len < 8 ? DropReason.ICMP_TRUNCATED
                : Oracle.verifies(msg, 0, len) ? null : DropReason.ICMP_BAD_CHECKSUM;
        IcmpHeader h;
        try {
            h = IcmpHeader.parse(buf, pad, len);
        } catch (MalformedPacketException e) {
            assertEquals(expected, e.reason(), () -> "IcmpHeader.parse reason for " + hex(msg));
            assertArrayEquals(before, whole);
            return;
        }
        if (expected != null) {
            fail("IcmpHeader accepted, oracle says " + expected + ": " + hex(msg));
        }
        assertEquals(msg[0] & 0xFF, h.type());
        assertEquals(len - 8, h.dataLength());
        int qhl = h.quotedHeaderLength();
        int dataLen = len - 8;
        int vihl = dataLen > 0 ? msg[8] & 0xFF : 0;
        int expectQhl = dataLen >= 20 && (vihl >>> 4) == 4 && (vihl & 0xF) * 4 >= 20
                && (vihl & 0xF) * 4 <= dataLen ? (vihl & 0xF) * 4 : -1;
        assertEquals(expectQhl, qhl, () -> "quotedHeaderLength of " + hex(msg));
        if (h.hasQuotedPorts()) {
            assertTrue(qhl + 4 <= dataLen);
            assertEquals(Oracle.u16(msg, 8 + qhl), h.quotedSrcPort());
            assertEquals(Oracle.u16(msg, 8 + qhl + 2), h.quotedDstPort());
        }
        if (h.hasQuotedSeq()) {
            assertTrue(qhl + 8 <= dataLen);
            assertEquals(Oracle.s32(msg, 8 + qhl + 4), h.quotedSeq());
        }
        assertNotNull(h.toString());

        int type = msg[0] & 0xFF;
        int code = msg[1] & 0xFF;
        boolean supported = type == 3 || type == 4 || type == 11 || type == 12;
        DropReason expectedError = !supported ? DropReason.ICMP_UNSUPPORTED
                : expectQhl < 0 || dataLen < expectQhl + 8 ? DropReason.ICMP_TRUNCATED : null;
        try {
            IcmpError err = Icmp.parseError(buf, pad, len);
            if (expectedError != null) {
                fail("parseError accepted, oracle says " + expectedError + ": " + hex(msg));
            }
            assertEquals(type, err.type());
            assertEquals(code, err.code());
            assertEquals(type == 3 && code == 4 ? Oracle.u16(msg, 6) : 0, err.mtu());
            assertEquals(Oracle.s32(msg, 8 + 12), err.quotedSrc());
            assertEquals(Oracle.s32(msg, 8 + 16), err.quotedDst());
            assertEquals(msg[8 + 9] & 0xFF, err.quotedProtocol());
            assertEquals(Oracle.u16(msg, 8 + qhl), err.quotedSrcPort());
            assertEquals(Oracle.u16(msg, 8 + qhl + 2), err.quotedDstPort());
            assertEquals(Oracle.s32(msg, 8 + qhl + 4), err.quotedSeq());
            assertNotNull(err.toString());
        } catch (MalformedPacketException e) {
            assertEquals(expectedError, e.reason(), () -> "parseError reason for " + hex(msg));
        }
        assertArrayEquals(before, whole, "parse wrote to the buffer");
    }

    // ------------------------------------------------------------------ TCP options

    /** Input: up to 40 option bytes. Compared with {@link Oracle#options}, then emitted and re-parsed. */
    @FuzzTest
    void tcpOptionsParse(byte[] data) {
        byte[] opts = Arrays.copyOf(data, Math.min(40, data.length));
        byte[] before = opts.clone();
        long[] expect = Oracle.options(opts, 0, opts.length);
        TcpOptions o;
        try {
            o = TcpOptions.parse(ByteBuffer.wrap(opts), 0, opts.length);
        } catch (MalformedPacketException e) {
            assertEquals(DropReason.BAD_TCP_OPTION, e.reason());
            if (expect != null) {
                fail("rejected well-formed options " + hex(opts));
            }
            return;
        }
        if (expect == null) {
            fail("accepted malformed options " + hex(opts) + " as " + o);
        }
        assertArrayEquals(before, opts, "parse wrote to the buffer");
        assertEquals(expect[0], o.mss(), "mss");
        assertEquals(expect[1], o.windowScale(), "ws");
        assertEquals(expect[2] == 1, o.sackPermitted(), "sackOK");
        assertEquals(expect[3] == 1, o.hasTimestamps(), "ts");
        assertEquals((int) expect[4], o.tsVal());
        assertEquals((int) expect[5], o.tsEcr());
        assertEquals(expect[6], o.sackBlockCount());
        for (int k = 0; k < 2 * expect[6]; k++) {
            assertEquals((int) expect[7 + k], o.sackBlocks()[k]);
        }
        assertNotNull(o.toString());
        assertOptionsRoundTrip(o);
    }

    /** Emits {@code o} and parses the bytes back: equal, except SACK blocks that did not fit. */
    private static void assertOptionsRoundTrip(TcpOptions o) {
        int n = o.length();
        assertTrue(n >= 0 && n <= 40 && (n & 3) == 0, "length " + n);
        byte[] out = new byte[n + 4];
        Arrays.fill(out, (byte) 0xEE);
        assertEquals(n, o.emit(ByteBuffer.wrap(out), 2));
        assertEquals((byte) 0xEE, out[0]);
        assertEquals((byte) 0xEE, out[n + 3], "emit wrote past length()");
        TcpOptions back;
        try {
            back = TcpOptions.parse(ByteBuffer.wrap(out), 2, n);
        } catch (MalformedPacketException e) {
            throw new AssertionError("emitted options do not parse: " + o + " " + hex(out), e);
        }
        assertEquals(fitting(o, back.sackBlockCount()), back, () -> "round trip of " + o);
    }

    /** {@code o} with only its first {@code blocks} SACK blocks (emit keeps the most recent). */
    private static TcpOptions fitting(TcpOptions o, int blocks) {
        if (blocks == o.sackBlockCount()) {
            return o;
        }
        assertTrue(blocks < o.sackBlockCount());
        int fixed = (o.mss() >= 0 ? 4 : 0) + (o.hasTimestamps() ? 12 : o.sackPermitted() ? 4 : 0)
                + (o.windowScale() >= 0 ? 4 : 0);
        assertEquals(Math.max(0, (40 - fixed - 4) / 8), blocks, "emit left out a block that fits");
        return o.withSackBlocks(Arrays.copyOf(o.sackBlocks(), 2 * blocks));
    }

    // ------------------------------------------------------------------ TCP segment

    /**
     * Input: control byte (bit 0: fix the checksum so the fuzzer gets past it; bits 1-2: offset),
     * then the segment (198.18.0.2 → 198.18.0.1).
     */
    @FuzzTest
    void tcpSegmentParse(byte[] data) {
        FuzzBytes in = new FuzzBytes(data);
        int ctl = in.u8();
        int pad = (ctl >>> 1) & 3;
        byte[] seg = in.rest();
        int len = seg.length;
        if ((ctl & 1) != 0 && len >= 20) {
            Oracle.put16(seg, 16, 0);
            Oracle.put16(seg, 16, Oracle.checksum(Oracle.pseudoHeader(PEER, US, len), seg, 0, len));
        }
        byte[] whole = new byte[pad + len + 2];
        System.arraycopy(seg, 0, whole, pad, len);
        byte[] before = whole.clone();
        ByteBuffer buf = ByteBuffer.wrap(whole);

        DropReason expected = expectedTcp(seg);
        TcpSegment s;
        try {
            s = TcpSegment.parse(buf, pad, len, PEER, US);
        } catch (MalformedPacketException e) {
            assertEquals(expected, e.reason(), () -> "reason for " + hex(seg));
            assertArrayEquals(before, whole);
            return;
        }
        if (expected != null) {
            fail("accepted, oracle says " + expected + ": " + hex(seg));
        }
        assertArrayEquals(before, whole, "parse wrote to the buffer");
        int hl = (seg[12] & 0xF0) >>> 2;
        assertEquals(Oracle.u16(seg, 0), s.srcPort());
        assertEquals(Oracle.u16(seg, 2), s.dstPort());
        assertEquals(Oracle.s32(seg, 4), s.seq());
        assertEquals(Oracle.s32(seg, 8), s.ack());
        assertEquals(seg[13] & 0xFF, s.flags());
        assertEquals(Oracle.u16(seg, 14), s.window());
        assertEquals(Oracle.u16(seg, 18), s.urgentPointer());
        assertEquals((seg[12] & 0x0F) != 0, TcpSegment.hasReservedBits(buf, pad));
        assertArrayEquals(Arrays.copyOfRange(seg, hl, len), s.payloadBytes(), "payload");
        assertEquals(len - hl, s.payloadLength());
        assertEquals(len - hl + (s.syn() ? 1 : 0) + (s.fin() ? 1 : 0), s.seqLength());
        assertNotNull(s.toString());

        // Re-emit and parse back: an equal record (SACK blocks that do not fit aside).
        byte[] out = new byte[s.length() + 3];
        int n = s.emit(ByteBuffer.wrap(out), 1, PEER, US);
        assertEquals(s.length(), n);
        assertEquals(0xFFFF, Oracle.sum(Oracle.pseudoHeader(PEER, US, n), out, 1, n), "emitted checksum");
        TcpSegment back;
        try {
            back = TcpSegment.parse(ByteBuffer.wrap(out), 1, n, PEER, US);
        } catch (MalformedPacketException e) {
            throw new AssertionError("re-emitted segment does not parse: " + s + " " + hex(out), e);
        }
        TcpSegment want = s.toBuilder().options(fitting(s.options(), back.options().sackBlockCount())).build();
        assertEquals(want, back, () -> "round trip of " + s);
    }

    /** RFC 9293 §3.1, §3.2 in the documented order of TcpSegment.parse; null = accept. */
    private static DropReason expectedTcp(byte[] seg) {
        int len = seg.length;
        if (len < 20) {
            return DropReason.TCP_TRUNCATED;
        }
        int hl = (seg[12] & 0xF0) >>> 2;
        if (hl < 20 || hl > len) {
            return DropReason.BAD_TCP_DATA_OFFSET;
        }
        if (Oracle.sum(Oracle.pseudoHeader(PEER, US, len), seg, 0, len) != 0xFFFF) {
            return DropReason.BAD_TCP_CHECKSUM;
        }
        int flags = seg[13] & 0xFF;
        if ((flags & TcpHeader.FLAG_SYN) != 0 && (flags & (TcpHeader.FLAG_FIN | TcpHeader.FLAG_RST)) != 0) {
            return DropReason.BAD_TCP_FLAGS;
        }
        return Oracle.options(seg, 20, hl - 20) == null ? DropReason.BAD_TCP_OPTION : null;
    }

    /**
     * Builds a segment from fuzzed fields (any flags, options within their ranges, up to 1460 payload
     * bytes), emits it at a fuzzed offset, parses it back: equal, or rejected only for SYN+FIN/SYN+RST.
     */
    @FuzzTest
    void tcpSegmentRoundTrip(byte[] data) {
        FuzzBytes in = new FuzzBytes(data);
        int present = in.u8();
        TcpOptions o = TcpOptions.NONE;
        if ((present & 1) != 0) {
            o = o.withMss(in.u16());
        }
        if ((present & 2) != 0) {
            o = o.withWindowScale(in.below(15));
        }
        if ((present & 4) != 0) {
            o = o.withSackPermitted(true);
        }
        if ((present & 8) != 0) {
            o = o.withTimestamps(in.s32(), in.s32());
        }
        int blocks = (present >>> 4) % 5;
        if (blocks > 0) {
            int[] b = new int[2 * blocks];
            for (int k = 0; k < b.length; k++) {
                b[k] = in.s32();
            }
            o = o.withSackBlocks(b);
        }
        TcpSegment s = TcpSegment.builder().ports(in.u16(), in.u16()).seq(in.s32()).ack(in.s32())
                .flags(in.u8()).window(in.u16()).urgentPointer(in.u16()).options(o)
                .payload(in.bytes(in.below(1461))).build();
        int off = in.below(4);
        int src = in.s32();
        int dst = in.s32();
        byte[] out = new byte[off + s.length()];
        int n = s.emit(ByteBuffer.wrap(out), off, src, dst);
        assertEquals(s.length(), n);
        assertTrue(s.headerLength() <= 60 && (s.headerLength() & 3) == 0);
        boolean impossible = s.syn() && (s.fin() || s.rst());
        try {
            TcpSegment back = TcpSegment.parse(ByteBuffer.wrap(out), off, n, src, dst);
            if (impossible) {
                fail("accepted " + s);
            }
            TcpSegment want = s.toBuilder().options(fitting(o, back.options().sackBlockCount())).build();
            assertEquals(want, back, () -> "round trip of " + s);
        } catch (MalformedPacketException e) {
            if (!impossible) {
                throw new AssertionError("emitted segment rejected (" + e.reason() + "): " + s, e);
            }
            assertEquals(DropReason.BAD_TCP_FLAGS, e.reason());
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
