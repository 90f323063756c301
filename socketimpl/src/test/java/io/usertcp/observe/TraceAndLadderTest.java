package io.usertcp.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.stack.Stack;
import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** Per-connection traces and ladder diagrams from real exchanges over the stack's loopback. */
class TraceAndLadderTest {

    private static final InetAddress LO = Runs.addr("127.0.0.1");

    private static Stack loopbackStack() {
        return Stack.builder().tcpConfig(TcpConfig.DEFAULT.toBuilder().msl(Duration.ofMillis(20)).build()).build();
    }

    @Test
    void traceHasEverySegmentAndStateWithRelativeAndAbsoluteNumbers() throws Exception {
        try (Stack stack = loopbackStack()) {
            TraceRecorder rec = new TraceRecorder().attach(stack);
            assertSame(rec, stack.tracer());
            CountDownLatch closed = Runs.closedLatch(stack, 2);
            ConnectionKey client = Runs.exchange(stack, stack, LO, 7001, Runs.ascii("hello"), 3);
            Runs.await(closed, "both ends CLOSED");

            List<String> lines = rec.lines(client);
            String all = String.join("\n", lines);
            String c = "127.0.0.1:" + client.localPort();
            // the handshake, relative (absolute) numbers, window and options
            assertTrue(Pattern.compile("^\\+0\\.\\d{6} OUT " + c + " > 127\\.0\\.0\\.1:7001 SYN seq=0 \\(\\d+\\) win=\\d+ len=0 <mss \\d+[^>]*>$",
                    Pattern.MULTILINE).matcher(all).find(), all);
            assertTrue(Pattern.compile("IN  127\\.0\\.0\\.1:7001 > " + c + " SYN,ACK seq=0 \\(\\d+\\) ack=1 \\(\\d+\\) win=\\d+ len=0 <mss \\d+[^>]*>")
                    .matcher(all).find(), all);
            assertTrue(all.contains("OUT " + c + " > 127.0.0.1:7001 PSH,ACK seq=1 ("), all);
            assertTrue(Pattern.compile("OUT " + c + " > 127\\.0\\.0\\.1:7001 PSH,ACK seq=1 \\(\\d+\\) ack=1 \\(\\d+\\) win=\\d+ len=5")
                    .matcher(all).find(), all);
            assertTrue(Pattern.compile("IN  127\\.0\\.0\\.1:7001 > " + c + " (PSH,)?(FIN,)?.*ACK seq=1 \\(\\d+\\) ack=6 \\(\\d+\\) win=\\d+ len=3")
                    .matcher(all).find(), all);
            for (String s : List.of("CLOSED -> SYN-SENT", "SYN-SENT -> ESTABLISHED", "ESTABLISHED -> CLOSE-WAIT",
                    "CLOSE-WAIT -> LAST-ACK", "LAST-ACK -> CLOSED")) {
                assertTrue(all.contains("STATE " + c + " 127.0.0.1:7001 " + s), s + " in\n" + all);
            }
            assertFalse(all.contains("[retransmission]"), all);
            // the absolute number in parentheses is the raw one: seq - relSeq is the same ISN on every OUT line
            List<TraceEvent> ev = rec.events(client);
            long isn = -1;
            for (TraceEvent e : ev) {
                if (e.kind() == TraceEvent.Kind.OUT) {
                    long i = Integer.toUnsignedLong((int) (e.seq() - e.relSeq()));
                    assertTrue(isn < 0 || isn == i, "one ISN");
                    isn = i;
                }
            }
            // the server side's connection is recorded too, under the reversed key
            assertFalse(rec.events(Format.reverse(client)).isEmpty());
        }
    }

    @Test
    void tracingIsOffByDefaultAndSwitchesAtRunTime() throws Exception {
        try (Stack stack = loopbackStack()) {
            assertNull(stack.tracer(), "off by default");
            TraceRecorder rec = new TraceRecorder();
            CountDownLatch closed1 = Runs.closedLatch(stack, 2);
            ConnectionKey untraced = Runs.exchange(stack, stack, LO, 7002, Runs.ascii("a"), 1);
            Runs.await(closed1, "first exchange over");
            assertTrue(rec.connections().isEmpty());
            rec.attach(stack);
            CountDownLatch closed2 = Runs.closedLatch(stack, 2);
            ConnectionKey traced = Runs.exchange(stack, stack, LO, 7003, Runs.ascii("b"), 1);
            Runs.await(closed2, "traced exchange over");
            rec.detach(stack);
            assertNull(stack.tracer());
            int n = rec.events(traced).size();
            assertTrue(n >= 6, "traced: " + n);
            Runs.exchange(stack, stack, LO, 7004, Runs.ascii("c"), 1);
            assertTrue(rec.events(untraced).isEmpty());
            List<ConnectionKey> keys = rec.connections();
            for (ConnectionKey k : keys) {
                assertTrue(k.remotePort() == 7003 || k.localPort() == 7003, "only the traced exchange: " + k);
            }
        }
    }

