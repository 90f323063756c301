package io.usertcp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The engine's reusable holders give exactly what the allocating parse/emit give. */
class TransientHoldersTest {
    private static final int SRC = 0xC6120001, DST = 0xC6120002;

    private static TcpSegment randomSegment(Random r) {
        TcpOptions o = TcpOptions.NONE;
        if (r.nextBoolean()) o = o.withTimestamps(r.nextInt(), r.nextInt());
        if (r.nextInt(3) == 0) o = o.withMss(536 + r.nextInt(9000));
        if (r.nextInt(3) == 0) o = o.withWindowScale(r.nextInt(15));
        if (r.nextInt(4) == 0) o = o.withSackPermitted(true);
        int blocks = r.nextInt(5);
        if (blocks > 0) {
            int[] b = new int[2 * blocks];
            for (int i = 0; i < b.length; i++) b[i] = r.nextInt();
            o = o.withSackBlocks(b);
        }
        byte[] payload = new byte[r.nextInt(3) == 0 ? 0 : r.nextInt(1500)];
        r.nextBytes(payload);
        int flags = TcpHeader.FLAG_ACK | (r.nextBoolean() ? TcpHeader.FLAG_PSH : 0) | (r.nextInt(8) == 0 ? TcpHeader.FLAG_FIN : 0);
        return TcpSegment.builder().ports(r.nextInt(65536), r.nextInt(65536)).seq(r.nextInt()).ack(r.nextInt())
                .flags(flags).window(r.nextInt(65536)).options(o).payload(payload).build();
    }

    @Test
    void parseIntoEqualsParseForRandomSegmentsWithAndWithoutPayloadView() throws MalformedPacketException {
        Random r = new Random(5);
        TcpSegment seg = TcpSegment.newTransient();
        TcpOptions opts = TcpOptions.newTransient();
        ByteBuffer buf = ByteBuffer.allocate(2000);
        ByteBuffer view = buf.duplicate();
        for (int n = 0; n < 2000; n++) {
            int off = r.nextInt(40);
            int len = randomSegment(r).emit(buf.clear(), off, SRC, DST);
            // (emit leaves out SACK blocks that do not fit: compare with what parse makes of the bytes)
            TcpSegment want = TcpSegment.parse(buf, off, len, SRC, DST);
            TcpSegment got = TcpSegment.parseInto(seg, opts, buf, off, len, SRC, DST, n % 2 == 0 ? view : null);
            assertSame(seg, got);
            assertEquals(want, got, "n=" + n);
            assertEquals(got, want);
            assertEquals(want.hashCode(), got.hashCode());
            assertEquals(want.toString(), got.toString());
            assertEquals(want.options().sackBlocks().length, got.options().sackBlocks().length);
            // A copy survives the holder being refilled.
            TcpSegment kept = got.copy();
            TcpSegment frozen = want.toBuilder().payload(want.payloadBytes()).build();
            assertFalse(kept.isTransient());
            TcpSegment.parseInto(seg, opts, buf, off, len, SRC, DST, view);
            buf.put(off + len - 1, (byte) ~buf.get(off + len - 1)); // scribble over the packet
            assertEquals(frozen, kept);
        }
    }

    @Test
    void parseIntoRejectsWhatParseRejects() {
        TcpSegment seg = TcpSegment.newTransient();
        TcpOptions opts = TcpOptions.newTransient();
        TcpSegment s = TcpSegment.builder().ports(1, 2).seq(3).flags(TcpHeader.FLAG_SYN | TcpHeader.FLAG_FIN).build();
        ByteBuffer buf = ByteBuffer.allocate(100);
        int len = s.emit(buf, 0, SRC, DST);
        var e = assertThrows(MalformedPacketException.class, () -> TcpSegment.parseInto(seg, opts, buf, 0, len, SRC, DST, null));
        assertEquals(DropReason.BAD_TCP_FLAGS, e.reason());
        TcpSegment ok = TcpSegment.builder().ports(1, 2).seq(3).flags(TcpHeader.FLAG_ACK).payload(new byte[10]).build();
        int len2 = ok.emit(buf, 0, SRC, DST);
        buf.put(25, (byte) 1); // payload corrupted: checksum fails
        e = assertThrows(MalformedPacketException.class, () -> TcpSegment.parseInto(seg, opts, buf, 0, len2, SRC, DST, null));
        assertEquals(DropReason.BAD_TCP_CHECKSUM, e.reason());
        e = assertThrows(MalformedPacketException.class, () -> TcpSegment.parseInto(seg, opts, buf, 0, 19, SRC, DST, null));
        assertEquals(DropReason.TCP_TRUNCATED, e.reason());
    }

