package io.usertcp.ip;

import static io.usertcp.ip.IpPackets.A;
import static io.usertcp.ip.IpPackets.B;
import static io.usertcp.ip.IpPackets.fragment;
import static io.usertcp.ip.IpPackets.header;
import static io.usertcp.ip.IpPackets.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.wire.DropReason;
import io.usertcp.wire.Ipv4Header;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FragmentReassemblerTest {
    private static final long SEC = 1_000_000_000L;
    private final IpStats stats = new IpStats();
    private final FragmentReassembler r = new FragmentReassembler(stats);

    private ByteBuffer offer(ByteBuffer packet, long now) {
        return r.offer(header(packet), now);
    }

    private static void assertDatagram(ByteBuffer whole, byte[] data, int id) throws Exception {
        assertNotNull(whole, "datagram should be complete");
        Ipv4Header h = Ipv4Header.parse(whole, 0, whole.limit()); // checksum and lengths re-verified
        assertEquals(20 + data.length, h.totalLength());
        assertFalse(h.isFragment());
        assertEquals(id, h.identification());
        assertEquals(B, h.src());
        assertEquals(A, h.dst());
        byte[] got = new byte[h.payloadLength()];
        whole.get(h.payloadOffset(), got);
        assertArrayEquals(data, got);
    }

    @Test
    void C6_2_inOrderFragmentsReassembled() throws Exception {
        byte[] d = pattern(3000, 1);
        assertNull(offer(fragment(1, d, 0, 1480, true), 0));
        assertNull(offer(fragment(1, d, 1480, 1480, true), 0));
        assertDatagram(offer(fragment(1, d, 2960, 40, false), 0), d, 1);
        assertEquals(0, r.datagramsHeld());
        assertEquals(0, r.bytesHeld());
        assertEquals(1, stats.get(IpStats.Counter.DATAGRAMS_REASSEMBLED));
        assertEquals(3, stats.get(IpStats.Counter.FRAGMENTS_RECEIVED));
        assertEquals(0, stats.totalDrops());
    }

    @Test
    void C6_2_outOfOrderFragmentsReassembled() throws Exception {
        byte[] d = pattern(3001, 2);
        assertNull(offer(fragment(2, d, 2960, 41, false), 0));
        assertNull(offer(fragment(2, d, 1480, 1480, true), 0));
        assertDatagram(offer(fragment(2, d, 0, 1480, true), 0), d, 2);
    }

    @Test
    void interleavedDatagramsKeptApartByKey() throws Exception {
        byte[] d1 = pattern(16, 3);
        byte[] d2 = pattern(16, 4);
        assertNull(offer(fragment(5, d1, 0, 8, true), 0));
        assertNull(offer(fragment(6, d2, 0, 8, true), 0));
        // same id from another source is another datagram
        assertNull(offer(fragment(0xC6120003, A, 6, 5, d2, 8, 8, false), 0));
        assertDatagram(offer(fragment(6, d2, 8, 8, false), 0), d2, 6);
        assertDatagram(offer(fragment(5, d1, 8, 8, false), 0), d1, 5);
        assertEquals(1, r.datagramsHeld());
    }

    @Test
    void duplicatesIgnoredAndCounted() throws Exception {
        byte[] d = pattern(24, 5);
        assertNull(offer(fragment(7, d, 0, 8, true), 0));
        assertNull(offer(fragment(7, d, 0, 8, true), 0));
        assertNull(offer(fragment(7, d, 8, 8, true), 0));
        assertNull(offer(fragment(7, d, 8, 8, true), 0));
        assertDatagram(offer(fragment(7, d, 16, 8, false), 0), d, 7);
        assertEquals(2, stats.get(IpStats.Counter.FRAGMENTS_DUPLICATE));
        assertEquals(0, stats.totalDrops());
    }

    @Test
    void lastFragmentInsideHeldBytesStillCompletes() throws Exception {
        byte[] d = pattern(16, 8);
        assertNull(offer(fragment(20, d, 0, 16, true), 0));
        // the last fragment repeats bytes 8..16 and so tells the end: the datagram is complete
        assertDatagram(offer(fragment(20, d, 8, 8, false), 0), d, 20);
    }

    @Test
    void overlapWithSameBytesAccepted() throws Exception {
        byte[] d = pattern(40, 6);
        assertNull(offer(fragment(8, d, 0, 16, true), 0));
        assertNull(offer(fragment(8, d, 8, 24, true), 0)); // overlaps [8,16) with identical bytes
        assertDatagram(offer(fragment(8, d, 32, 8, false), 0), d, 8);
        assertEquals(0, stats.totalDrops());
    }

    @Test
    void C6_2_overlapWithDifferentBytesDropsDatagram() {
        byte[] d = pattern(40, 6);
        byte[] evil = pattern(40, 99);
        assertNull(offer(fragment(9, d, 0, 16, true), 0));
        assertNull(offer(fragment(9, evil, 8, 24, true), 0));
        assertEquals(1, stats.drops(DropReason.FRAGMENT_OVERLAP));
        assertEquals(0, r.datagramsHeld());
        assertEquals(0, r.bytesHeld());
        // the rest of the datagram starts a new, incomplete one: nothing is delivered
        assertNull(offer(fragment(9, d, 32, 8, false), 0));
    }

    @Test
    void C6_2_timeoutDropsIncompleteDatagramAndQuotesFragmentZero() {
        byte[] d = pattern(100, 7);
        assertNull(offer(fragment(10, d, 0, 48, true), 5 * SEC));
        assertEquals(5 * SEC + FragmentReassembler.DEFAULT_TIMEOUT_NANOS, r.nextDeadline());
        List<ByteBuffer> quotes = new ArrayList<>();
        r.expire(35 * SEC - 1, (q, now) -> quotes.add(q));
        assertEquals(1, r.datagramsHeld());
        r.expire(35 * SEC, (q, now) -> quotes.add(q));
        assertEquals(0, r.datagramsHeld());
        assertEquals(0, r.bytesHeld());
        assertEquals(Long.MAX_VALUE, r.nextDeadline());
        assertEquals(1, stats.drops(DropReason.FRAGMENT_TIMEOUT));
        assertEquals(1, quotes.size());
        ByteBuffer q = quotes.get(0);
        assertEquals(28, q.limit(), "IP header + 8 bytes");
        assertEquals(10, Ipv4Header.wrap(q, 0).identification());
        assertEquals(d[7], q.get(27));
    }

    @Test
    void timeoutWithoutFragmentZeroSendsNoQuote() {
        byte[] d = pattern(100, 7);
        offer(fragment(11, d, 48, 52, false), 0);
        List<ByteBuffer> quotes = new ArrayList<>();
        r.expire(FragmentReassembler.DEFAULT_TIMEOUT_NANOS, (q, now) -> quotes.add(q));
        assertTrue(quotes.isEmpty());
        assertEquals(1, stats.drops(DropReason.FRAGMENT_TIMEOUT));
    }

    @Test
    void offerExpiresStaleDatagrams() {
        byte[] d = pattern(16, 1);
        offer(fragment(12, d, 0, 8, true), 0);
        offer(fragment(13, d, 0, 8, true), FragmentReassembler.DEFAULT_TIMEOUT_NANOS);
        assertEquals(1, r.datagramsHeld());
        assertEquals(1, stats.drops(DropReason.FRAGMENT_TIMEOUT));
    }

    @Test
    void C6_2_floodOfIncompleteDatagramsStaysAtMemoryCap() throws Exception {
        int cap = 64 * 1024;
        FragmentReassembler small = new FragmentReassembler(cap, 1000, 30 * SEC, stats);
        byte[] d = pattern(1480, 9);
        int flood = 5000;
        for (int i = 0; i < flood; i++) {
            assertNull(small.offer(header(fragment(i, d, 0, 1480, true)), i));
            assertTrue(small.bytesHeld() <= cap, "bytes held " + small.bytesHeld());
        }
        long held = small.datagramsHeld();
        assertTrue(held > 0 && held < 100, "held " + held);
        assertEquals(flood - held, stats.drops(DropReason.FRAGMENT_NO_MEMORY));
        // a datagram whose fragments arrive together still gets through
        byte[] fresh = pattern(2000, 10);
        assertNull(small.offer(header(fragment(60000, fresh, 0, 1480, true)), flood));
        assertDatagram(small.offer(header(fragment(60000, fresh, 1480, 520, false)), flood), fresh, 60000);
    }

    @Test
    void datagramCountIsBounded() {
        FragmentReassembler small = new FragmentReassembler(1 << 20, 4, 30 * SEC, stats);
        byte[] d = pattern(8, 1);
        for (int i = 0; i < 10; i++) {
            small.offer(header(fragment(i, d, 0, 8, true)), 0);
        }
        assertEquals(4, small.datagramsHeld());
        assertEquals(6, stats.drops(DropReason.FRAGMENT_NO_MEMORY));
    }

    @Test
    void datagramLargerThanBudgetRefused() {
        FragmentReassembler small = new FragmentReassembler(4096, 4, 30 * SEC, stats);
        byte[] d = pattern(8000, 1);
        assertNull(small.offer(header(fragment(1, d, 0, 1480, true)), 0));
        assertNull(small.offer(header(fragment(1, d, 6000, 2000, false)), 0));
        assertEquals(0, small.datagramsHeld());
        assertEquals(0, small.bytesHeld());
        assertEquals(1, stats.drops(DropReason.FRAGMENT_NO_MEMORY));
    }

    @Test
    void nonFinalFragmentNotMultipleOf8IsBad() {
        byte[] d = pattern(20, 1);
        assertNull(offer(fragment(1, d, 0, 12, true), 0));
        assertEquals(1, stats.drops(DropReason.FRAGMENT_BAD));
        assertEquals(0, r.datagramsHeld());
    }

    @Test
    void pingOfDeathRejected() {
        byte[] d = pattern(65544, 1);
        // offset 65528 + 16 bytes + 20 header > 65535
        assertNull(offer(fragment(1, d, 65528, 16, false), 0));
        assertEquals(1, stats.drops(DropReason.FRAGMENT_TOO_BIG));
    }

    @Test
    void conflictingLastFragmentsDropDatagram() {
        byte[] d = pattern(64, 1);
        assertNull(offer(fragment(1, d, 32, 16, false), 0));
        assertNull(offer(fragment(1, d, 40, 16, false), 0)); // a different end
        assertEquals(1, stats.drops(DropReason.FRAGMENT_BAD));
        assertEquals(0, r.datagramsHeld());
    }

    @Test
    void dataBeyondKnownEndDropsDatagram() {
        byte[] d = pattern(64, 1);
        assertNull(offer(fragment(2, d, 16, 8, false), 0)); // the datagram ends at 24
        assertNull(offer(fragment(2, d, 16, 16, true), 0)); // claims bytes up to 32
        assertEquals(1, stats.drops(DropReason.FRAGMENT_BAD));
    }

    @Test
    void randomFragmentsKeepAccountingExact() {
        java.util.Random rnd = new java.util.Random(3);
        int cap = 32 * 1024;
        FragmentReassembler small = new FragmentReassembler(cap, 16, 30 * SEC, stats);
        byte[] d = pattern(70_000, 1);
        byte[] other = pattern(70_000, 2);
        long now = 0;
        for (int i = 0; i < 20_000; i++) {
            now += rnd.nextInt(10_000_000);
            int start = rnd.nextInt(8200) << 3;
            boolean more = rnd.nextBoolean();
            int len = more ? (1 + rnd.nextInt(200)) << 3 : rnd.nextInt(1600);
            if (start + len > 65_515) {
                start = 0;
            }
            // a few ids, few sources, identical or flipped data
            byte[] src = rnd.nextInt(50) == 0 ? other : d;
            ByteBuffer f = fragment(B, A, 6, rnd.nextInt(24), src, start, len, more);
            if (start == 0 && !more) {
                continue; // not a fragment
            }
            ByteBuffer whole = small.offer(header(f), now);
            if (whole != null) {
                assertTrue(whole.limit() <= Ipv4Header.MAX_TOTAL_LENGTH);
            }
            assertTrue(small.bytesHeld() <= cap, "bytes " + small.bytesHeld());
            assertTrue(small.datagramsHeld() <= 16);
            assertTrue(small.bytesHeld() >= small.datagramsHeld() * FragmentReassembler.OVERHEAD);
        }
        small.expire(now + 31 * SEC, null);
        assertEquals(0, small.datagramsHeld());
        assertEquals(0, small.bytesHeld());
        // still works afterwards
        byte[] fresh = pattern(3000, 5);
        assertNull(small.offer(header(fragment(1000, fresh, 0, 1480, true)), now));
        assertNull(small.offer(header(fragment(1000, fresh, 2960, 40, false)), now));
        ByteBuffer whole = small.offer(header(fragment(1000, fresh, 1480, 1480, true)), now);
        assertNotNull(whole, stats.toString());
        assertEquals(3020, whole.limit());
    }
}
