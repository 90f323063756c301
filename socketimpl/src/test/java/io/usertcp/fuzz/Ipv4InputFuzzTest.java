package io.usertcp.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.usertcp.ip.FragmentReassembler;
import io.usertcp.ip.IpStats;
import io.usertcp.ip.Ipv4Input;
import io.usertcp.wire.Ipv4Header;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzz targets for IPv4 input and fragment reassembly (CONFORMANCE C6.1, C6.2, C7.3).
 * Invariants checked after every packet:
 * <ul>
 * <li>{@link Ipv4Input#receive} never throws; it returns true exactly when one handler got exactly
 *     one datagram, and that datagram is a valid, unfragmented IPv4 datagram for us whose payload
 *     range lies inside its buffer;</li>
 * <li>the reassembler holds at most its byte cap and datagram cap, nothing when it holds no datagram,
 *     and has a finite deadline exactly when it holds something (no timer lost);</li>
 * <li>every byte of a reassembled datagram is a byte some fragment of that datagram carried at that
 *     offset (nothing invented, nothing shifted);</li>
 * <li>whatever came before, a fresh datagram sent in three fragments is still reassembled exactly
 *     (the cap evicts, it never wedges), and after the timeout everything is freed.</li>
 * </ul>
 */
class Ipv4InputFuzzTest {
    static final int US = 0xC6120001;
    static final int PEER = 0xC6120002;
    static final int CAP_BYTES = 16 * 1024;
    static final int CAP_DATAGRAMS = 4;
    static final long TIMEOUT = 1_000_000_000L;
    /** Source of the datagram {@link Harness#finish} sends; no fuzzed packet uses it. */
    static final int LIVENESS_SRC = 0xC6120063;

    /** Raw packets: per packet a control byte, a 16-bit length and the bytes (made plausible on request). */
    @FuzzTest
    void ipv4InputPackets(byte[] data) {
        Harness h = new Harness();
        FuzzBytes in = new FuzzBytes(data);
        for (int count = 0; in.remaining() > 0 && count < 64; count++) {
            int ctl = in.u8();
            byte[] p = in.bytes(in.u16() % 1600);
            if ((ctl & 1) != 0 && p.length >= 20) {
                p[0] = (byte) (0x40 | (p[0] & 0x0F));
                if ((ctl & 2) != 0) {
                    Oracle.put16(p, 2, p.length);
                }
                if ((ctl & 4) != 0) {
                    putInt(p, 16, US);
                }
                if ((ctl & 8) != 0) {
                    putInt(p, 12, PEER);
                }
                int[] protocols = {Ipv4Header.PROTO_TCP, Ipv4Header.PROTO_ICMP, Ipv4Header.PROTO_UDP, p[9] & 0xFF};
                p[9] = (byte) protocols[(ctl >>> 4) & 3];
                int hl = (p[0] & 0x0F) * 4;
                if (hl >= 20 && hl <= p.length) {
                    Oracle.put16(p, 10, 0);
                    Oracle.put16(p, 10, Oracle.checksum(0, p, 0, hl));
                }
            }
            if (p.length >= 16 && Oracle.s32(p, 12) == LIVENESS_SRC) {
                p[15] ^= 1; // keep the final liveness datagram's key to itself
            }
            h.now += ((ctl >>> 6) & 3) * 400_000_000L;
            h.receive(p, (ctl >>> 2) & 1);
        }
        h.finish();
    }

    /**
     * Fragment sequences: per fragment an op byte (id 0-3, one of two sources, MF, aligned length,
     * large offset, corrupted content, time step), a 16-bit offset and a 16-bit length. Content is a
     * function of (datagram, offset) unless corrupted, so delivered bytes can be checked.
     */
    @FuzzTest
    void reassembly(byte[] data) {
        Harness h = new Harness();
        FuzzBytes in = new FuzzBytes(data);
        for (int count = 0; in.remaining() > 0 && count < 128; count++) {
            int op = in.u8();
            int id = op & 3;
            int src = (op & 4) != 0 ? PEER + 1 : PEER;
            int units = in.u16();
            int start = ((op & 0x80) != 0 ? units & 0x1FFF : units % 512) * 8;
            int len = in.u16() % 1481;
            if ((op & 0x40) != 0) {
                len &= ~7;
            }
            boolean more = (op & 0x20) != 0;
            int mask = (op & 0x10) != 0 ? in.u8() : 0;
            if ((op & 0x08) != 0) {
                h.now += in.u8() * 10_000_000L;
            }
            h.offers.add(new Offer(src, id, start, len, mask));
            h.receive(fragment(src, id, start, len, more, mask), 0);
        }
        h.finish();
    }

    record Offer(int src, int id, int start, int len, int mask) {}

    static byte content(int src, int id, int pos) {
        return (byte) (pos * 31 + (pos >>> 8) + id * 7 + (src & 0xFF) * 13);
    }

    static byte[] fragment(int src, int id, int start, int len, boolean more, int mask) {
        ByteBuffer b = ByteBuffer.allocate(20 + len);
        Ipv4Header.emit(b, 0, 0, id, 64, Ipv4Header.PROTO_TCP, src, US, len);
        b.putShort(Ipv4Header.FLAGS_FRAGMENT, (short) ((more ? Ipv4Header.FLAG_MF : 0) | (start >>> 3)));
        for (int i = 0; i < len; i++) {
            b.put(20 + i, (byte) (content(src, id, start + i) ^ mask));
        }
        Ipv4Header.wrap(b, 0).fillChecksum();
        return b.array();
    }

    static void putInt(byte[] b, int i, int v) {
        Oracle.put16(b, i, v >>> 16);
        Oracle.put16(b, i + 2, v);
    }

    /** One Ipv4Input with a small reassembler, and the checks. */
    static final class Harness {
        final IpStats stats = new IpStats();
        final FragmentReassembler reassembler = new FragmentReassembler(CAP_BYTES, CAP_DATAGRAMS, TIMEOUT, stats);
        final Ipv4Input input = new Ipv4Input(a -> a == US, reassembler, stats);
        final List<Offer> offers = new ArrayList<>();
        long now = 1_000_000_000_000L;
        int received;
        int delivered;
        byte[] lastPayload;
        int lastSrc;
        int lastId;

        Harness() {
            input.setHandler(Ipv4Header.PROTO_TCP, this::deliver);
            input.setHandler(Ipv4Header.PROTO_ICMP, this::deliver);
        }

        void deliver(Ipv4Header ip, ByteBuffer buf, int off, int len, long t) {
            delivered++;
            assertEquals(now, t);
            assertTrue(off >= 0 && len >= 0 && off + len <= buf.limit(), "payload outside its buffer");
            assertEquals(ip.payloadOffset(), off);
            assertEquals(ip.payloadLength(), len);
            assertEquals(4, ip.version());
            assertEquals(US, ip.dst());
            assertFalse(Ipv4Input.isInvalidSource(ip.src()));
            assertFalse(ip.isFragment(), "a fragment was delivered");
            assertTrue(Oracle.verifies(buf.array(), buf.arrayOffset() + ip.offset(), ip.headerLength()),
                    "delivered header checksum");
            lastPayload = new byte[len];
            buf.get(off, lastPayload);
            lastSrc = ip.src();
            lastId = ip.identification();
        }

        void receive(byte[] p, int pad) {
            if (reassembler.nextDeadline() - now <= 0) {
                reassembler.expire(now, (quote, t) -> {
                    assertEquals(0, quote.position());
                    assertTrue(quote.limit() >= 20 && quote.limit() <= 68, "quote length " + quote.limit());
                    assertEquals(4, (quote.get(0) & 0xF0) >>> 4);
                });
            }
            byte[] whole = new byte[pad + p.length];
            System.arraycopy(p, 0, whole, pad, p.length);
            int before = delivered;
            lastPayload = null;
            boolean r = input.receive(ByteBuffer.wrap(whole), pad, p.length, now);
            received++;
            assertEquals(r ? before + 1 : before, delivered, "receive() result vs deliveries");
            if (r && !offers.isEmpty()) {
                checkContent();
            }
            checkBounds();
        }

        /** Every delivered byte was carried at that offset by some fragment of that datagram. */
        void checkContent() {
            List<Offer> mine = new ArrayList<>();
            for (Offer o : offers) {
                if (o.src == lastSrc && o.id == lastId) {
                    mine.add(o);
                }
            }
            assertFalse(mine.isEmpty(), "delivered a datagram nobody sent");
            for (int pos = 0; pos < lastPayload.length; pos++) {
                boolean ok = false;
                for (Offer o : mine) {
                    if (pos >= o.start && pos < o.start + o.len
                            && lastPayload[pos] == (byte) (content(o.src, o.id, pos) ^ o.mask)) {
                        ok = true;
                        break;
                    }
                }
                if (!ok) {
                    fail("byte " + pos + " of datagram id " + lastId + " was never sent there");
                }
            }
        }

        void checkBounds() {
            int bytes = reassembler.bytesHeld();
            int n = reassembler.datagramsHeld();
            assertTrue(bytes >= 0 && bytes <= CAP_BYTES, "bytesHeld " + bytes + " > cap " + CAP_BYTES);
            assertTrue(n >= 0 && n <= CAP_DATAGRAMS, "datagramsHeld " + n);
            assertEquals(n == 0, bytes == 0, "bytes " + bytes + " held for " + n + " datagrams");
            long deadline = reassembler.nextDeadline();
            if (n == 0) {
                assertEquals(Long.MAX_VALUE, deadline);
            } else {
                assertTrue(deadline != Long.MAX_VALUE && deadline - now <= TIMEOUT, "timer lost: " + deadline);
            }
            assertEquals(received, stats.get(IpStats.Counter.PACKETS_RECEIVED));
            assertEquals(delivered, stats.get(IpStats.Counter.PACKETS_DELIVERED));
        }

        /** Liveness after any history, then everything freed after the timeout. */
        void finish() {
            int src = LIVENESS_SRC;
            int id = 0x7777;
            byte[] all = new byte[2100];
            for (int i = 0; i < all.length; i++) {
                all[i] = content(src, id, i);
            }
            offers.add(new Offer(src, id, 0, all.length, 0));
            int before = delivered;
            receive(fragment(src, id, 1024, 1024, true, 0), 0);
            receive(fragment(src, id, 0, 1024, true, 0), 0);
            receive(fragment(src, id, 2048, 52, false, 0), 0);
            assertEquals(before + 1, delivered, "a fresh datagram was not reassembled");
            assertNotNull(lastPayload);
            assertEquals(java.util.HexFormat.of().formatHex(all), java.util.HexFormat.of().formatHex(lastPayload));
            now += TIMEOUT + 1;
            reassembler.expire(now, null);
            assertEquals(0, reassembler.bytesHeld());
            assertEquals(0, reassembler.datagramsHeld());
            assertEquals(Long.MAX_VALUE, reassembler.nextDeadline());
        }
    }
}
