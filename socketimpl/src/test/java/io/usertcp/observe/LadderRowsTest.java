package io.usertcp.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.stack.SegmentTracer.Direction;
import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where the ladder puts a state: beside the arrival that caused it (ESTABLISHED after the SYN,ACK),
 * but a state the application caused (FIN-WAIT-1 by close) beside the FIN it sends, not beside the
 * data that happened to arrive just before. Fed by hand, one side traced (the peer inferred).
 */
class LadderRowsTest {

    private static final ConnectionKey K = new ConnectionKey(0xC6120002, 40000, 0xC6120001, 7);
    private static final int SYN = TcpHeader.FLAG_SYN, ACK = TcpHeader.FLAG_ACK, FIN = TcpHeader.FLAG_FIN,
            PSH = TcpHeader.FLAG_PSH;

    private static TcpSegment seg(int flags, int seq, int ack, int len) {
        return new TcpSegment(40000, 7, seq, ack, flags, 1000, 0,
                (flags & SYN) != 0 ? TcpOptions.NONE.withMss(1460) : TcpOptions.NONE, ByteBuffer.wrap(new byte[len]));
    }

    @Test
    void applicationStatesSitBesideWhatTheySendArrivalStatesBesideWhatArrived() {
        TraceRecorder r = new TraceRecorder();
        int x = 100, y = 5000;
        long t = 0;
        r.stateChanged(K, TcpState.CLOSED, TcpState.SYN_SENT, t++);
        r.segment(K, Direction.OUT, seg(SYN, x, 0, 0), t++);
        r.segment(K, Direction.IN, seg(SYN | ACK, y, x + 1, 0), t++);
        r.stateChanged(K, TcpState.SYN_SENT, TcpState.ESTABLISHED, t++);
        r.segment(K, Direction.OUT, seg(ACK, x + 1, y + 1, 0), t++);
        r.segment(K, Direction.OUT, seg(PSH | ACK, x + 1, y + 1, 4), t++);
        r.segment(K, Direction.IN, seg(PSH | ACK, y + 1, x + 5, 4), t++); // the echo arrives
        r.stateChanged(K, TcpState.ESTABLISHED, TcpState.FIN_WAIT_1, t++); // then the program closes
        r.segment(K, Direction.OUT, seg(FIN | ACK, x + 5, y + 5, 0), t++);
        r.segment(K, Direction.IN, seg(FIN | ACK, y + 5, x + 6, 0), t++);
        r.stateChanged(K, TcpState.FIN_WAIT_1, TcpState.TIME_WAIT, t++);
        r.segment(K, Direction.OUT, seg(ACK, x + 6, y + 6, 0), t++);
        r.stateChanged(K, TcpState.TIME_WAIT, TcpState.CLOSED, t++);

        String text = LadderDiagram.of(r, K).text();
        List<String> lines = text.lines().toList();
        assertEquals("SYN-SENT", leftState(row(lines, "SYN (X,0)")), text);
        assertEquals("ESTABLISHED", leftState(row(lines, "SYN,ACK (Y,X+1)")), text);
        assertEquals("", leftState(row(lines, "PSH,ACK (Y+1,X+5) len=4")), "the arrival did not cause FIN-WAIT-1: " + text);
        assertEquals("FIN-WAIT-1", leftState(row(lines, "FIN,ACK (X+5,Y+5)")), text);
        assertTrue(row(lines, "FIN,ACK (X+5,Y+5)").endsWith(" CLOSE-WAIT"), text);
        assertEquals("TIME-WAIT", leftState(row(lines, "FIN,ACK (Y+5,X+6)")), text);
        assertTrue(row(lines, "FIN,ACK (Y+5,X+6)").endsWith(" LAST-ACK"), text);
        assertTrue(row(lines, "ACK (X+6,Y+6)").endsWith(" CLOSED"), text);
        String last = lines.get(lines.size() - 1);
        assertFalse(last.contains("--"), "TIME-WAIT's end (a timer) has a row of its own: " + text);
        assertEquals("CLOSED", leftState(last), text);
    }

    private static String row(List<String> lines, String arrowPart) {
        return lines.stream().filter(l -> l.contains(arrowPart)).findFirst()
                .orElseThrow(() -> new AssertionError("no arrow " + arrowPart + " in\n" + String.join("\n", lines)));
    }

    private static String leftState(String line) {
        return line.length() <= 11 ? "" : line.substring(11, Math.min(line.length(), 24)).trim();
    }
}
