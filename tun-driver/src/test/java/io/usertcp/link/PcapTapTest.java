package io.usertcp.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapTapTest {

    static ByteBuffer packet(int len, int seed) {
        ByteBuffer b = ByteBuffer.allocateDirect(len);
        b.put(0, (byte) 0x45);
        for (int i = 1; i < len; i++) {
            b.put(i, (byte) (seed + i));
        }
        return b;
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(b.position(), a);
        return a;
    }

    @Test
    void writesBothDirectionsAndReadsBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("link.pcap");
        Instant t = Instant.parse("2026-01-02T03:04:05.123456789Z");
        var pair = MemoryLink.pair(1500);
        ByteBuffer out1 = packet(40, 1), out2 = packet(1500, 2), in1 = packet(60, 3);
        try (PcapTap tap = PcapTap.open(pair.a(), file, 65535, Clock.fixed(t, ZoneOffset.UTC))) {
            tap.send(out1);
            assertEquals(0, out1.position(), "send leaves the buffer as it was");
            tap.send(out2);
            pair.b().send(in1);
            ByteBuffer dst = ByteBuffer.allocate(1500);
            assertEquals(60, tap.receive(dst, 0));
            assertEquals(0, tap.receive(dst, 0), "a timeout records nothing");
            assertEquals(3, tap.records());
        }
        byte[] raw = Files.readAllBytes(file);
        // Global header: magic a1b2c3d4 (little-endian), v2.4, zone 0, sigfigs 0, snaplen 65535, LINKTYPE_RAW (101).
        assertEquals("d4c3b2a1" + "0200" + "0400" + "00000000" + "00000000" + "ffff0000" + "65000000",
                HexFormat.of().formatHex(raw, 0, 24));
        assertEquals(24 + 3 * 16 + 40 + 1500 + 60, raw.length);

        try (PcapReader r = PcapReader.open(file)) {
            assertEquals(101, r.linkType());
            assertEquals(65535, r.snapLength());
            assertEquals(ByteOrder.LITTLE_ENDIAN, r.byteOrder());
            assertEquals(2, r.versionMajor());
            assertEquals(4, r.versionMinor());
        }
        List<PcapReader.Packet> packets = PcapReader.readAll(file);
        assertEquals(3, packets.size());
        long micros = t.getEpochSecond() * 1_000_000 + 123456;
        assertArrayEquals(bytes(out1), packets.get(0).data());
        assertArrayEquals(bytes(out2), packets.get(1).data());
        assertArrayEquals(bytes(in1), packets.get(2).data());
        for (PcapReader.Packet p : packets) {
            assertEquals(micros, p.timestampMicros());
            assertEquals(p.data().length, p.originalLength());
        }
    }

    @Test
    void snapLengthTruncatesButKeepsTheOriginalLength(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("snap.pcap");
        var pair = MemoryLink.pair(1500);
        try (PcapTap tap = PcapTap.open(pair.a(), file, 64, Clock.systemUTC())) {
            tap.send(packet(1000, 9));
        }
        List<PcapReader.Packet> packets = PcapReader.readAll(file);
        assertEquals(64, packets.get(0).data().length);
        assertEquals(1000, packets.get(0).originalLength());
    }

    @Test
    void manyPacketsSpanSeveralBufferFlushes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("many.pcap");
        var pair = MemoryLink.pair(1500, 1000);
        try (PcapTap tap = PcapTap.open(pair.a(), file)) {
            for (int i = 0; i < 500; i++) {
                tap.send(packet(1500, i));
            }
        }
        List<PcapReader.Packet> packets = PcapReader.readAll(file);
        assertEquals(500, packets.size());
        assertArrayEquals(bytes(packet(1500, 499)), packets.get(499).data());
    }

    @Test
    void readerReadsBigEndianNanosecondFilesAndRejectsOthers(@TempDir Path dir) throws Exception {
        ByteBuffer f = ByteBuffer.allocate(24 + 16 + 4).order(ByteOrder.BIG_ENDIAN);
        f.putInt(0xa1b23c4d).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(100).putInt(101);
        f.putInt(10).putInt(2_500).putInt(4).putInt(4).put(new byte[] {0x45, 0, 0, 4});
        Path file = dir.resolve("be.pcap");
        Files.write(file, f.array());
        List<PcapReader.Packet> p = PcapReader.readAll(file);
        assertEquals(1, p.size());
        assertEquals(10_000_002, p.get(0).timestampMicros());

        Path bad = dir.resolve("bad.pcap");
        Files.write(bad, new byte[24]);
        IOException e = assertThrows(IOException.class, () -> PcapReader.readAll(bad));
        assertTrue(e.getMessage().contains("not a pcap file"), e.getMessage());

        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, java.util.Arrays.copyOf(f.array(), 24 + 16 + 2));
        assertThrows(java.io.EOFException.class, () -> PcapReader.readAll(cut));
    }
}
