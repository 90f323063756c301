package io.usertcp.fuzz;

import io.usertcp.wire.Ipv4Header;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the seed corpus of the fuzz targets into Jazzer's layout
 * ({@code src/test/resources/io/usertcp/fuzz/<Class>Inputs/<method>/seed-*}). Run by hand after
 * changing an input format:
 * {@code java -cp target/test-classes:target/classes io.usertcp.fuzz.SeedCorpus src/test/resources}
 * (from socketimpl/). Findings of long runs land next to the seeds as {@code crash-*} and stay there
 * as regression inputs.
 */
public final class SeedCorpus {
    private SeedCorpus() {}

    /** Linux loopback captures (IPv4 + TCP), as in socketimpl/src/test/resources/packets. */
    static final String LO_SYN = "4500003c96be40004006a5fb7f0000017f000001bd8e1f908326239800000000"
            + "a002ffd74a3b00000204ffd70402080afaff86e6000000000103030a";
    /** Echo request 198.18.0.2 → 198.18.0.1 (checksums valid). */
    static final String ECHO_REQUEST = "4500003cbeef40004001efa9c6120002c6120001"
            + "0800f3c812340001" + "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f";
    /** SYN 198.18.0.1:40000 → 198.18.0.2:80. */
    static final String OUR_SYN = "45000028004240004006ae66c6120001c6120002"
            + "9c40005001020304000000005002ffff83240000";
    /** Fragmentation needed, MTU 1400, quoting OUR_SYN + 8. */
    static final String FRAG_NEEDED_ICMP = "030456ed00000578"
            + "45000028004240004006ae66c6120001c6120002" + "9c40005001020304";

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources").resolve("io/usertcp/fuzz");
        for (Map.Entry<String, byte[]> e : seeds().entrySet()) {
            Path p = root.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
        }
        System.out.println("wrote " + seeds().size() + " seeds under " + root);
    }

    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    static byte[] cat(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object o : parts) {
            if (o instanceof byte[] b) {
                out.writeBytes(b);
            } else if (o instanceof Integer i) {
                out.write(i);
            } else if (o instanceof String s) {
                out.writeBytes(hex(s));
            } else {
                throw new IllegalArgumentException(String.valueOf(o));
            }
        }
        return out.toByteArray();
    }

    static byte[] u16(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    static byte[] s32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        String w = "WireParsersFuzzTestInputs/";
        byte[] loSyn = hex(LO_SYN);
        byte[] echo = hex(ECHO_REQUEST);
        byte[] ourSyn = hex(OUR_SYN);
        // IPv4 header
        m.put(w + "ipv4HeaderParse/seed-lo-syn", cat(0, loSyn));
        m.put(w + "ipv4HeaderParse/seed-echo-offset3", cat(3, echo));
        m.put(w + "ipv4HeaderParse/seed-options-fixed", cat(4, "4600002c0000000040060000c6120002c6120001"
                + "01010100", new byte[20]));
        m.put(w + "ipv4HeaderParse/seed-beyond-buffer", cat(8, ourSyn));
        // ICMP
        m.put(w + "icmpParse/seed-echo", cat(0, java.util.Arrays.copyOfRange(echo, 20, echo.length)));
        m.put(w + "icmpParse/seed-frag-needed", cat(2, FRAG_NEEDED_ICMP));
        m.put(w + "icmpParse/seed-short-quote", cat(1, "0301000000000000", "45000028"));
        m.put(w + "icmpParseError/seed-frag-needed", cat(0, 4, u16(1400), ourSyn, "9c400050"));
        m.put(w + "icmpParseError/seed-time-exceeded", cat(2, 1, u16(0), java.util.Arrays.copyOf(ourSyn, 28)));
        m.put(w + "icmpParseError/seed-redirect", cat(1, 0, u16(0), java.util.Arrays.copyOf(ourSyn, 28)));
        // TCP options
        m.put(w + "tcpOptionsParse/seed-linux-syn", hex("0204ffd70402080afaff86e6000000000103030a"));
        m.put(w + "tcpOptionsParse/seed-sack-3", hex("0101050a000000010000000200000003000000040101080a0000000100000002"));
        m.put(w + "tcpOptionsParse/seed-mss-ts-sack3", hex("020405b4080a0000000100000002051a"
                + "000000010000000200000003000000040000000500000006"));
        m.put(w + "tcpOptionsParse/seed-len0", hex("0200"));
        m.put(w + "tcpOptionsParse/seed-len1", hex("010101fe01"));
        m.put(w + "tcpOptionsParse/seed-past-end", hex("0204ff"));
        m.put(w + "tcpOptionsParse/seed-unknown-kinds", hex("1e0401021b0800000000000003030f00"));
        m.put(w + "tcpOptionsParse/seed-wrong-lengths", hex("0205000000080800000000000303"));
        // TCP segments
        m.put(w + "tcpSegmentParse/seed-lo-syn-fixed", cat(1, java.util.Arrays.copyOfRange(loSyn, 20, loSyn.length)));
        m.put(w + "tcpSegmentParse/seed-our-syn", cat(0, java.util.Arrays.copyOfRange(ourSyn, 20, ourSyn.length)));
        m.put(w + "tcpSegmentParse/seed-data-fixed", cat(3, "9c400050010203040a0b0c0d5018ffff00000000", "68656c6c6f"));
        m.put(w + "tcpSegmentParse/seed-syn-fin-fixed", cat(1, "9c400050010203040a0b0c0d5003ffff00000000"));
        m.put(w + "tcpSegmentParse/seed-bad-option-fixed", cat(1, "9c400050010203040a0b0c0d6010ffff00000000", "02000000"));
        m.put(w + "tcpSegmentParse/seed-reserved-bits-fixed", cat(1, "9c400050010203040a0b0c0d5f10ffff00000000"));
        m.put(w + "tcpSegmentRoundTrip/seed-all-options", cat(0xFF, u16(1460), 7, s32(1), s32(2),
                s32(10), s32(20), s32(30), s32(40), s32(50), s32(60), s32(70), s32(80),
                u16(40000), u16(80), s32(-1), s32(5), 0x18, u16(65535), u16(0), u16(5), "68656c6c6f",
                0, s32(0xC6120001), s32(0xC6120002)));
        m.put(w + "tcpSegmentRoundTrip/seed-syn", cat(0x0F, u16(1460), 7, s32(100), s32(0),
                u16(1), u16(2), s32(0x7fffffff), s32(0), 0x02, u16(1024), u16(0), u16(0), 1, s32(1), s32(2)));
        m.put(w + "tcpSegmentRoundTrip/seed-syn-rst", cat(0, u16(1), u16(2), s32(3), s32(4), 0x06));

        String r = "Ipv4InputFuzzTestInputs/";
        // Raw packets: control, length, bytes.
        m.put(r + "ipv4InputPackets/seed-echo", cat(0, u16(echo.length), echo));
        m.put(r + "ipv4InputPackets/seed-plausible-tcp", cat(0x0F, u16(ourSyn.length), ourSyn,
                0x1F, u16(ourSyn.length), ourSyn, 0xCF, u16(24), ourSyn));
        m.put(r + "ipv4InputPackets/seed-fragments", cat(
                0, u16(28), fragmentHex(0x4242, 0, 8, true),
                0x40, u16(28), fragmentHex(0x4242, 8, 8, false),
                0, u16(28), fragmentHex(0x4243, 8, 8, false)));
        // Reassembly ops: op, u16 offset units, u16 length [, mask] [, time step].
        m.put(r + "reassembly/seed-in-order", cat(
                0x20 | 0x40, u16(0), u16(1000),
                0x20 | 0x40, u16(125), u16(1000),
                0x00, u16(250), u16(100)));
        m.put(r + "reassembly/seed-reverse-and-dup", cat(
                0x00, u16(250), u16(100),
                0x20 | 0x40, u16(125), u16(1000),
                0x20 | 0x40, u16(125), u16(1000),
                0x20 | 0x40, u16(0), u16(1000)));
        m.put(r + "reassembly/seed-overlap-different", cat(
                0x20 | 0x40, u16(0), u16(1000),
                0x20 | 0x40 | 0x10, u16(64), u16(1000), 0x55,
                0x00, u16(250), u16(8)));
        m.put(r + "reassembly/seed-ping-of-death", cat(
                0x80 | 0x20 | 0x40, u16(8000), u16(1480),
                0x80, u16(8189), u16(1400)));
        m.put(r + "reassembly/seed-many-ids-and-timeouts", cat(
                0x21 | 0x40, u16(0), u16(1480),
                0x22 | 0x40, u16(0), u16(1480),
                0x23 | 0x40, u16(0), u16(1480),
                0x24 | 0x40 | 0x08, u16(0), u16(1480), 200,
                0x25 | 0x40 | 0x08, u16(300), u16(1480), 255,
                0x01, u16(185), u16(100)));
        m.put(r + "reassembly/seed-bad-lengths", cat(
                0x20, u16(0), u16(13),
                0x20 | 0x40, u16(0), u16(0),
                0x00, u16(1), u16(8),
                0x20 | 0x40, u16(2), u16(16)));
        String e = "StackFuzzTestInputs/established/";
        // Handshake (peer ISN, MSS selector, window), then ops (see StackFuzzTest.Model.step).
        byte[] hs = cat(s32(0x10000000), u16(1396), u16(65535));
        m.put(e + "seed-in-order-data-and-reads", cat(hs,
                0, u16(4000), u16(0), 0x08, 0x00, u16(65535),   // data at RCV.NXT, ACK all
                5, u16(8191),                                    // read
                0, u16(5460), u16(0), 0x08, 0x00, u16(65535),
                5, u16(8191)));
        m.put(e + "seed-writes-acks-timers", cat(hs,
                6, u16(6000),                                    // app writes
                3, 0x00, 0x00, u16(4000),                        // peer acks all, window 4000
                6, u16(8000),
                4, 200, 200,                                     // clock jump
                3, 0x02 | (16 << 2), 0x00, u16(1000),            // partial ack
                4, 10, 10));
        m.put(e + "seed-zero-window-and-fin", cat(hs,
                6, u16(3000),
                3, 0x00, 0x01,                                   // ack, zero window
                4, 255, 255, 4, 255, 255,
                0, u16(4000), u16(0), 0x01, 0x00, u16(65535),   // data + FIN
                5, u16(8191), 5, u16(8191),
                8, 0x10,                                         // shutdownOutput
                3, 0x04, 0x00, u16(65535)));
        m.put(e + "seed-blind-and-icmp", cat(hs,
                7, 0x04, 1, u16(40000), 1, u16(30000), u16(100), 0,   // in-window RST
                7, 0x02, 0, s32(12345), 0, s32(99), u16(100), 1, u16(536), // SYN
                9, 4, u16(576), u16(0),                                // frag needed
                0x10, u16(4000), u16(700), 0x20, 0x00, u16(65535), u16(3),  // URG data
                5, u16(100)));
        return m;
    }

    private static byte[] fragmentHex(int id, int start, int len, boolean more) {
        ByteBuffer b = ByteBuffer.allocate(20 + len);
        Ipv4Header.emit(b, 0, 0, id, 64, Ipv4Header.PROTO_TCP, 0xC6120002, 0xC6120001, len);
        b.putShort(Ipv4Header.FLAGS_FRAGMENT, (short) ((more ? Ipv4Header.FLAG_MF : 0) | (start >>> 3)));
        for (int i = 0; i < len; i++) {
            b.put(20 + i, (byte) (start + i));
        }
        Ipv4Header.wrap(b, 0).fillChecksum();
        return b.array();
    }

    static void write(Path p, byte[] b) {
        try {
            Files.write(p, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
