package io.usertcp.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.usertcp.hardening.PeerHarness;
import io.usertcp.hardening.PeerHarness.Out;
import io.usertcp.stack.TcpSocket;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.tcp.TcpInfo;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.IcmpHeader;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.Seq;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the whole engine (issue 8): a usertcp {@link io.usertcp.stack.Stack} in
 * manual mode accepts a connection from a scripted peer, then the fuzzer drives a sequence of events:
 * the peer sends ranges of its byte stream with any flags, ack numbers, windows and MSS-sized or odd
 * lengths (always with valid checksums, so they reach TCP), blind segments with guessed numbers
 * (RFC 5961), ICMP errors, clock jumps, and application reads, writes, half-closes and closes.
 *
 * <p>Invariants, checked after every event on everything the stack sends and on {@link TcpInfo}:
 * <ul>
 * <li>no exception escapes the stack ({@code StackStats.internalErrors() == 0}); every packet it sends
 *     is valid IPv4/TCP with correct checksums;</li>
 * <li>the bytes the application reads are a prefix of what the peer sent; EOF only at an offset
 *     where the peer sent a FIN;</li>
 * <li>the bytes the stack sends are the bytes the application wrote, at their offsets; a FIN only
 *     after the application shut output down, right after its last byte;</li>
 * <li>never beyond the largest right window edge the peer ever offered (+1 byte for a zero-window
 *     probe); never an ACK for data the peer did not send; the ACK number never goes back;</li>
 * <li>SND.UNA ≤ SND.NXT; send and receive queues within their buffers;</li>
 * <li>no timer lost: while data is unacknowledged on an open connection, the stack sends something
 *     within RTO max (or gives the connection up).</li>
 * </ul>
 */
class StackFuzzTest {
    static final int PORT = 80;
    static final int PEER_PORT = 40000;
    static final int SND_BUF = 16 * 1024;
    static final int RCV_BUF = 8 * 1024;
    static final TcpConfig CONFIG = TcpConfig.DEFAULT.toBuilder().sendBufferSize(SND_BUF)
            .receiveBufferSize(RCV_BUF).maxOutOfOrderBytes(RCV_BUF).rtoMin(Duration.ofMillis(200))
            .rtoMax(Duration.ofSeconds(60)).build();
    /** -Dusertcp.fuzz.trace=FILE appends every segment both ways to FILE (to replay a finding). */
    static final String TRACE = System.getProperty("usertcp.fuzz.trace");
    /**
     * The window check. Strict (the default): never beyond the largest right edge the peer ever
     * offered. -Dusertcp.fuzz.lenientWindow=true relaxes it to SND.UNA + the largest window ever
     * offered, the check used while the engine still followed RFC 9293 §3.10.7.4's SND.WL1 rule to
     * the letter (a window carried by an advancing ACK behind an earlier out-of-order segment was
     * ignored); it now also takes the window whenever the ACK advances, as Linux's
     * tcp_may_update_window does. See RELIABILITY.md, finding 2.
     */
    static final boolean STRICT_WINDOW = !Boolean.getBoolean("usertcp.fuzz.lenientWindow");
    static final byte[] PEER_STREAM = stream(256 * 1024, 11);
    static final byte[] APP_STREAM = stream(256 * 1024, 29);

    static byte[] stream(int n, int seed) {
        byte[] b = new byte[n];
        long x = seed;
        for (int i = 0; i < n; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            b[i] = (byte) (x >>> 56);
        }
        return b;
    }

