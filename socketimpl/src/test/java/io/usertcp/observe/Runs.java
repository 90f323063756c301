package io.usertcp.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.PacketLink;
import io.usertcp.stack.Stack;
import io.usertcp.stack.TcpSocket;
import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpConnection;
import io.usertcp.tcp.TcpEventListener;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.TcpSegment;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;

/** Real runs over usertcp stacks for the observability tests (and the docs examples). */
final class Runs {
    private Runs() {}

    static final long TIMEOUT = TimeUnit.SECONDS.toNanos(10);

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Counts down when {@code n} connections of the stack have reached CLOSED. */
    static CountDownLatch closedLatch(Stack stack, int n) {
        CountDownLatch l = new CountDownLatch(n);
        Set<TcpConnection> seen = ConcurrentHashMap.newKeySet();
        stack.addStateListener((c, from, to, cause) -> {
            if (to == TcpState.CLOSED && from != TcpState.LISTEN && seen.add(c)) {
                l.countDown();
            }
        });
        return l;
    }

    /**
     * A request/response exchange: the client connects to {@code server}:{@code port}, sends
     * {@code request}, the server answers with {@code responseBytes} bytes and closes; the client
     * reads to EOF and closes. Returns the client's key.
     */
    static ConnectionKey exchange(Stack client, Stack server, InetAddress serverAddr, int port, byte[] request,
            int responseBytes) throws Exception {
        TcpSocket l = server.newSocket();
        l.bind(serverAddr, port);
        l.listen(4);
        Thread t = new Thread(() -> {
            try (TcpSocket s = l.accept(TIMEOUT)) {
                byte[] buf = new byte[request.length];
                int got = 0;
                while (got < buf.length) {
                    int n = s.read(buf, got, buf.length - got, TIMEOUT);
                    if (n < 0) {
                        break;
                    }
                    got += n;
                }
                byte[] resp = new byte[responseBytes];
                for (int i = 0; i < resp.length; i++) {
                    resp[i] = (byte) ('a' + i % 26);
                }
                s.write(resp, 0, resp.length);
            } catch (IOException e) {
                throw new RuntimeException(e);
            } finally {
                l.close();
            }
        }, "observe-test-server");
        t.start();
        TcpSocket c = client.newSocket();
        c.connect(serverAddr, port, TIMEOUT);
        ConnectionKey key = new ConnectionKey(ip(c.localAddress()), c.localPort(), ip(c.remoteAddress()), c.remotePort());
        c.write(request, 0, request.length);
        byte[] buf = new byte[8192];
        long total = 0;
        for (int n; (n = c.read(buf, 0, buf.length, TIMEOUT)) >= 0; ) {
            total += n;
        }
        c.close();
        t.join(10_000);
        assertEquals(responseBytes, total, "response bytes");
        return key;
    }

    static int ip(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static Document parseXml(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document d = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", d.getDocumentElement().getLocalName());
        return d;
    }

    /** Elements {@code tag} whose class attribute contains the word {@code cls}. */
    static int countClass(Document d, String tag, String cls) {
        var nodes = d.getElementsByTagNameNS("*", tag);
        int n = 0;
        for (int i = 0; i < nodes.getLength(); i++) {
            String c = ((org.w3c.dom.Element) nodes.item(i)).getAttribute("class");
            if (Arrays.asList(c.split(" ")).contains(cls)) {
                n++;
            }
        }
        return n;
    }

    static void await(CountDownLatch l, String what) throws InterruptedException {
        assertTrue(l.await(10, TimeUnit.SECONDS), "timed out waiting for " + what);
    }

    /**
     * A link decorator that drops chosen outbound TCP data segments: the {@code k}-th, for each k in
     * {@code which} (1-based, counting only segments that carry payload), and, if asked, the first
     * segment with FIN (nothing follows it, so only the retransmission timer can repair that loss).
     */
    static final class DropData implements PacketLink {
        private final PacketLink inner;
        private final boolean firstFin;
        private final int[] which;
        private int count;
        private boolean finDropped;

        DropData(PacketLink inner, boolean firstFin, int... which) {
            this.inner = inner;
            this.firstFin = firstFin;
            this.which = which;
        }

        @Override public String name() { return inner.name(); }
        @Override public int mtu() { return inner.mtu(); }
        @Override public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
            return inner.receive(dst, timeoutNanos);
        }
        @Override public void close() throws IOException { inner.close(); }

        @Override
        public void send(ByteBuffer packet) throws IOException {
            try {
                Ipv4Header ip = Ipv4Header.parse(packet, packet.position(), packet.remaining());
                if (ip.protocol() == Ipv4Header.PROTO_TCP) {
                    TcpSegment s = TcpSegment.parse(packet, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst());
                    if (firstFin && s.fin() && !finDropped) {
                        finDropped = true;
                        return; // lost on the wire
                    }
                    if (s.payloadLength() > 0) {
                        count++;
                        for (int w : which) {
                            if (w == count) {
                                return; // lost on the wire
                            }
                        }
                    }
                }
            } catch (Exception e) {
                // not TCP: pass
            }
            inner.send(packet);
        }
    }

    static final TcpEventListener NOOP = (c, f, t, cause) -> { };
}
