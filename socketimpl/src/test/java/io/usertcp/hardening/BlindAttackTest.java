package io.usertcp.hardening;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.hardening.PeerHarness.Out;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.tcp.TcpInfo;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpSegment;
import java.io.IOException;
import java.net.SocketException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 5961 blind attacks against a live connection of the stack (CONFORMANCE C4.3, C4.4, C4.5,
 * C4.8), packet-in on the manual clock: an off-path attacker who knows the 4-tuple but has to guess
 * sequence and acknowledgment numbers floods in-window RSTs, SYNs, and data or ACKs with bad ack
 * numbers. The connection must survive uncorrupted, answer with challenge ACKs at most once per
 * {@link TcpConfig#challengeAckInterval()}, and go on carrying the right bytes. The one RST that
 * carries exactly RCV.NXT still resets it (so the attack tests can fail).
 */
@Timeout(60)
class BlindAttackTest {
    static final int PORT = 80;
    static final int PEER_PORT = 40000;
    static final int PEER_ISN = 0x7000_0000;
    static final byte[] STREAM = new byte[1 << 20];

    static {
        new Random(1).nextBytes(STREAM);
    }

    PeerHarness h;
    PeerHarness.Conn c;
    int sent;      // peer stream bytes sent (in order)
    int read;      // bytes the application read

    @BeforeEach
    void open() {
        h = new PeerHarness(TcpConfig.DEFAULT);
        c = h.open(h.listen(PORT, 8), PEER_PORT, PEER_ISN, 1460, 65535);
    }

    @AfterEach
    void close() {
        h.close();
    }

    int rcvNxt() {
        return c.peerIsn1 + sent;
    }

    TcpSegment.Builder fromPeer() {
        return TcpSegment.builder().ports(PEER_PORT, PORT).window(65535);
    }

    /** The peer sends {@code n} more bytes of its stream in order, acking everything. */
    void peerSends(int n) {
        for (int done = 0; done < n; ) {
            int len = Math.min(1460, n - done);
            h.send(fromPeer().seq(rcvNxt()).ack(c.stackIsn1).flags(TcpHeader.FLAG_ACK | TcpHeader.FLAG_PSH)
                    .payload(Arrays.copyOfRange(STREAM, sent, sent + len)).build());
            sent += len;
            done += len;
        }
        h.pump();
    }

    /** The application reads everything available; it must be the next bytes of the peer's stream. */
    void appReadsAll() throws IOException {
        while (c.socket.available() > 0) {
            byte[] b = new byte[c.socket.available()];
            int n = c.socket.read(b, 0, b.length, 1);
            assertArrayEquals(Arrays.copyOfRange(STREAM, read, read + n), Arrays.copyOf(b, n), "bytes read");
            read += n;
        }
    }

    void assertAlive() throws IOException {
        TcpInfo i = c.socket.info();
        assertEquals(TcpState.ESTABLISHED, i.state(), () -> "connection torn down: " + i);
        assertEquals(0, h.stack.stats().internalErrors());
        peerSends(3000);
        appReadsAll();
        assertEquals(sent, read, "the connection goes on carrying the peer's bytes");
    }

    /** Pure ACKs the stack sent (challenge ACKs and window updates), after checking each. */
    int acksSent(List<Out> out) {
        int n = 0;
        for (Out o : out) {
            TcpSegment s = o.seg();
            assertTrue(!s.rst() && !s.syn(), () -> "unexpected " + s);
            if (s.hasAck() && s.payloadLength() == 0) {
                assertEquals(rcvNxt(), s.ack(), "a challenge ACK carries RCV.NXT");
                n++;
            }
        }
        return n;
    }

    @Test
    void C4_3_inWindowRstFloodIsChallengedNotObeyed() throws IOException {
        peerSends(5000);
        appReadsAll();
        h.drain();
        Random rnd = new Random(5961);
        int acks = 0;
        long start = h.clock.nanoTime();
        for (int i = 0; i < 20_000; i++) {
            // RFC 5961 §3.2: in the window but not exactly RCV.NXT → challenge ACK, no reset.
            int seq = rcvNxt() + 1 + rnd.nextInt(65534);
            int flags = rnd.nextBoolean() ? TcpHeader.FLAG_RST : TcpHeader.FLAG_RST | TcpHeader.FLAG_ACK;
            h.send(fromPeer().seq(seq).ack(rnd.nextInt()).flags(flags).build());
            if (i % 100 == 99) {
                h.advanceMillis(10); // 20,000 RSTs over 2 simulated seconds
                acks += acksSent(h.drain());
            }
        }
        long seconds = (h.clock.nanoTime() - start) / 1_000_000_000L;
        assertTrue(acks >= 1, "RFC 5961 §3.2: in-window RSTs get a challenge ACK");
        assertTrue(acks <= 2 * seconds + 2, "challenge ACKs are rate limited (C4.8): " + acks + " in " + seconds + " s");
        assertAlive();
        Reliability.record("blind in-window RST flood: 20000 RSTs in " + seconds + " s -> " + acks
                + " challenge ACKs, connection intact, 3000 more bytes delivered exactly");

        // Control: the RST with exactly RCV.NXT resets the connection, and reads say so.
        h.inject(fromPeer().seq(rcvNxt()).flags(TcpHeader.FLAG_RST).build());
        assertEquals(TcpState.CLOSED, c.socket.state());
        SocketException e = assertThrows(SocketException.class, () -> c.socket.read(new byte[10], 0, 10, 1));
        assertEquals("Connection reset", e.getMessage());
    }

    @Test
    void C4_3_outOfWindowRstsAreDroppedSilently() throws IOException {
        peerSends(1000);
        appReadsAll();
        h.drain();
        Random rnd = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            int seq = rcvNxt() + 65536 + rnd.nextInt(Integer.MAX_VALUE - 131072);
            h.send(fromPeer().seq(seq).flags(TcpHeader.FLAG_RST).build());
        }
        h.pump();
        assertEquals(0, acksSent(h.drain()), "RFC 5961 §3.2: out-of-window RSTs are dropped without reply");
        assertAlive();
    }

    @Test
    void C4_4_synFloodOnEstablishedConnectionIsChallenged() throws IOException {
        peerSends(2000);
        appReadsAll();
        h.drain();
        Random rnd = new Random(4);
        int acks = 0;
        for (int i = 0; i < 10_000; i++) {
            // RFC 5961 §4.2: a SYN in a synchronized state, in window or not, gets a challenge ACK.
            int seq = rnd.nextBoolean() ? rcvNxt() + rnd.nextInt(65535) : rnd.nextInt();
            h.send(fromPeer().seq(seq).flags(TcpHeader.FLAG_SYN).build());
            if (i % 100 == 99) {
                h.advanceMillis(20);
                acks += acksSent(h.drain());
            }
        }
        assertTrue(acks >= 1, "RFC 5961 §4.2: SYN gets a challenge ACK");
        assertTrue(acks <= 2 * 2 + 2, "challenge ACKs are rate limited (C4.8): " + acks);
        assertAlive();
        Reliability.record("blind SYN flood on an established connection: 10000 SYNs in 2 s -> " + acks
                + " challenge ACKs, connection intact");
    }

    @Test
    void C4_5_dataWithUnacceptableAckIsNeverDelivered() throws IOException {
        peerSends(1000);
        appReadsAll();
        byte[] evil = "INJECTED-BY-A-BLIND-ATTACKER".getBytes();
        Random rnd = new Random(5);
        for (int i = 0; i < 2000; i++) {
            // The right sequence number, but an ACK number the stack never sent, or far in the past
            // (RFC 5961 §5.2: outside [SND.UNA - MAX.SND.WND, SND.NXT]: discard and ACK).
            int ack = rnd.nextBoolean() ? c.stackIsn1 + 1 + rnd.nextInt(1 << 30)
                    : c.stackIsn1 - 70_000 - rnd.nextInt(1 << 30);
            h.send(fromPeer().seq(rcvNxt()).ack(ack).flags(TcpHeader.FLAG_ACK | TcpHeader.FLAG_PSH).payload(evil).build());
        }
        h.pump();
        assertEquals(0, c.socket.available(), "data with an unacceptable ACK was delivered");
        h.drain();
        assertAlive();
        assertEquals(sent, read);
    }

    @Test
    void C4_5_blindAcksNeverAdvanceOrCorruptTheSendSide() throws IOException {
        byte[] data = Arrays.copyOf(STREAM, 20_000);
        c.socket.write(data, 0, data.length);
        h.pump();
        h.drain(); // the first flight, never acknowledged by the real peer
        TcpInfo before = c.socket.info();
        Random rnd = new Random(6);
        for (int i = 0; i < 10_000; i++) {
            // Outside what the stack could accept: before SND.UNA - 65535 or after SND.NXT.
            int ack = rnd.nextBoolean() ? before.sndNxt() + 1 + rnd.nextInt(1 << 30)
                    : before.sndUna() - 65_536 - rnd.nextInt(1 << 30);
            h.send(fromPeer().seq(rcvNxt()).ack(ack).flags(TcpHeader.FLAG_ACK).window(rnd.nextInt(65536)).build());
        }
        h.pump();
        TcpInfo after = c.socket.info();
        assertEquals(before.sndUna(), after.sndUna(), "a blind ACK moved SND.UNA");
        assertEquals(before.sendQueue(), after.sendQueue());
        // The data is still retransmitted correctly and completes once the real peer acks it.
        h.advanceMillis(1500);
        boolean retransmitted = false;
        for (Out o : h.drain()) {
            TcpSegment s = o.seg();
            if (s.payloadLength() > 0) {
                int off = s.seq() - c.stackIsn1;
                assertArrayEquals(Arrays.copyOfRange(data, off, off + s.payloadLength()), s.payloadBytes());
                retransmitted |= off == 0;
            }
        }
        assertTrue(retransmitted, "the RTO retransmission still comes");
        for (int k = 0; k < 200 && c.socket.info().sendQueue() > 0; k++) {
            h.inject(fromPeer().seq(rcvNxt()).ack(c.socket.info().sndNxt()).flags(TcpHeader.FLAG_ACK).build());
            h.drain();
        }
        assertEquals(0, c.socket.info().sendQueue(), "the real ACKs still complete the transfer");
        assertAlive();
    }
}