    @Test
    void setAndEmitMatchTheImmutableSegment() {
        Random r = new Random(9);
        TcpSegment holder = TcpSegment.newTransient();
        TcpOptions opts = TcpOptions.newTransient();
        ByteBuffer a = ByteBuffer.allocate(2000), b = ByteBuffer.allocate(2000);
        for (int n = 0; n < 500; n++) {
            TcpSegment want = randomSegment(r);
            TcpOptions o = want.options();
            opts.clear();
            if (o.hasTimestamps()) opts.setTimestampsOnly(o.tsVal(), o.tsEcr());
            if (o.sackBlockCount() > 0) opts.setSackBlocks(o.sackBlocks(), o.sackBlockCount());
            TcpOptions wantOpts = new TcpOptions(-1, -1, false, o.hasTimestamps(), o.tsVal(), o.tsEcr(), o.sackBlocks());
            holder.set(want.srcPort(), want.dstPort(), want.seq(), want.ack(), want.flags(), want.window(), 0, opts,
                    want.payload());
            TcpSegment plain = new TcpSegment(want.srcPort(), want.dstPort(), want.seq(), want.ack(), want.flags(),
                    want.window(), 0, wantOpts, want.payload());
            assertEquals(plain, holder);
            int la = plain.emit(a.clear(), 0, SRC, DST), lb = holder.emit(b.clear(), 0, SRC, DST);
            assertEquals(la, lb);
            assertEquals(a.slice(0, la), b.slice(0, lb), "wire bytes n=" + n);
        }
    }

    @Test
    void immutableValuesRefuseRefillingAndCopyIsIdentity() {
        TcpSegment s = TcpSegment.builder().build();
        assertFalse(s.isTransient());
        assertSame(s, s.copy());
        assertThrows(IllegalStateException.class, () -> s.set(0, 0, 0, 0, 0, 0, 0, TcpOptions.NONE, s.payload()));
        assertThrows(IllegalStateException.class, () -> TcpOptions.NONE.setTimestampsOnly(1, 2));
        assertSame(TcpOptions.NONE, TcpOptions.NONE.copy());
        TcpOptions t = TcpOptions.newTransient().setTimestampsOnly(1, 2).setSackBlocks(new int[] {5, 6, 7, 8}, 2);
        TcpOptions kept = t.copy();
        assertNotSame(t.sackBlocks(), kept.sackBlocks());
        TcpOptions withMss = t.withMss(1000); // a value made from a holder does not share its arrays
        t.setSackBlocks(new int[] {9, 9, 9, 9}, 2);
        assertArrayEquals(new int[] {5, 6, 7, 8}, kept.sackBlocks());
        assertArrayEquals(new int[] {5, 6, 7, 8}, withMss.sackBlocks());
        assertTrue(TcpOptions.newTransient().isEmpty());
        assertEquals(TcpOptions.NONE, TcpOptions.newTransient());
    }

    @Test
    void ipv4ParseIntoRepointsTheView() throws MalformedPacketException {
        ByteBuffer one = ByteBuffer.allocate(40), two = ByteBuffer.allocate(60);
        Ipv4Header.emit(one, 0, 0, 1, 64, Ipv4Header.PROTO_TCP, SRC, DST, 20);
        Ipv4Header.emit(two, 10, 0, 2, 64, Ipv4Header.PROTO_ICMP, DST, SRC, 30);
        Ipv4Header v = Ipv4Header.wrap(ByteBuffer.allocate(0), 0);
        assertSame(v, Ipv4Header.parseInto(v, one, 0, 40));
        assertEquals(SRC, v.src());
        assertEquals(Ipv4Header.PROTO_TCP, v.protocol());
        Ipv4Header.parseInto(v, two, 10, 50);
        assertEquals(DST, v.src());
        assertEquals(10, v.offset());
        assertEquals(30, v.payloadLength());
        two.put(10, (byte) 0x55);
        assertThrows(MalformedPacketException.class, () -> Ipv4Header.parseInto(v, two, 10, 50));
    }
}
