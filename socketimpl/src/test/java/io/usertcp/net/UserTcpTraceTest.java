package io.usertcp.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * The {@code trace=} option drawn by the observability layer: {@code ladder} prints one
 * {@link io.usertcp.observe.LadderDiagram} per loopback connection once both ends are CLOSED (with
 * the real ISNs and every state of both ends) and writes its SVG; {@code segments} prints the
 * recorder's live trace lines. One recorder serves the agent and the MBean's TraceEnabled.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UserTcpTraceTest {

    static final InetAddress LO = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    UserTcp start(UserTcp.Trace mode, Path svg) throws Exception {
        return UserTcp.builder().trace(mode).traceOut(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                .msl(Duration.ofMillis(150)).ladderSvgDir(svg).start();
    }

    /** One echo exchange over the loopback; the client closes first. Returns the client's port. */
    static int exchange(UserTcp ut) throws Exception {
        try (ServerSocket ss = ut.serverSocketFactory().createServerSocket(7100, 5, LO);
                Socket c = ut.socketFactory().createSocket(LO, 7100)) {
            c.setSoTimeout(5000);
            try (Socket s = ss.accept()) {
                OutputStream out = c.getOutputStream();
                out.write("hello".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                assertEquals("hello", new String(in.readNBytes(5), StandardCharsets.US_ASCII));
                int port = c.getLocalPort();
                c.close();
                assertEquals(-1, in.read(), "EOF after the client's FIN");
                return port;
            }
        }
    }

    String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void ladderModeDrawsEachConnectionOnceWithRealNumbersAndWritesItsSvg() throws Exception {
        int port;
        try (UserTcp ut = start(UserTcp.Trace.LADDER, dir)) {
            assertTrue(ut.observability().isTracing(), "trace= switches the observability recorder on");
            port = exchange(ut);
            ut.finishTrace(Duration.ofSeconds(20)); // waits for TIME-WAIT (2 x 150 ms) to end
        }
        String out = output();
        String client = "127.0.0.1:" + port;
        // one diagram for the connection, both ends drawn from the stack's own states
        assertEquals(1, count(out, "\nTCP "), out);
        assertTrue(out.contains("TCP " + client + " <-> 127.0.0.1:7100: "), out);
        Matcher m = Pattern.compile("X = (\\d+) \\(ISN of " + Pattern.quote(client) + "\\), Y = (\\d+) \\(ISN of 127\\.0\\.0\\.1:7100\\)")
                .matcher(out);
        assertTrue(m.find(), "the absolute ISNs: " + out);
        assertTrue(out.contains("-- SYN (X,0) "), out);
        assertTrue(out.contains(" SYN,ACK (Y,X+1) "), out);
        assertTrue(out.contains("-- ACK (X+1,Y+1) "), out);
        assertTrue(out.contains("PSH,ACK (X+1,Y+1) len=5"), out);
        assertFalse(out.contains("inferred"), "both ends are the stack's: " + out);
        for (String state : List.of("SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT",
                "LAST-ACK", "TIME-WAIT", "CLOSED")) {
            assertTrue(out.contains(state), state + " missing: " + out);
        }
        assertFalse(out.contains("still open"), out);
        Path svg = dir.resolve("ladder-127.0.0.1_" + port + "-127.0.0.1_7100.svg");
        assertTrue(out.contains("SVG: " + svg), out);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "one SVG per connection");
        }
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", doc.getDocumentElement().getNodeName());
        assertTrue(Files.readString(svg).contains("SYN,ACK (Y,X+1)"));
    }

    @Test
    void segmentsModePrintsTraceLinesAsTheyHappen() throws Exception {
        int port;
        try (UserTcp ut = start(UserTcp.Trace.SEGMENTS, null)) {
            port = exchange(ut);
            ut.finishTrace(Duration.ofSeconds(5));
        }
        String out = output();
        String client = "127.0.0.1:" + port;
        assertTrue(out.contains("STATE " + client + " 127.0.0.1:7100 CLOSED -> SYN-SENT"), out);
        assertTrue(Pattern.compile("OUT " + Pattern.quote(client) + " > 127\\.0\\.0\\.1:7100 SYN seq=0 \\(\\d+\\) win=")
                .matcher(out).find(), out);
        assertTrue(Pattern.compile("IN  127\\.0\\.0\\.1:7100 > " + Pattern.quote(client)
                + " SYN,ACK seq=0 \\(\\d+\\) ack=1 \\(\\d+\\)").matcher(out).find(), out);
        assertTrue(out.contains("len=5"), out);
        assertFalse(out.contains("\nTCP "), "no ladder in segments mode: " + out);
    }

    @Test
    void offTracesNothingAndTheMBeanSwitchStillWorks() throws Exception {
        try (UserTcp ut = start(UserTcp.Trace.OFF, dir)) {
            assertFalse(ut.observability().isTracing());
            ut.observability().setTracing(true);
            exchange(ut);
            assertFalse(ut.observability().recorder().connections().isEmpty(), "the MBean's recorder traced");
        }
        assertEquals("", output());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
            n++;
        }
        return n;
    }
}