    @FuzzTest
    void established(byte[] data) {
        // A wedged engine must fail the regression run rather than hang the build; while fuzzing,
        // Jazzer's own per-input timeout does this (a JUnit timeout would cut the whole fuzzing run).
        if (System.getenv("JAZZER_FUZZ") == null || System.getenv("JAZZER_FUZZ").isEmpty()) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(data));
        } else {
            run(data);
        }
    }

    static void run(byte[] data) {
        FuzzBytes in = new FuzzBytes(data);
        try (PeerHarness h = new PeerHarness(CONFIG)) {
            Model m = new Model(h, in);
            for (int ops = 0; ops < 256 && in.remaining() > 0; ops++) {
                m.step(in.u8());
            }
            m.finish();
        }
    }

    /** The peer's and the application's view, and the checks. */
    static final class Model {
        final PeerHarness h;
        final FuzzBytes in;
        final PeerHarness.Conn c;
        final TcpSocket sock;
        int delivered;          // bytes the application read
        boolean eof;            // read returned -1
        boolean readFailed;     // read threw (reset)
        int appWritten;         // bytes the application wrote
        boolean outputShut;     // shutdownOutput or close
        boolean closed;         // close or abort
        int peerHighest;        // highest peer stream offset (exclusive) ever sent
        final Set<Integer> peerFinOffsets = new HashSet<>();
        long rightEdge;         // largest (ack offset + window) the peer ever sent
        int maxWindow;          // largest window the peer ever sent
        int lastAckOff = 0;     // highest ack offset the stack sent
        int stackHighest;       // highest stack stream offset (exclusive) seen on the wire
        int peerWindow;

        Model(PeerHarness h, FuzzBytes in) {
            this.h = h;
            this.in = in;
            TcpSocket listener = h.listen(PORT, 4);
            int isn = in.s32();
            int mss = 64 + in.below(1400);
            peerWindow = in.u16();
            c = h.open(listener, PEER_PORT, isn, mss, peerWindow);
            sock = c.socket;
            // One incarnation: a SYN after this connection is gone must not open a new one (it gets a RST).
            listener.close();
            rightEdge = peerWindow;
            maxWindow = peerWindow;
            try {
                sock.setOobInline(true); // urgent bytes stay in the stream, so it stays comparable
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            check();
        }

        int peerSeq(int off) {
            return c.peerIsn1 + off;
        }

        int stackSeq(int off) {
            return c.stackIsn1 + off;
        }

        void step(int op) {
            switch (op % 10) {
                case 0, 1, 2 -> peerData(op);
                case 3 -> peerAck();
                case 4 -> h.clock.advanceMillis((long) in.u8() * in.u8() * 4);
                case 5 -> appRead();
                case 6 -> appWrite();
                case 7 -> blind();
                case 8 -> appShutdown(op);
                default -> icmp();
            }
            h.pump();
            check();
        }

        /** A range of the peer's stream near RCV.NXT, with fuzzed flags, ack and window. */
        void peerData(int op) {
            int base = delivered + Math.max(0, info().receiveQueue());
            int off = Math.max(0, Math.min(PEER_STREAM.length - 2000, base + in.u16() % 24_000 - 4000));
            int len = (op & 0x10) != 0 ? in.below(1461) : Math.min(c.stackMss, 536 + in.below(1000));
            int flags = TcpHeader.FLAG_ACK | (in.u8() & (TcpHeader.FLAG_PSH | TcpHeader.FLAG_FIN | TcpHeader.FLAG_URG));
            if ((op & 0x80) != 0) {
                flags &= ~TcpHeader.FLAG_ACK;
            }
            int ackOff = ackChoice();
            int window = in.u16();
            int urg = (flags & TcpHeader.FLAG_URG) != 0 ? in.below(len + 2) : 0;
            sendPeer(TcpSegment.builder().ports(PEER_PORT, PORT).seq(peerSeq(off)).ack(stackSeq(ackOff))
                    .flags(flags).window(window).urgentPointer(urg)
                    .payload(Arrays.copyOfRange(PEER_STREAM, off, off + len)).build(), off, ackOff);
        }

        int ackChoice() {
            int k = in.u8();
            return switch (k & 3) {
                case 0, 1 -> stackHighest + ((k & 4) != 0 ? 1 : 0);      // all (maybe + FIN)
                case 2 -> (int) (((long) stackHighest * (k >>> 2)) / 64); // part of it
                default -> in.s32();                                       // anything
            };
        }

        void peerAck() {
            int ackOff = ackChoice();
            int window = in.bit() ? 0 : in.u16();
            int off = delivered + Math.max(0, info().receiveQueue());
            sendPeer(TcpSegment.builder().ports(PEER_PORT, PORT).seq(peerSeq(off)).ack(stackSeq(ackOff))
                    .flags(TcpHeader.FLAG_ACK).window(window).build(), off, ackOff);
        }

        void sendPeer(TcpSegment s, int off, int ackOff) {
            int end = off + s.payloadLength();
            peerHighest = Math.max(peerHighest, end);
            if (s.fin()) {
                peerFinOffsets.add(end);
            }
            if (s.hasAck() && ackOff >= 0 && ackOff <= stackHighest + 1) {
                rightEdge = Math.max(rightEdge, (long) ackOff + s.window());
                maxWindow = Math.max(maxWindow, s.window());
            }
            trace("peer  > ", s);
            h.send(s);
        }

        void trace(String dir, Object what) {
            if (TRACE != null) {
                try {
                    java.nio.file.Files.writeString(java.nio.file.Path.of(TRACE),
                            h.clock.nanoTime() / 1_000_000 + "ms " + dir + what + "\n",
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }

        /** RFC 5961 blind segment: guessed numbers, any flags (SYN, RST, ACK…), no data. */
        void blind() {
            int flags = in.u8();
            int seq = in.bit() ? peerSeq(delivered + in.u16() - 32768) : in.s32();
            int ack = in.bit() ? stackSeq(in.u16() - 32768) : in.s32();
            int window = in.u16();
            TcpSegment s = TcpSegment.builder().ports(PEER_PORT, PORT).seq(seq).ack(ack).flags(flags)
                    .window(window).options(in.bit() ? TcpOptions.NONE.withMss(in.u16()) : TcpOptions.NONE).build();
            int finOff = seq - c.peerIsn1;
            if ((flags & TcpHeader.FLAG_FIN) != 0 && finOff >= 0 && finOff <= PEER_STREAM.length) {
                // A FIN the stack could take (guessed right): EOF may come there. (Far ones it must drop.)
                peerFinOffsets.add(finOff);
                peerHighest = Math.max(peerHighest, finOff);
            }
            if ((flags & TcpHeader.FLAG_ACK) != 0) {
                int ackOff = ack - c.stackIsn1;
                if (ackOff >= 0 && ackOff <= stackHighest + 1) {
                    rightEdge = Math.max(rightEdge, (long) ackOff + window);
                    maxWindow = Math.max(maxWindow, window);
                }
            }
            trace("blind > ", s);
            h.send(s);
        }

        void icmp() {
            int code = in.below(16);
            int mtu = in.u16();
            int seqOff = in.u16() % (stackHighest + 1);
            ByteBuffer b = ByteBuffer.allocate(20 + 8 + 28);
            Ipv4Header.emit(b, 0, 0, 1, 64, Ipv4Header.PROTO_ICMP, PeerHarness.PEER, PeerHarness.US, 8 + 28);
            b.put(20, (byte) IcmpHeader.TYPE_DEST_UNREACHABLE).put(21, (byte) code);
            b.putShort(26, (short) mtu);
            Ipv4Header.emit(b, 28, 0, 2, 64, Ipv4Header.PROTO_TCP, PeerHarness.US, PeerHarness.PEER, 20);
            b.putShort(48, (short) PORT).putShort(50, (short) PEER_PORT).putInt(52, stackSeq(seqOff));
            IcmpHeader.wrap(b, 20, 36).fillChecksum();
            h.sendRaw(b, b.capacity());
        }

        void appRead() {
            if (closed || eof || readFailed) {
                return;
            }
            try {
                int avail = sock.available();
                TcpState st = sock.state();
                boolean finIn = st == TcpState.CLOSE_WAIT || st == TcpState.LAST_ACK || st == TcpState.CLOSING
                        || st == TcpState.TIME_WAIT || st == TcpState.CLOSED;
                if (avail == 0 && !finIn) {
                    return; // would block
                }
                byte[] b = new byte[1 + in.u16() % 8192];
                int n = sock.read(b, 0, b.length, 1);
                if (n < 0) {
                    eof = true;
                    if (!peerFinOffsets.contains(delivered) && info().error() == io.usertcp.tcp.ConnectionError.NONE) {
                        fail("EOF after " + delivered + " bytes but the peer sent FIN only at " + peerFinOffsets);
                    }
                    return;
                }
                for (int i = 0; i < n; i++) {
                    if (b[i] != PEER_STREAM[delivered + i]) {
                        fail("byte " + (delivered + i) + " read is not the byte the peer sent there");
                    }
                }
                delivered += n;
            } catch (java.net.SocketTimeoutException e) {
                // nothing after all
            } catch (IOException e) {
                readFailed = true; // reset: the JDK exception, fine
            }
        }

        void appWrite() {
            if (outputShut) {
                return;
            }
            TcpInfo i = info();
            int space = SND_BUF - i.sendQueue();
            int n = Math.min(Math.max(0, space), in.u16() % 8192);
            if (n == 0 || appWritten + n > APP_STREAM.length) {
                return;
            }
            try {
                trace("app write ", n);
                sock.write(APP_STREAM, appWritten, n);
                appWritten += n;
            } catch (IOException e) {
                outputShut = true; // reset / broken pipe
            }
        }

        void appShutdown(int op) {
            int k = in.u8();
            if ((k & 0x0F) != 0) {
                return; // rare
            }
            try {
                if ((k & 0x10) != 0) {
                    sock.shutdownOutput();
                    outputShut = true;
                } else if ((k & 0x20) != 0) {
                    sock.close();
                    outputShut = closed = true;
                } else if ((k & 0x40) != 0) {
                    sock.abort();
                    outputShut = closed = true;
                }
            } catch (IOException e) {
                outputShut = true;
            }
        }

        /** The connection's variables; after the socket let go of it, a CLOSED placeholder. */
        TcpInfo info() {
            TcpInfo i = sock.info();
            return i != null ? i : new TcpInfo(TcpState.CLOSED, io.usertcp.tcp.ConnectionError.NONE, 0, 0, 0, 0, 0, 0,
                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "cubic");
        }

        void check() {
            assertEquals(0, h.stack.stats().internalErrors(), "an exception escaped the engine");
            for (Out o : h.drain()) {
                checkOut(o.seg());
            }
            TcpInfo i = info();
            if (i.state() != TcpState.CLOSED) {
                assertTrue(Seq.le(i.sndUna(), i.sndNxt()), () -> "SND.UNA > SND.NXT: " + i);
                int unaOff = i.sndUna() - c.stackIsn1;
                int nxtOff = i.sndNxt() - c.stackIsn1;
                assertTrue(unaOff >= -1 && nxtOff <= appWritten + 1, () -> "send variables outside the stream: " + i);
                int rcvOff = i.rcvNxt() - c.peerIsn1;
                assertTrue(rcvOff >= 0 && rcvOff <= peerHighest + 1L, () -> "RCV.NXT " + rcvOff + " beyond what the peer sent " + peerHighest);
            }
            assertTrue(i.sendQueue() >= 0 && i.sendQueue() <= SND_BUF + 1, () -> "send queue " + i);
            assertTrue(i.receiveQueue() >= 0 && i.receiveQueue() <= RCV_BUF, () -> "receive queue " + i);
            assertTrue(i.rcvWnd() >= 0 && i.rcvWnd() <= 65535, () -> "rcvWnd " + i);
        }

        void checkOut(TcpSegment s) {
            trace("stack < ", s + " off=" + (s.seq() - c.stackIsn1) + " info=" + info());
            if (s.dstPort() != PEER_PORT || s.srcPort() != PORT) {
                fail("segment to an unexpected port: " + s);
            }
            if (s.rst()) {
                return; // a reset is always allowed; its numbers follow RFC 9293 §3.10.7
            }
            if (s.syn()) {
                assertTrue(s.hasAck() && s.seq() == c.stackIsn1 - 1, () -> "SYN on an open connection: " + s);
                return;
            }
            assertTrue(s.hasAck(), () -> "segment without ACK: " + s);
            int ackOff = s.ack() - c.peerIsn1;
            assertTrue(ackOff >= 0 && ackOff <= peerHighest + 1L, () -> "ACK for data never sent: " + s + " highest " + peerHighest);
            assertTrue(ackOff >= lastAckOff, () -> "ACK went back from " + lastAckOff + ": " + s);
            lastAckOff = ackOff;
            int off = s.seq() - c.stackIsn1;
            int len = s.payloadLength();
            if (len > 0) {
                assertTrue(off >= 0 && off + len <= appWritten, () -> "sent bytes the app never wrote: " + s + " at " + off);
                byte[] p = s.payloadBytes();
                for (int k = 0; k < len; k++) {
                    if (p[k] != APP_STREAM[off + k]) {
                        fail("sent byte " + (off + k) + " differs from what the app wrote");
                    }
                }
                long edge = STRICT_WINDOW ? rightEdge : Math.max(rightEdge, (long) (info().sndUna() - c.stackIsn1) + maxWindow);
                assertTrue(off + len <= edge + 1, () -> "sent beyond the peer's window: " + s + " at " + off + " edge " + edge);
                assertTrue(len <= 1460, () -> "segment larger than the MTU allows: " + s);
            }
            if (s.fin()) {
                assertTrue(outputShut, () -> "FIN without shutdown/close: " + s);
                assertEquals(appWritten, off + len, () -> "FIN not right after the last byte: " + s);
            }
            stackHighest = Math.max(stackHighest, off + len);
        }

        /** No timer lost: with data outstanding on an open connection, something is sent within RTO max. */
        void finish() {
            TcpInfo i = info();
            boolean open = i.state() == TcpState.ESTABLISHED || i.state() == TcpState.CLOSE_WAIT
                    || i.state() == TcpState.FIN_WAIT_1 || i.state() == TcpState.CLOSING || i.state() == TcpState.LAST_ACK;
            if (open && i.sendQueue() > 0) {
                h.clock.advance(CONFIG.rtoMax().plusSeconds(1));
                h.pump();
                int[] sent = {0};
                for (Out o : h.drain()) {
                    checkOut(o.seg());
                    sent[0]++;
                }
                TcpInfo after = info();
                assertTrue(sent[0] > 0 || after.state() == TcpState.CLOSED,
                        () -> "timer lost: " + i + " sent nothing within RTO max; now " + after);
            }
            assertFalse(h.stack.stats().internalErrors() > 0, "an exception escaped the engine");
        }
    }
}
