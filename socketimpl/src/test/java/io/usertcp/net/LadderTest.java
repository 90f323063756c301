package io.usertcp.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.tcp.TcpState;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ladder drawn from a scripted connection: real numbers, every state on both sides. */
class LadderTest {
    static final int US = 0xC6120002; // 198.18.0.2
    static final int PEER = 0xC6120001; // 198.18.0.1
    static final int SYN = TcpHeader.FLAG_SYN, ACK = TcpHeader.FLAG_ACK, FIN = TcpHeader.FLAG_FIN,
            PSH = TcpHeader.FLAG_PSH;

    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    /** A fake clock: every reading is 0.5 ms after the previous one. */
    long nanos;

    Ladder ladder(UserTcp.Trace mode) {
        return new Ladder(mode, new PrintStream(bytes, true, StandardCharsets.UTF_8), () -> nanos += 500_000);
    }

    static TcpSegment seg(boolean out, int flags, long seq, long ack, String data) {
        TcpSegment.Builder b = TcpSegment.builder().ports(out ? 40000 : 80, out ? 80 : 40000).seq((int) seq)
                .ack((int) ack).flags(flags).window(65535);
        if ((flags & SYN) != 0) {
            b.options(TcpOptions.NONE.withMss(1460));
        }
        if (data != null) {
            b.payload(data.getBytes(StandardCharsets.US_ASCII));
        }
        return b.build();
    }

    void out(Ladder l, int flags, long seq, long ack, String data) {
        l.segment(true, US, PEER, seg(true, flags, seq, ack, data));
    }

    void in(Ladder l, int flags, long seq, long ack, String data) {
        l.segment(false, PEER, US, seg(false, flags, seq, ack, data));
    }

    void state(Ladder l, TcpState from, TcpState to) {
        l.localState(US, 40000, PEER, 80, from, to);
    }

