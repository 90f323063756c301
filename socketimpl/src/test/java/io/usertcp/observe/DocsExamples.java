package io.usertcp.observe;

import io.usertcp.link.MemoryLink;
import io.usertcp.stack.Stack;
import io.usertcp.stack.TcpSocket;
import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpConfig;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Makes the examples of docs/observability.md from real runs (not a test):
 * {@code java -cp socketimpl/target/classes:socketimpl/target/test-classes:... io.usertcp.observe.DocsExamples docs}.
 * Writes docs/images/ladder-handshake.svg, ladder-loss.svg, time-sequence.svg and prints the text
 * ladder, the trace lines and the ss listing for the page.
 */
public final class DocsExamples {
    private DocsExamples() {}

    public static void main(String[] args) throws Exception {
        Path docs = Path.of(args.length > 0 ? args[0] : "docs");
        Path images = docs.resolve("images");
        Files.createDirectories(images);
        InetAddress lo = InetAddress.getByName("127.0.0.1");

        // 1. A small request/response over the loopback: both ends in one stack, so both columns are real states.
        try (Stack stack = Stack.builder().tcpConfig(TcpConfig.DEFAULT.toBuilder().msl(Duration.ofMillis(50)).build()).build()) {
            TraceRecorder rec = new TraceRecorder().attach(stack);
            CountDownLatch closed = Runs.closedLatch(stack, 2);
            ConnectionKey k = Runs.exchange(stack, stack, lo, 8080,
                    "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 120);
            Runs.await(closed, "closed");
            LadderDiagram d = LadderDiagram.of(rec, k);
            Files.writeString(images.resolve("ladder-handshake.svg"), d.svg());
            System.out.println("=== trace\n" + String.join("\n", rec.lines(k)));
            System.out.println("=== ladder\n" + d.text());
        }

        // 2. Two stacks on a link that loses the server's 3rd data segment and its FIN.
        TcpConfig cfg = TcpConfig.linuxLike().toBuilder().msl(Duration.ofMillis(50)).build();
        MemoryLink.Pair pair = MemoryLink.pair(1500);
        InetAddress a = InetAddress.getByName("198.18.0.1");
        InetAddress b = InetAddress.getByName("198.18.0.2");
        TraceRecorder rec = new TraceRecorder();
        try (Stack sa = Stack.builder().tcpConfig(cfg).link(pair.a(), a, 24).build();
             Stack sb = Stack.builder().tcpConfig(cfg).link(new Runs.DropData(pair.b(), true, 3), b, 24).build()) {
            rec.attach(sa);
            rec.attach(sb);
            CountDownLatch closed = Runs.closedLatch(sa, 1);
            TcpSocket l = sb.newSocket();
            l.bind(b, 80);
            l.listen(1);
            int total = 40_000;
            Thread server = new Thread(() -> {
                try (TcpSocket s = l.accept(Runs.TIMEOUT)) {
                    byte[] req = new byte[64];
                    s.read(req, 0, req.length, Runs.TIMEOUT);
                    s.write(new byte[total], 0, total);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            server.start();
            TcpSocket c = sa.newSocket();
            c.connect(b, 80, Runs.TIMEOUT);
            ConnectionKey k = new ConnectionKey(Runs.ip(c.localAddress()), c.localPort(), Runs.ip(b), 80);
            c.write("GET /big HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0, 21);
            byte[] buf = new byte[4096];
            long got = 0;
            String ss = null;
            for (int n; (n = c.read(buf, 0, buf.length, Runs.TIMEOUT)) >= 0; ) {
                got += n;
                if (ss == null && got >= 20_000) {
                    ss = "$ bin/usertcp ss PID   # the server stack, 198.18.0.2\n" + SocketTable.render(sb)
                            + "$ bin/usertcp ss PID   # the client stack, 198.18.0.1\n" + SocketTable.render(sa);
                }
            }
            c.close();
            server.join();
            l.close();
            Runs.await(closed, "closed");
            System.out.println("=== ss (mid-transfer)\n" + ss);
            System.out.println("=== server counters\n" + SocketTable.counters(sb.stats()));
            LadderDiagram d = LadderDiagram.of(rec, k);
            Files.writeString(images.resolve("ladder-loss.svg"), d.svg());
            System.out.println("=== lossy ladder\n" + d.text());
            TimeSequenceGraph g = TimeSequenceGraph.of(rec, k);
            Files.writeString(images.resolve("time-sequence.svg"), g.svg());
            System.out.println("=== graph: " + g.dataSegments() + " data segments, " + g.retransmissions()
                    + " retransmitted, " + g.acks() + " ACKs; received " + got);
        }
    }
}