    @Test
    void ladderShowsTheTextbookHandshakeDataAndCloseWithStatesOfBothSides() throws Exception {
        try (Stack stack = loopbackStack()) {
            TraceRecorder rec = new TraceRecorder().attach(stack);
            CountDownLatch closed = Runs.closedLatch(stack, 2);
            ConnectionKey client = Runs.exchange(stack, stack, LO, 7005, Runs.ascii("GET /\r\n"), 12);
            Runs.await(closed, "both ends CLOSED");
            LadderDiagram d = LadderDiagram.of(rec, client);
            String text = d.text();
            assertTrue(text.contains("-- SYN (X,0) win="), text);
            assertTrue(Pattern.compile("<-+ SYN,ACK \\(Y,X\\+1\\) win=\\d+ <mss \\d+[^>]*> --").matcher(text).find(), text);
            assertTrue(text.contains("-- ACK (X+1,Y+1) win="), text);
            assertTrue(text.contains("PSH,ACK (X+1,Y+1) len=7"), text);
            assertTrue(text.contains("(Y+1,X+8) len=12"), text);
            // states on both sides, from the stack (the peer is in the same stack)
            String[] lines = text.split("\n");
            assertTrue(lines[1].startsWith("X = ") && lines[1].contains("Y = "), lines[1]);
            assertTrue(hasRow(lines, "SYN-SENT", "-- SYN (X,0)", null), text);
            assertTrue(hasRow(lines, null, "SYN (X,0)", "SYN-RECEIVED"), text);
            assertTrue(hasRow(lines, "ESTABLISHED", "SYN,ACK (Y,X+1)", null), text);
            assertTrue(hasRow(lines, null, "ACK (X+1,Y+1) win", "ESTABLISHED"), text);
            // the server answers and closes first: FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT there
            assertTrue(hasRow(lines, "CLOSE-WAIT", "FIN,ACK (Y+13,X+8)", "FIN-WAIT-1"), text);
            assertTrue(hasRow(lines, "LAST-ACK", "FIN,ACK (X+8,Y+14)", "TIME-WAIT"), text);
            for (String s : List.of("FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSE-WAIT", "LAST-ACK", "CLOSED")) {
                assertTrue(text.contains(s), s + " in\n" + text);
            }
            assertEquals(0, d.retransmissions());
            assertEquals(0, d.lostSegments());
            assertEquals(rec.events(client).stream().filter(e -> e.kind() == TraceEvent.Kind.OUT).count()
                    + rec.events(Format.reverse(client)).stream().filter(e -> e.kind() == TraceEvent.Kind.OUT).count(),
                    d.segments());

            Document svg = Runs.parseXml(d.svg());
            assertEquals(d.segments(), Runs.countClass(svg, "line", "segment"));
            assertTrue(Runs.countClass(svg, "text", "state") >= 10);
            assertTrue(d.svg().contains("SYN,ACK (Y,X+1)"));
            assertTrue(d.svg().contains("&lt;mss "), "options escaped");
        }
    }

    @Test
    void ladderFromOneSideInfersThePeersStates() throws Exception {
        try (Stack stack = loopbackStack()) {
            TraceRecorder rec = new TraceRecorder().attach(stack);
            CountDownLatch closed = Runs.closedLatch(stack, 2);
            ConnectionKey client = Runs.exchange(stack, stack, LO, 7006, Runs.ascii("x"), 2);
            Runs.await(closed, "both ends CLOSED");
            LadderDiagram d = LadderDiagram.of(rec.events(client), List.of());
            String text = d.text();
            assertTrue(text.contains("(inferred from segments)"), text);
            String[] lines = text.split("\n");
            assertTrue(hasRow(lines, null, "SYN (X,0)", "SYN-RECEIVED"), text);
            assertTrue(hasRow(lines, null, "ACK (X+1,Y+1) win", "ESTABLISHED"), text);
            // the server closes first (it answers, then closes): it goes FIN-WAIT-1 ... TIME-WAIT
            assertTrue(text.contains("CLOSE-WAIT") && text.contains("LAST-ACK"), text);
            assertTrue(text.contains("FIN-WAIT-1") && text.contains("TIME-WAIT"), text);
        }
    }

    /** A row with the left state, a part of the arrow label and the right state (null = any). */
    private static boolean hasRow(String[] lines, String left, String arrowPart, String right) {
        for (String l : lines) {
            if (l.length() < 24) {
                continue;
            }
            String leftCol = l.substring(11, Math.min(l.length(), 24)).trim();
            boolean ok = (left == null || leftCol.equals(left)) && l.contains(arrowPart)
                    && (right == null || l.endsWith(" " + right));
            if (ok) {
                return true;
            }
        }
        return false;
    }
}