    /** Our side opens, sends a request, closes first (FIN-WAIT-1, -2, TIME-WAIT); the peer closes after. */
    void activeOpenActiveClose(Ladder l) {
        long x = 4_000_000_000L; // near the wrap: printed unsigned
        long y = 500;
        state(l, TcpState.CLOSED, TcpState.SYN_SENT);
        out(l, SYN, x, 0, null);
        in(l, SYN | ACK, y, x + 1, null);
        state(l, TcpState.SYN_SENT, TcpState.ESTABLISHED);
        out(l, ACK, x + 1, y + 1, null);
        out(l, PSH | ACK, x + 1, y + 1, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        in(l, ACK, y + 1, x + 28, null);
        state(l, TcpState.ESTABLISHED, TcpState.FIN_WAIT_1);
        out(l, FIN | ACK, x + 28, y + 1, null);
        in(l, ACK, y + 1, x + 29, null);
        state(l, TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2);
        in(l, FIN | ACK, y + 1, x + 29, null);
        state(l, TcpState.FIN_WAIT_2, TcpState.TIME_WAIT);
        out(l, ACK, x + 29, y + 2, null);
        state(l, TcpState.TIME_WAIT, TcpState.CLOSED);
    }

    @Test
    void ladderOfAnActiveOpenAndActiveClose() {
        Ladder l = ladder(UserTcp.Trace.LADDER);
        activeOpenActiveClose(l);
        String s = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(s);
        assertTrue(s.contains("TCP connection 198.18.0.2:40000 <-> 198.18.0.1:80: 9 segments, 27 data bytes"), s);
        assertInOrder(s, "SYN seq=4000000000 <mss 1460>", "SYN,ACK seq=500 ack=4000000001",
                "ACK seq=4000000001 ack=501", "PSH,ACK seq=4000000001 ack=501 len=27 \"GET / HTTP/1.1\"",
                "FIN,ACK seq=4000000028 ack=501", "FIN,ACK seq=501 ack=4000000029", "ACK seq=4000000029 ack=502");
        assertEquals(List.of("CLOSED", "SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED"),
                column(s, true));
        assertEquals(List.of("LISTEN", "SYN-RECEIVED", "ESTABLISHED", "CLOSE-WAIT", "LAST-ACK", "CLOSED"),
                column(s, false));
        assertTrue(s.contains("------>"), "rightward arrows");
        assertTrue(s.contains("<--"), "leftward arrows");
    }

    @Test
    void passiveCloseInfersThePeersTimeWait() {
        Ladder l = ladder(UserTcp.Trace.LADDER);
        state(l, TcpState.CLOSED, TcpState.SYN_SENT);
        out(l, SYN, 1, 0, null);
        in(l, SYN | ACK, 9, 2, null);
        state(l, TcpState.SYN_SENT, TcpState.ESTABLISHED);
        out(l, ACK, 2, 10, null);
        in(l, FIN | PSH | ACK, 10, 2, "HTTP/1.1 200 OK\r\n");
        state(l, TcpState.ESTABLISHED, TcpState.CLOSE_WAIT);
        out(l, ACK, 2, 28, null);
        state(l, TcpState.CLOSE_WAIT, TcpState.LAST_ACK);
        out(l, FIN | ACK, 2, 28, null);
        in(l, ACK, 28, 3, null);
        state(l, TcpState.LAST_ACK, TcpState.CLOSED);
        String s = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(s);
        assertEquals(List.of("CLOSED", "SYN-SENT", "ESTABLISHED", "CLOSE-WAIT", "LAST-ACK", "CLOSED"), column(s, true));
        assertEquals(List.of("LISTEN", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT"),
                column(s, false));
        assertTrue(s.contains("(CLOSED after 2*MSL)"), s);
    }

    @Test
    void segmentsModePrintsAsItGoesAndFlushDrawsUnfinishedOnes() {
        Ladder seg = ladder(UserTcp.Trace.SEGMENTS);
        state(seg, TcpState.CLOSED, TcpState.SYN_SENT);
        out(seg, SYN, 7, 0, null);
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertEquals("usertcp 198.18.0.2:40000 <-> 198.18.0.1:80  CLOSED -> SYN-SENT\n"
                + "usertcp 198.18.0.2:40000 <-> 198.18.0.1:80  -> SYN seq=7 <mss 1460>\n", s.replace("\r\n", "\n"));
        bytes.reset();
        Ladder lad = ladder(UserTcp.Trace.LADDER);
        state(lad, TcpState.CLOSED, TcpState.SYN_SENT);
        out(lad, SYN, 7, 0, null);
        assertEquals("", bytes.toString(StandardCharsets.UTF_8), "nothing until the connection ends");
        lad.flush();
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("(still open when the trace ended)"));
    }

    static void assertInOrder(String s, String... parts) {
        int at = 0;
        for (String p : parts) {
            int i = s.indexOf(p, at);
            assertTrue(i >= 0, "missing, or out of order: " + p + "\n" + s);
            at = i + p.length();
        }
    }

    /** The states in the left (ours) or right (peer) column, top to bottom. */
    static List<String> column(String s, boolean left) {
        List<String> states = new ArrayList<>();
        for (String line : s.split("\n")) {
            if (line.startsWith("TCP connection") || line.startsWith("time") || line.isBlank()
                    || line.length() <= Ladder.TIME_WIDTH) {
                continue;
            }
            if (line.trim().startsWith("(")) {
                continue;
            }
            assertTrue(line.substring(0, Ladder.TIME_WIDTH).trim().matches("\\d+\\.\\d ms"), "time column: " + line);
            line = line.substring(Ladder.TIME_WIDTH);
            String v;
            if (left) {
                v = line.length() >= 14 ? line.substring(0, 14).trim() : line.trim();
            } else {
                int arrowEnd = Math.min(line.length(), 14 + 1 + 60 + 1);
                v = line.substring(arrowEnd).trim();
                if (v.startsWith("(")) {
                    continue;
                }
            }
            if (!v.isEmpty()) {
                states.add(v);
            }
        }
        return states;
    }
}
