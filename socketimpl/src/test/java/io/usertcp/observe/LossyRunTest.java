package io.usertcp.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.MemoryLink;
import io.usertcp.link.PcapTap;
import io.usertcp.stack.Stack;
import io.usertcp.stack.TcpSocket;
import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.tcp.TcpConnection;
import io.usertcp.tcp.TcpEventListener;
import io.usertcp.tcp.TcpState;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * Two stacks on a memory link that loses chosen segments: the ladder shows the lost segments and
 * their retransmissions, the time-sequence graph (from the trace and from a pcap) marks them, and
 * JFR records the retransmissions and the timeout.
 */
class LossyRunTest {

    static final InetAddress A = Runs.addr("198.18.0.1");
    static final InetAddress B = Runs.addr("198.18.0.2");
    static final int RESPONSE = 30_000;

    /** The run: A asks, B answers RESPONSE bytes; B's 3rd data segment and its FIN (repaired only by the RTO) are lost. */
    record Result(TraceRecorder recorder, ConnectionKey client, Path pcap) {}

    static Result run(Path dir) throws Exception {
        // No tail loss probe (RFC 8985 §7): it would repair the lost FIN before the RTO this run shows.
        TcpConfig cfg = TcpConfig.linuxLike().toBuilder().msl(Duration.ofMillis(20)).tlp(false).build();
        MemoryLink.Pair pair = MemoryLink.pair(1500);
        Path pcap = dir.resolve("run.pcap");
        TraceRecorder rec = new TraceRecorder();
        try (Stack a = Stack.builder().tcpConfig(cfg).link(PcapTap.open(pair.a(), pcap), A, 24).build();
             Stack b = Stack.builder().tcpConfig(cfg).link(new Runs.DropData(pair.b(), true, 3), B, 24).build();
             Observability oa = Observability.attach(a, "lossy-a", rec);
             Observability ob = Observability.attach(b, "lossy-b", rec)) {
            oa.setTracing(true);
            ob.setTracing(true);
            CountDownLatch closedA = Runs.closedLatch(a, 1);
            CountDownLatch closedB = Runs.closedLatch(b, 1);
            ConnectionKey client = Runs.exchange(a, b, B, 80, Runs.ascii("GET /big HTTP/1.0\r\n\r\n"), RESPONSE);
            Runs.await(closedA, "client CLOSED");
            Runs.await(closedB, "server CLOSED");
            return new Result(rec, client, pcap);
        }
    }

