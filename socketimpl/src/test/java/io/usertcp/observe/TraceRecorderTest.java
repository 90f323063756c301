package io.usertcp.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.stack.SegmentTracer.Direction;
import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recorder's numbering, retransmission marks, bounds and names, fed by hand (no stack). */
class TraceRecorderTest {

    private static final ConnectionKey K = new ConnectionKey(0xC6120001, 40000, 0xC6120002, 80);

    private static TcpSegment seg(int flags, int seq, int ack, int len) {
        return new TcpSegment(40000, 80, seq, ack, flags, 1000, 0,
                (flags & TcpHeader.FLAG_SYN) != 0 ? TcpOptions.NONE.withMss(1460) : TcpOptions.NONE,
                ByteBuffer.wrap(new byte[len]));
    }

    @Test
    void relativeNumbersRetransmissionsAndWrapAround() {
        TraceRecorder r = new TraceRecorder();
        int x = 0xFFFFFFF0; // our ISN, 16 below the wrap
        int y = 1000;
        r.segment(K, Direction.OUT, seg(TcpHeader.FLAG_SYN, x, 0, 0), 0);
        r.segment(K, Direction.IN, seg(TcpHeader.FLAG_SYN | TcpHeader.FLAG_ACK, y, x + 1, 0), 1_000_000);
        r.segment(K, Direction.OUT, seg(TcpHeader.FLAG_ACK, x + 1, y + 1, 0), 2_000_000);
        r.segment(K, Direction.OUT, seg(TcpHeader.FLAG_ACK | TcpHeader.FLAG_PSH, x + 1, y + 1, 100), 3_000_000);
        r.segment(K, Direction.OUT, seg(TcpHeader.FLAG_ACK | TcpHeader.FLAG_PSH, x + 1, y + 1, 100), 4_000_000);
        r.stateChanged(K, TcpState.ESTABLISHED, TcpState.FIN_WAIT_1, 5_000_000);
        List<TraceEvent> ev = r.events(K);
        assertEquals(6, ev.size());
        assertEquals(0, ev.get(0).relSeq());
        assertEquals(1, ev.get(1).relAck());
        assertEquals(1, ev.get(3).relSeq(), "across the wrap");
        assertFalse(ev.get(3).retransmission());
        assertTrue(ev.get(4).retransmission());
        assertFalse(ev.get(2).retransmission(), "a pure ACK is never a retransmission");
        List<String> lines = r.lines(K);
        assertEquals("+0.000000 OUT 198.18.0.1:40000 > 198.18.0.2:80 SYN seq=0 (4294967280) win=1000 len=0 <mss 1460>",
                lines.get(0));
        assertEquals("+0.001000 IN  198.18.0.2:80 > 198.18.0.1:40000 SYN,ACK seq=0 (1000) ack=1 (4294967281) win=1000 "
                + "len=0 <mss 1460>", lines.get(1));
        assertTrue(lines.get(4).endsWith("len=100 [retransmission]"), lines.get(4));
        assertEquals("+0.005000 STATE 198.18.0.1:40000 198.18.0.2:80 ESTABLISHED -> FIN-WAIT-1", lines.get(5));
    }

    @Test
    void boundedInConnectionsAndEventsAndLiveLines() {
        TraceRecorder r = new TraceRecorder(2, 3);
        List<String> live = new ArrayList<>();
        r.linesTo(live::add);
        for (int i = 0; i < 5; i++) {
            r.segment(K, Direction.OUT, seg(TcpHeader.FLAG_ACK, 100 + i, 1, 0), i);
        }
        assertEquals(3, r.events(K).size());
        assertEquals(2, r.lostEvents(K));
        assertEquals(5, live.size(), "live lines are not bounded by the record");
        ConnectionKey k2 = new ConnectionKey(1, 1, 2, 2);
        ConnectionKey k3 = new ConnectionKey(1, 3, 2, 2);
        r.stateChanged(k2, TcpState.ESTABLISHED, TcpState.CLOSED, 10);
        r.stateChanged(k3, TcpState.CLOSED, TcpState.SYN_SENT, 11);
        assertEquals(List.of(K, k3), r.connections(), "the closed connection went first");
        r.clear();
        assertTrue(r.connections().isEmpty());
    }

    @Test
    void connectionNamesRoundTrip() {
        assertEquals("198.18.0.1:40000-198.18.0.2:80", Format.name(K));
        assertEquals(K, Format.parseName("198.18.0.1:40000-198.18.0.2:80"));
        assertNull(Format.parseName("198.18.0.1:40000"));
        assertNull(Format.parseName("198.18.0.300:1-1.2.3.4:5"));
        TraceRecorder r = new TraceRecorder();
        r.stateChanged(K, TcpState.CLOSED, TcpState.SYN_SENT, 0);
        assertEquals(K, r.find("198.18.0.1:40000-198.18.0.2:80"));
        assertNull(r.find("198.18.0.1:40001-198.18.0.2:80"));
        assertEquals("<mss 1460,wscale 7,sackOK,TS val 5 ecr 0>",
                Format.options(new TcpOptions(1460, 7, true, true, 5, 0, new int[0])));
    }
}
