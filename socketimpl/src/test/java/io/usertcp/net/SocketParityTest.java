package io.usertcp.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rows of JDK-CONTRACT.md §1.4/§1.5 that one JVM can check, each run twice — once on a plain
 * JDK socket pair over the kernel's loopback, once over usertcp's own loopback (no device) — and
 * compared: first the JDK's outcome against what the contract says (so the test knows what it is
 * checking), then ours against the JDK's. Outcomes are strings: a value, or
 * {@code ExceptionClass: message}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketParityTest {

    enum Kind { JDK, USERTCP }

    static UserTcp ut;
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @BeforeAll
    static void start() throws IOException {
        ut = UserTcp.loopbackOnly();
    }

    @AfterAll
    static void stop() {
        if (ut != null) {
            ut.close();
        }
    }

    // ---------------------------------------------------------------- providers

    static Socket socket(Kind k) throws IOException {
        return k == Kind.JDK ? new Socket() : ut.socketFactory().createSocket();
    }

    static ServerSocket serverSocket(Kind k) throws IOException {
        return k == Kind.JDK ? new ServerSocket() : ut.serverSocketFactory().createServerSocket();
    }

    static ServerSocket listening(Kind k) throws IOException {
        ServerSocket ss = serverSocket(k);
        ss.bind(new InetSocketAddress(LOOPBACK, 0));
        return ss;
    }

    /** A connected pair: client and the server side accepted from a listener (closed with it). */
    static final class Pair implements AutoCloseable {
        final ServerSocket listener;
        final Socket client;
        final Socket server;

        Pair(Kind k) throws IOException {
            listener = listening(k);
            client = socket(k);
            client.connect(listener.getLocalSocketAddress(), 5000);
            server = listener.accept();
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.close();
            listener.close();
        }
    }

    interface Scenario {
        Object run(Kind k) throws Exception;
    }

    /** Runs the scenario on both kinds, checks the JDK against {@code expected}, ours against the JDK. */
    static void parity(String expected, Scenario s) throws Exception {
        String jdk = String.valueOf(s.run(Kind.JDK));
        assertEquals(expected, jdk, "the JDK itself (the contract's claim)");
        String ours = String.valueOf(s.run(Kind.USERTCP));
        assertEquals(jdk, ours, "usertcp must behave as the JDK");
    }

    /** Like {@link #parity} when the JDK's outcome depends on the JDK version. */
    static void parity(Scenario s) throws Exception {
        String jdk = String.valueOf(s.run(Kind.JDK));
        String ours = String.valueOf(s.run(Kind.USERTCP));
        assertEquals(jdk, ours, "usertcp must behave as the JDK");
    }

    interface Action {
        Object run() throws Exception;
    }

    static String outcome(Action a) {
        try {
            return String.valueOf(a.run());
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    static int freePort(Kind k) throws IOException {
        try (ServerSocket ss = listening(k)) {
            return ss.getLocalPort();
        }
    }

    /** Runs {@code a} on a new thread; the caller acts once the thread had time to block. */
    static CompletableFuture<String> async(Action a) {
        return CompletableFuture.supplyAsync(() -> outcome(a), r -> {
            Thread t = new Thread(r, "parity-async");
            t.setDaemon(true);
            t.start();
        });
    }

    /**
     * Gives a thread started by {@link #async} time to block. A JDK socket blocks in native code (the
     * thread shows RUNNABLE), so there is no state to wait for; the outcomes compared are the same
     * whether or not the thread was already blocked, so this only makes the test exercise the
     * interesting path.
     */
    static void letBlock() throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(150);
    }

    // ---------------------------------------------------------------- timeouts

    @Test
    void readTimeoutLeavesTheSocketUsable() throws Exception {
        parity("SocketTimeoutException: Read timed out / 42", k -> {
            try (Pair p = new Pair(k)) {
                p.server.setSoTimeout(100);
                InputStream in = p.server.getInputStream();
                String first = outcome(in::read);
                p.client.getOutputStream().write(42);
                return first + " / " + outcome(in::read);
            }
        });
    }

    @Test
    void cheapOneMillisecondProbeHasNoSideEffects() throws Exception {
        parity("SocketTimeoutException: Read timed out x3, then 7 8", k -> {
            try (Pair p = new Pair(k)) {
                InputStream in = p.server.getInputStream();
                p.server.setSoTimeout(1);
                String probe = outcome(in::read);
                for (int i = 0; i < 2; i++) {
                    String again = outcome(in::read);
                    if (!again.equals(probe)) {
                        return "probe changed: " + again;
                    }
                }
                p.server.setSoTimeout(0);
                p.client.getOutputStream().write(new byte[] {7, 8});
                return probe + " x3, then " + in.read() + " " + in.read();
            }
        });
    }

    @Test
    void soTimeoutIsSampledWhenTheReadStarts() throws Exception {
        parity("11", k -> {
            try (Pair p = new Pair(k)) {
                InputStream in = p.server.getInputStream();
                CompletableFuture<String> r = async(in::read); // SO_TIMEOUT 0: waits for ever
                TimeUnit.MILLISECONDS.sleep(500); // (generous: the read must have started first)
                p.server.setSoTimeout(20); // does not apply to the read in progress
                letBlock();
                p.client.getOutputStream().write(11);
                return r.get(10, TimeUnit.SECONDS);
            }
        });
    }

    @Test
    void availableCountsQueuedBytes() throws Exception {
        parity("0 then 5", k -> {
            try (Pair p = new Pair(k)) {
                InputStream in = p.server.getInputStream();
                int before = in.available();
                p.client.getOutputStream().write(new byte[] {1, 2, 3, 4, 5});
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (in.available() < 5 && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(2);
                }
                return before + " then " + in.available();
            }
        });
    }

    @Test
    void acceptTimeout() throws Exception {
        parity("SocketTimeoutException: Accept timed out / open", k -> {
            try (ServerSocket ss = listening(k)) {
                ss.setSoTimeout(100);
                return outcome(ss::accept) + " / " + (ss.isClosed() ? "closed" : "open");
            }
        });
    }

    @Test
    void acceptedSocketDoesNotInheritSoTimeout() throws Exception {
        parity("0", k -> {
            try (ServerSocket ss = listening(k); Socket c = socket(k)) {
                ss.setSoTimeout(5000);
                c.connect(ss.getLocalSocketAddress());
                try (Socket s = ss.accept()) {
                    return s.getSoTimeout();
                }
            }
        });
    }

    // ---------------------------------------------------------------- connect and bind errors

    @Test
    void connectRefusedClosesAsTheJdkDoes() throws Exception {
        parity(k -> {
            int port = freePort(k);
            Socket s = socket(k);
            String o = outcome(() -> {
                s.connect(new InetSocketAddress(LOOPBACK, port), 2000);
                return "connected";
            });
            assertTrue(o.startsWith("ConnectException: Connection refused"), o);
            return o + " closed=" + s.isClosed();
        });
    }

    @Test
    void connectToUnresolvedAddress() throws Exception {
        parity(k -> {
            Socket s = socket(k);
            String o = outcome(() -> {
                s.connect(InetSocketAddress.createUnresolved("usertcp.invalid", 80));
                return "connected";
            });
            assertEquals("UnknownHostException: usertcp.invalid", o);
            return o + " closed=" + s.isClosed();
        });
    }

    @Test
    void bindToAPortInUse() throws Exception {
        parity("BindException: Address already in use", k -> {
            try (ServerSocket a = listening(k); ServerSocket b = serverSocket(k)) {
                return outcome(() -> {
                    b.bind(new InetSocketAddress(LOOPBACK, a.getLocalPort()));
                    return "bound";
                });
            }
        });
    }

    @Test
    void connectTwice() throws Exception {
        parity(k -> {
            try (Pair p = new Pair(k)) {
                return outcome(() -> {
                    p.client.connect(p.listener.getLocalSocketAddress());
                    return "connected";
                });
            }
        });
    }

    // ---------------------------------------------------------------- async close, shutdown

    @Test
    void closeWakesABlockedRead() throws Exception {
        parity("SocketException: Socket closed", k -> {
            try (Pair p = new Pair(k)) {
                InputStream in = p.server.getInputStream();
                CompletableFuture<String> r = async(in::read);
                letBlock();
                p.server.close();
                return r.get(10, TimeUnit.SECONDS);
            }
        });
    }

    @Test
    void closeWakesABlockedAccept() throws Exception {
        parity("SocketException: Socket closed", k -> {
            ServerSocket ss = listening(k);
            CompletableFuture<String> r = async(ss::accept);
            letBlock();
            ss.close();
            return r.get(10, TimeUnit.SECONDS);
        });
    }

    @Test
    void shutdownInputWakesABlockedReaderWithEof() throws Exception {
        parity("-1 / available=0 / -1", k -> {
            try (Pair p = new Pair(k)) {
                InputStream in = p.server.getInputStream();
                CompletableFuture<String> r = async(in::read);
                letBlock();
                p.server.shutdownInput();
                return r.get(10, TimeUnit.SECONDS) + " / available=" + in.available() + " / " + in.read();
            }
        });
    }

    @Test
    void shutdownOutputThenWriteIsBrokenPipe() throws Exception {
        parity("SocketException: Broken pipe / peer reads -1 / SocketException: Socket output is shutdown"
                + " / SocketException: Socket output is already shutdown", k -> {
            try (Pair p = new Pair(k)) {
                OutputStream out = p.client.getOutputStream();
                p.client.shutdownOutput();
                String w = outcome(() -> {
                    out.write(1);
                    return "written";
                });
                return w + " / peer reads " + p.server.getInputStream().read()
                        + " / " + outcome(p.client::getOutputStream)
                        + " / " + outcome(() -> {
                            p.client.shutdownOutput();
                            return "ok";
                        });
            }
        });
    }

    @Test
    void platformThreadInterruptDoesNotStopARead() throws Exception {
        parity("read 5, interrupted=true", k -> {
            try (Pair p = new Pair(k)) {
                InputStream in = p.server.getInputStream();
                CompletableFuture<String> r = new CompletableFuture<>();
                Thread t = new Thread(() -> {
                    String o = outcome(in::read);
                    r.complete("read " + o + ", interrupted=" + Thread.currentThread().isInterrupted());
                });
                t.setDaemon(true);
                t.start();
                letBlock();
                t.interrupt();
                letBlock();
                p.client.getOutputStream().write(5);
                return r.get(10, TimeUnit.SECONDS);
            }
        });
    }

    // ---------------------------------------------------------------- EOF, reset, broken pipe

    @Test
    void eofIsStickyEvenAfterClose() throws Exception {
        parity("-1 -1 -1", k -> {
            try (Pair p = new Pair(k)) {
                InputStream in = p.server.getInputStream();
                p.client.close();
                int a = in.read();
                int b = in.read();
                p.server.close();
                return a + " " + b + " " + in.read(); // legacy: -1 even though closed
            }
        });
    }

    @Test
    void closedSocketStreams() throws Exception {
        parity("0 / SocketException: Socket closed / SocketException: Socket closed / SocketException: Socket closed",
                k -> {
                    try (Pair p = new Pair(k)) {
                        InputStream in = p.server.getInputStream();
                        OutputStream out = p.server.getOutputStream();
                        p.server.close();
                        return in.read(new byte[1], 0, 0) + " / " + outcome(in::read) + " / " + outcome(in::available)
                                + " / " + outcome(() -> {
                                    out.write(1);
                                    return "written";
                                });
                    }
                });
    }

    @Test
    void closingTheStreamClosesTheSocket() throws Exception {
        parity("same=true closed=true", k -> {
            try (Pair p = new Pair(k)) {
                InputStream in = p.server.getInputStream();
                boolean same = in == p.server.getInputStream();
                in.close();
                return "same=" + same + " closed=" + p.server.isClosed();
            }
        });
    }

    @Test
    void lingerZeroResetsAndResetIsSticky() throws Exception {
        parity("1 2 3 / SocketException: Connection reset / SocketException: Connection reset / available=0", k -> {
            try (Pair p = new Pair(k)) {
                p.client.getOutputStream().write(new byte[] {1, 2, 3});
                InputStream in = p.server.getInputStream();
                // wait until the data is there, so that the RST comes after it
                p.server.setSoTimeout(5000);
                byte[] b = new byte[3];
                int n = 0;
                while (n < 1) {
                    n = in.available() > 0 ? 1 : 0;
                    if (n == 0) {
                        TimeUnit.MILLISECONDS.sleep(5);
                    }
                }
                p.client.setSoLinger(true, 0);
                p.client.close();
                letBlock();
                int got = 0;
                while (got < 3) {
                    got += in.read(b, got, 3 - got);
                }
                return b[0] + " " + b[1] + " " + b[2] + " / " + outcome(in::read) + " / " + outcome(in::read)
                        + " / available=" + in.available();
            }
        });
    }

    @Test
    void writesAfterThePeerClosed() throws Exception {
        parity("peer FIN -1 / ok / SocketException: Broken pipe / SocketException: Broken pipe", k -> {
            try (Pair p = new Pair(k)) {
                OutputStream out = p.client.getOutputStream();
                p.server.close();
                int eof = p.client.getInputStream().read();
                String first = outcome(() -> {
                    out.write(1);
                    return "ok";
                });
                letBlock(); // the peer answers the data with RST
                return "peer FIN " + eof + " / " + first + " / " + outcome(() -> {
                    out.write(2);
                    return "ok";
                }) + " / " + outcome(() -> {
                    out.write(3);
                    return "ok";
                });
            }
        });
    }

    @Test
    void writesAfterThePeerReset() throws Exception {
        parity("SocketException: Connection reset by peer / SocketException: Broken pipe", k -> {
            try (Pair p = new Pair(k)) {
                OutputStream out = p.client.getOutputStream();
                p.server.setSoLinger(true, 0);
                p.server.close();
                letBlock(); // the RST arrives
                return outcome(() -> {
                    out.write(1);
                    return "ok";
                }) + " / " + outcome(() -> {
                    out.write(2);
                    return "ok";
                });
            }
        });
    }

    @Test
    void aResetReportedByAReadMakesWritesBrokenPipe() throws Exception {
        parity("SocketException: Connection reset / SocketException: Broken pipe / SocketException: Connection reset",
                k -> {
                    try (Pair p = new Pair(k)) {
                        p.server.setSoLinger(true, 0);
                        p.server.close();
                        letBlock(); // the RST arrives
                        InputStream in = p.client.getInputStream();
                        OutputStream out = p.client.getOutputStream();
                        return outcome(in::read) + " / " + outcome(() -> {
                            out.write(1);
                            return "ok";
                        }) + " / " + outcome(in::read);
                    }
                });
    }

    @Test
    void aResetReportedByAWriteMakesReadsEof() throws Exception {
        parity("SocketException: Connection reset by peer / SocketException: Broken pipe / -1 / -1", k -> {
            try (Pair p = new Pair(k)) {
                p.server.setSoLinger(true, 0);
                p.server.close();
                letBlock(); // the RST arrives
                InputStream in = p.client.getInputStream();
                OutputStream out = p.client.getOutputStream();
                return outcome(() -> {
                    out.write(1);
                    return "ok";
                }) + " / " + outcome(() -> {
                    out.write(2);
                    return "ok";
                }) + " / " + outcome(in::read) + " / " + outcome(in::read);
            }
        });
    }

    @Test
    void closeWithUnreadDataSendsFinFirst() throws Exception {
        parity("-1 -1", k -> {
            try (Pair p = new Pair(k)) {
                p.client.getOutputStream().write(new byte[] {1, 2, 3});
                InputStream serverIn = p.server.getInputStream();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (serverIn.available() == 0 && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(2);
                }
                p.server.close(); // unread data: Linux resets, but NioSocketImpl shut the output down first
                letBlock();
                InputStream in = p.client.getInputStream();
                return outcome(in::read) + " " + outcome(in::read);
            }
        });
    }

    // ---------------------------------------------------------------- urgent data

    @Test
    void urgentDataInlineAndDropped() throws Exception {
        parity("inline: 7 120 / not inline: 120", k -> {
            StringBuilder sb = new StringBuilder();
            try (Pair p = new Pair(k)) {
                p.server.setOOBInline(true);
                p.client.sendUrgentData(7);
                p.client.getOutputStream().write('x');
                InputStream in = p.server.getInputStream();
                sb.append("inline: ").append(in.read()).append(' ').append(in.read());
            }
            try (Pair p = new Pair(k)) {
                p.client.sendUrgentData(7);
                p.client.getOutputStream().write('x');
                sb.append(" / not inline: ").append(p.server.getInputStream().read());
            }
            return sb;
        });
    }

    @Test
    void urgentDataOnAnUnconnectedSocket() throws Exception {
        parity("SocketException: Not connected", k -> {
            try (Socket s = socket(k)) {
                return outcome(() -> {
                    s.sendUrgentData(1);
                    return "sent";
                });
            }
        });
    }

    // ---------------------------------------------------------------- addresses, toString

    @Test
    void addressesAndToStringWhileConnectedAndAfterClose() throws Exception {
        parity(k -> {
            try (Pair p = new Pair(k)) {
                int lp = p.listener.getLocalPort();
                int cp = p.client.getLocalPort();
                List<String> r = new ArrayList<>();
                r.add(p.client.toString());
                r.add(p.server.toString());
                r.add(p.listener.toString());
                r.add(p.client.getLocalSocketAddress() + " " + p.client.getRemoteSocketAddress());
                r.add(p.server.getLocalSocketAddress() + " " + p.server.getRemoteSocketAddress());
                p.client.close();
                r.add(p.client.getInetAddress() + " " + p.client.getPort() + " " + p.client.getLocalPort()
                        + " " + p.client.getLocalAddress() + " " + p.client.getLocalSocketAddress());
                p.listener.close();
                r.add(p.listener.toString() + " " + p.listener.getLocalPort());
                return String.join("\n", r).replace(":" + lp, ":LP").replace("=" + lp, "=LP")
                        .replace(" " + lp, " LP").replace(":" + cp, ":CP").replace("=" + cp, "=CP")
                        .replace(" " + cp, " CP");
            }
        });
    }

    @Test
    void unboundServerSocketAndWildcardBind() throws Exception {
        parity(k -> {
            try (ServerSocket ss = serverSocket(k)) {
                String before = ss.getInetAddress() + " " + ss.getLocalPort() + " " + ss;
                ss.bind(new InetSocketAddress(0));
                return before + " / " + ss.toString().replace("=" + ss.getLocalPort(), "=P");
            }
        });
    }

    // ---------------------------------------------------------------- options

    @Test
    void optionDefaults() throws Exception {
        parity("timeout=0 linger=-1 nodelay=false keepalive=false reuse=false oob=false tc=0 / server reuse=true",
                k -> {
                    try (Socket s = socket(k); ServerSocket ss = serverSocket(k)) {
                        return "timeout=" + s.getSoTimeout() + " linger=" + s.getSoLinger() + " nodelay="
                                + s.getTcpNoDelay() + " keepalive=" + s.getKeepAlive() + " reuse="
                                + s.getReuseAddress() + " oob=" + s.getOOBInline() + " tc=" + s.getTrafficClass()
                                + " / server reuse=" + ss.getReuseAddress();
                    }
                });
    }

    @Test
    void legacyOptionsRoundTrip() throws Exception {
        parity("timeout=1234 linger=65535 linger0=0 off=-1 nodelay=true keepalive=true reuse=true oob=true tc=16",
                k -> {
                    try (Socket s = socket(k)) {
                        s.setSoTimeout(1234);
                        s.setSoLinger(true, 70000);
                        String linger = "linger=" + s.getSoLinger();
                        s.setSoLinger(true, 0);
                        String linger0 = "linger0=" + s.getSoLinger();
                        s.setSoLinger(false, 0);
                        s.setTcpNoDelay(true);
                        s.setKeepAlive(true);
                        s.setReuseAddress(true);
                        s.setOOBInline(true);
                        s.setTrafficClass(0x13); // Linux clears the ECN bits of a TCP socket's TOS
                        return "timeout=" + s.getSoTimeout() + " " + linger + " " + linger0 + " off="
                                + s.getSoLinger() + " nodelay=" + s.getTcpNoDelay() + " keepalive="
                                + s.getKeepAlive() + " reuse=" + s.getReuseAddress() + " oob=" + s.getOOBInline()
                                + " tc=" + s.getTrafficClass();
                    }
                });
    }

    @Test
    void socketOptionApiRoundTripAndErrors() throws Exception {
        parity("IP_TOS=252 SO_LINGER=65535 SO_LINGER=-1 TCP_KEEPIDLE=30 TCP_KEEPINTERVAL=5 TCP_KEEPCOUNT=3"
                + " TCP_NODELAY=true SO_KEEPALIVE=true SO_REUSEADDR=true"
                + " / IllegalArgumentException: Invalid IP_TOS value"
                + " / IllegalArgumentException: Invalid value 'null'"
                + " / IllegalArgumentException: Invalid send/receive buffer size"
                + " / SocketException: Invalid argument / SocketException: Invalid argument"
                + " / SocketException: Invalid argument / SocketException: Invalid argument"
                + " / defaults 7200 75 9", k -> {
                    try (Socket s = socket(k); Socket fresh = socket(k)) {
                        StringBuilder sb = new StringBuilder();
                        set(sb, s, StandardSocketOptions.IP_TOS, 0xFF);
                        set(sb, s, StandardSocketOptions.SO_LINGER, 70000);
                        set(sb, s, StandardSocketOptions.SO_LINGER, -5);
                        set(sb, s, ExtendedSocketOptions.TCP_KEEPIDLE, 30);
                        set(sb, s, ExtendedSocketOptions.TCP_KEEPINTERVAL, 5);
                        set(sb, s, ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
                        set(sb, s, StandardSocketOptions.TCP_NODELAY, true);
                        set(sb, s, StandardSocketOptions.SO_KEEPALIVE, true);
                        set(sb, s, StandardSocketOptions.SO_REUSEADDR, true);
                        sb.setLength(sb.length() - 1);
                        sb.append(" / ").append(outcome(() -> s.setOption(StandardSocketOptions.IP_TOS, 256)));
                        sb.append(" / ").append(outcome(() -> s.setOption(StandardSocketOptions.IP_TOS, null)));
                        sb.append(" / ").append(outcome(() -> s.setOption(StandardSocketOptions.SO_RCVBUF, -1)));
                        sb.append(" / ").append(outcome(() -> s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 0)));
                        sb.append(" / ").append(outcome(() -> s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 40000)));
                        sb.append(" / ").append(outcome(() -> s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 200)));
                        sb.append(" / ").append(outcome(() -> s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 0)));
                        sb.append(" / defaults ").append(fresh.getOption(ExtendedSocketOptions.TCP_KEEPIDLE))
                                .append(' ').append(fresh.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL))
                                .append(' ').append(fresh.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT));
                        return sb;
                    }
                });
    }

    static <T> void set(StringBuilder sb, Socket s, SocketOption<T> o, T v) throws IOException {
        s.setOption(o, v);
        sb.append(o.name()).append('=').append(s.getOption(o)).append(' ');
    }

    @Test
    void supportedOptionsAreASubsetOfTheJdks() throws Exception {
        try (Socket jdk = new Socket(); Socket ours = ut.socketFactory().createSocket();
                ServerSocket jdkServer = new ServerSocket(); ServerSocket ourServer = ut.serverSocketFactory().createServerSocket()) {
            // Beyond the JDK's: only usertcp's own TCP_CONGESTION (io.usertcp.net.UserTcpOptions).
            java.util.Set<SocketOption<?>> mine = new java.util.HashSet<>(ours.supportedOptions());
            assertTrue(mine.remove(UserTcpOptions.TCP_CONGESTION));
            java.util.Set<SocketOption<?>> mineServer = new java.util.HashSet<>(ourServer.supportedOptions());
            assertTrue(mineServer.remove(UserTcpOptions.TCP_CONGESTION));
            assertTrue(jdk.supportedOptions().containsAll(mine), mine.toString());
            assertTrue(jdkServer.supportedOptions().containsAll(mineServer), mineServer.toString());
            assertEquals(10, mine.size());
            assertEquals(6, mineServer.size());
            for (SocketOption<?> o : ours.supportedOptions()) {
                ours.getOption(o); // every option we claim can be read
            }
            assertEquals("UnsupportedOperationException: 'SO_REUSEPORT' not supported",
                    outcome(() -> ours.setOption(StandardSocketOptions.SO_REUSEPORT, true)));
        }
    }

    @Test
    void bufferSizesRoundTrip() throws Exception {
        try (Socket s = ut.socketFactory().createSocket()) {
            s.setReceiveBufferSize(32768);
            s.setSendBufferSize(16384);
            assertEquals(32768, s.getReceiveBufferSize());
            assertEquals(16384, s.getSendBufferSize());
            s.setOption(StandardSocketOptions.SO_RCVBUF, 20000);
            assertEquals(20000, s.getOption(StandardSocketOptions.SO_RCVBUF));
        }
        parity("IllegalArgumentException: invalid receive size / IllegalArgumentException: negative send size", k -> {
            try (Socket s = socket(k)) {
                return outcome(() -> {
                    s.setReceiveBufferSize(0);
                    return "set";
                }) + " / " + outcome(() -> {
                    s.setSendBufferSize(-1);
                    return "set";
                });
            }
        });
    }

    @Test
    void optionsAfterClose() throws Exception {
        parity("SocketException: Socket is closed / SocketException: Socket is closed", k -> {
            Socket s = socket(k);
            s.setTcpNoDelay(true);
            s.close();
            return outcome(() -> {
                s.setTcpNoDelay(false);
                return "set";
            }) + " / " + outcome(() -> s.getOption(StandardSocketOptions.TCP_NODELAY));
        });
    }

    @Test
    void getInputStreamIsTheSameInstance() throws Exception {
        try (Pair p = new Pair(Kind.USERTCP)) {
            assertSame(p.client.getInputStream(), p.client.getInputStream());
            assertSame(p.client.getOutputStream(), p.client.getOutputStream());
        }
    }
}