    @Test
    void ladderTimeSequenceGraphAndJfrShowTheLossesAndRetransmissions(@TempDir Path dir) throws Exception {
        Result r;
        Path jfr = dir.resolve("run.jfr");
        try (Recording recording = new Recording()) {
            for (Class<? extends jdk.jfr.Event> c : List.of(JfrEvents.ConnectionOpen.class, JfrEvents.ConnectionClose.class,
                    JfrEvents.StateChange.class, JfrEvents.Retransmission.class, JfrEvents.RtoFired.class,
                    JfrEvents.ZeroWindow.class)) {
                recording.enable(c);
            }
            recording.start();
            r = run(dir);
            recording.stop();
            recording.dump(jfr);
        }

        // the ladder: both sides traced by one recorder, so the two losses show as lost arrows
        LadderDiagram d = LadderDiagram.of(r.recorder(), r.client());
        String text = d.text();
        assertEquals(2, d.lostSegments(), text);
        assertTrue(d.retransmissions() >= 2, text);
        assertTrue(text.contains("RETRANSMISSION"), text);
        // " X--": with RFC 7323 options in the labels the arrows are shorter (only the dashes left)
        assertTrue(text.contains(" X--"), "a lost arrow ends in X: " + text);
        Document ladderSvg = Runs.parseXml(d.svg());
        assertEquals(2, Runs.countClass(ladderSvg, "line", "lost"));
        assertEquals(d.retransmissions(), Runs.countClass(ladderSvg, "line", "retransmission"));

        // the client's trace marks the retransmitted segments it received
        List<String> lines = r.recorder().lines(r.client());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("+") && l.contains(" IN ") && l.contains("[retransmission]")),
                String.join("\n", lines));

        // time-sequence graph from the trace: data from the server, ACKs from the client
        TimeSequenceGraph g = TimeSequenceGraph.of(r.recorder(), r.client());
        assertEquals(g.retransmissions(), d.retransmissions());
        assertTrue(g.dataSegments() >= (RESPONSE + 1459) / 1460, "data " + g.dataSegments());
        assertTrue(g.acks() > 5);
        Document svg = Runs.parseXml(g.svg());
        assertEquals(g.retransmissions(), Runs.countClass(svg, "g", "retransmission"));
        assertEquals(g.dataSegments(), Runs.countClass(svg, "g", "segment"));
        assertEquals(1, Runs.countClass(svg, "polyline", "ack"));
        assertEquals(1, Runs.countClass(svg, "polyline", "window"));

        // the receiver's view (from its trace, and from the pcap written on its link): the resent
        // FIN segment looks new there, as its original never arrived
        TimeSequenceGraph atClient = TimeSequenceGraph.of(r.recorder().events(r.client()));
        assertEquals(g.retransmissions() - 1, atClient.retransmissions());
        assertTrue(Files.size(r.pcap()) > 30_000);
        TimeSequenceGraph p = TimeSequenceGraph.fromPcap(r.pcap(), null);
        assertEquals(atClient.dataSegments(), p.dataSegments());
        assertEquals(atClient.retransmissions(), p.retransmissions());
        assertEquals(atClient.acks(), p.acks());
        Runs.parseXml(p.svg());

        // JFR: open, close, state changes, retransmissions, the timeout
        Map<String, Integer> counts = new HashMap<>();
        boolean rtoSeen = false;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            String n = e.getEventType().getName();
            if (!n.startsWith("io.usertcp.")) {
                continue;
            }
            assertTrue(e.getEventType().getCategoryNames().contains("usertcp"));
            counts.merge(n, 1, Integer::sum);
            if (n.equals("io.usertcp.RtoFired")) {
                rtoSeen = e.getInt("retries") >= 1 && e.getLong("rto") >= 200_000_000L;
                assertEquals("198.18.0.2:80", e.getString("local"));
            }
            if (n.equals("io.usertcp.StateChange") && "SYN-SENT".equals(e.getString("to"))) {
                assertEquals("CLOSED", e.getString("from"));
            }
        }
        assertEquals(2, counts.getOrDefault("io.usertcp.ConnectionOpen", 0), counts.toString());
        assertEquals(2, counts.getOrDefault("io.usertcp.ConnectionClose", 0), counts.toString());
        assertTrue(counts.getOrDefault("io.usertcp.StateChange", 0) >= 10, counts.toString());
        assertTrue(counts.getOrDefault("io.usertcp.Retransmission", 0) >= 2, counts.toString());
        assertTrue(rtoSeen, counts.toString());
    }

    @Test
    void zeroWindowEventsAndJfrWhenTheReceiverStopsReading(@TempDir Path dir) throws Exception {
        TcpConfig cfg = TcpConfig.linuxLike().toBuilder().receiveBufferSize(4096).msl(Duration.ofMillis(20)).build();
        InetAddress lo = Runs.addr("127.0.0.1");
        Path jfr = dir.resolve("zw.jfr");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch left = new CountDownLatch(1);
        try (Recording recording = new Recording();
             Stack stack = Stack.builder().tcpConfig(cfg).build();
             Observability o = Observability.attach(stack, "zero-window")) {
            recording.enable(JfrEvents.ZeroWindow.class);
            recording.start();
            stack.addStateListener(new TcpEventListener() {
                @Override
                public void stateChanged(TcpConnection c, TcpState from, TcpState to, io.usertcp.wire.TcpSegment cause) { }

                @Override
                public void zeroWindow(TcpConnection c, boolean in, long now) {
                    (in ? entered : left).countDown();
                }
            });
            TcpSocket l = stack.newSocket();
            l.bind(lo, 7301);
            l.listen(1);
            TcpSocket c = stack.newSocket();
            c.connect(lo, 7301, Runs.TIMEOUT);
            TcpSocket s = l.accept(Runs.TIMEOUT);
            byte[] data = new byte[20_000];
            Thread w = new Thread(() -> {
                try {
                    c.write(data, 0, data.length);
                } catch (java.io.IOException e) {
                    throw new RuntimeException(e);
                }
            });
            w.start();
            Runs.await(entered, "zero window");
            assertEquals(1, left.getCount(), "not open again before reading");
            byte[] buf = new byte[8192];
            long got = 0;
            while (got < data.length) {
                int n = s.read(buf, 0, buf.length, Runs.TIMEOUT);
                assertTrue(n > 0);
                got += n;
            }
            Runs.await(left, "window open again");
            w.join(10_000);
            c.close();
            s.close();
            l.close();
            recording.stop();
            recording.dump(jfr);
        }
        List<RecordedEvent> ev = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("io.usertcp.ZeroWindow")).toList();
        assertTrue(ev.stream().anyMatch(e -> e.getBoolean("entered")), ev.toString());
        assertTrue(ev.stream().anyMatch(e -> !e.getBoolean("entered")), ev.toString());
        assertFalse(ev.isEmpty());
    }
}
