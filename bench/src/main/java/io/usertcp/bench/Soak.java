package io.usertcp.bench;

import io.usertcp.link.MemoryLink;
import io.usertcp.link.relay.ImpairingRelay;
import io.usertcp.link.tun.TunConfig;
import io.usertcp.link.tun.TunDevice;
import io.usertcp.stack.Stack;
import io.usertcp.stack.StackStats;
import io.usertcp.stack.TcpSocket;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.tcp.TcpConnection;
import io.usertcp.tcp.TcpEventListener;
import io.usertcp.tcp.TcpInfo;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.TcpSegment;
import io.usertcp.wire.DropReason;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One end of a soak transfer (issue 8 "Faults"): after the connection is up, both ends write
 * {@code --bytes} of a seeded pseudo-random stream and read the other end's stream at the same time
 * (one connection, full duplex), then each prints one {@code SOAK} line with the SHA-256 of what it
 * sent and what it received, and whether every received byte equalled the expected stream (each end
 * can regenerate the other's from the seed). bench/soak starts these inside private network
 * namespaces, across the impairing relay, and compares the hashes of the two ends.
 *
 * <pre>
 * Soak --net kernel|usertcp [usertcp link options] serve   --port P --bytes N --seed S [--max-seconds T]
 * Soak --net kernel|usertcp [usertcp link options] connect --to HOST --port P --bytes N --seed S [--max-seconds T]
 * usertcp link options: --tun NAME --kernel-cidr 198.18.2.1/24 --addr 198.18.2.2 [--mtu 1500]
 *      [--relay-seed S --relay-loss P --relay-reorder P --relay-duplicate P --relay-corrupt P
 *       --relay-delay-ms MS --relay-jitter-ms MS]  (the in-process relay between the TUN and the stack)
 * </pre>
 *
 * <p>Output: {@code READY} once listening (serve); {@code PROGRESS} lines on stderr every 30 s;
 * {@code SOAK role=… sent=… received=… seconds=… receive_seconds=… sent_sha=… received_sha=… expected_ok=true|false}
 * ({@code receive_seconds}: when this end had read the other's last byte)
 * and, for usertcp, a {@code STACK} line (retransmits, checksum drops) and a {@code RELAY} line per
 * direction. A watchdog ends the process with status 3 and a {@code SOAK … timeout=true} line after
 * {@code --max-seconds}. Exit status 0 only when both directions completed and matched.
 */
public final class Soak {

    static final int CHUNK = 64 * 1024;

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        String role = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                if (i + 1 >= args.length) {
                    usage("missing value after " + args[i]);
                }
                o.put(args[i].substring(2), args[++i]);
            } else if (role == null) {
                role = args[i];
            } else {
                usage("unexpected argument " + args[i]);
            }
        }
        if (!"serve".equals(role) && !"connect".equals(role)) {
            usage("serve or connect?");
        }
        long bytes = Long.parseLong(o.getOrDefault("bytes", String.valueOf(1L << 30)));
        long seed = Long.parseLong(o.getOrDefault("seed", "1"));
        int port = Integer.parseInt(o.getOrDefault("port", "5201"));
        long maxSeconds = Long.parseLong(o.getOrDefault("max-seconds", "3600"));
        String netName = o.getOrDefault("net", "kernel");

        Progress progress = new Progress(role, netName);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(maxSeconds * 1000);
            } catch (InterruptedException e) {
                return;
            }
            System.out.println(progress.line(true, null, null));
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }, "soak-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        UserSetup user = null;
        Net net;
        if (netName.equals("usertcp")) {
            user = UserSetup.open(o);
            net = user.net;
            progress.extra = user::connectionSummary;
        } else {
            net = new KernelNet();
        }
        int status;
        try {
            Net.Conn conn;
            if (role.equals("serve")) {
                Net.Listener l = net.listen(InetAddress.getByName(o.getOrDefault("bind", "0.0.0.0")), port, 4);
                System.out.println("READY " + port);
                System.out.flush();
                conn = l.accept();
                l.close();
            } else {
                conn = connectRetrying(net, InetAddress.getByName(o.get("to")), port, maxSeconds);
            }
            // The server sends stream 0, the client stream 1 (so the two directions differ).
            long mine = seed * 2 + (role.equals("serve") ? 0 : 1);
            long theirs = seed * 2 + (role.equals("serve") ? 1 : 0);
            status = transfer(conn, bytes, mine, theirs, progress, role.equals("serve"));
            watchdog.interrupt(); // done in time: the report below must not be cut short
            conn.close();
        } finally {
            if (user != null) {
                user.report();
            }
            System.out.flush();
        }
        if (user != null) {
            user.close();
        }
        System.out.flush();
        Runtime.getRuntime().halt(status);
    }

    private static void usage(String why) {
        System.err.println("Soak: " + why);
        System.err.println("usage: Soak --net kernel|usertcp [link options] serve|connect --port P --bytes N --seed S"
                + " [--to HOST] [--max-seconds T]");
        System.exit(2);
    }

    /** Connects, retrying refused/unreachable attempts for up to 30 s (the server may still be starting). */
    private static Net.Conn connectRetrying(Net net, InetAddress to, int port, long maxSeconds) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(Math.min(30, maxSeconds)).toNanos();
        while (true) {
            try {
                return net.connect(null, 0, to, port);
            } catch (IOException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /**
     * Both directions at once; returns the exit status (0 = all sent, all received, all as expected).
     * The connecting end shuts its output down as soon as it has written everything; the serving end
     * only once it has also read the connecting end's FIN. So when the connecting end reads end of
     * stream, the other end has received every byte it sent: a usertcp end (whose stack ends with its
     * process, unlike the kernel's orphaned sockets) may then exit without losing queued data.
     */
    static int transfer(Net.Conn conn, long bytes, long mySeed, long theirSeed, Progress p, boolean finLast)
            throws Exception {
        AtomicReference<Throwable> writeError = new AtomicReference<>();
        MessageDigest sentSha = sha256();
        p.start();
        Thread writer = new Thread(() -> {
            try {
                Stream s = new Stream(mySeed);
                byte[] b = new byte[CHUNK];
                long left = bytes;
                while (left > 0) {
                    int n = (int) Math.min(CHUNK, left);
                    s.fill(b, n);
                    conn.write(b, 0, n);
                    sentSha.update(b, 0, n);
                    left -= n;
                    p.sent.addAndGet(n);
                }
                if (!finLast) {
                    conn.shutdownOutput();
                }
            } catch (Throwable t) {
                writeError.set(t);
            }
        }, "soak-writer");
        writer.start();

        MessageDigest receivedSha = sha256();
        Stream expected = new Stream(theirSeed);
        byte[] b = new byte[CHUNK];
        byte[] e = new byte[CHUNK];
        Throwable readError = null;
        try {
            while (true) {
                int n = conn.read(b, 0, b.length);
                if (n < 0) {
                    if (p.receiveEndNanos == 0) {
                        p.receiveEndNanos = System.nanoTime();
                    }
                    break;
                }
                receivedSha.update(b, 0, n);
                long at = p.received.get();
                if (p.firstMismatch < 0) {
                    expected.fill(e, n);
                    for (int i = 0; i < n; i++) {
                        if (b[i] != e[i]) {
                            p.firstMismatch = at + i;
                            break;
                        }
                    }
                }
                if (p.received.addAndGet(n) == bytes) {
                    p.receiveEndNanos = System.nanoTime(); // the last byte (the FIN may come later: finLast)
                }
            }
        } catch (Throwable t) {
            readError = t;
        }
        writer.join();
        if (finLast && writeError.get() == null) {
            try {
                conn.shutdownOutput();
            } catch (IOException ex) {
                writeError.set(ex);
            }
        }
        p.finish();
        String sent = hex(sentSha);
        String received = hex(receivedSha);
        long firstMismatch = p.firstMismatch;
        boolean ok = readError == null && writeError.get() == null && firstMismatch < 0
                && p.sent.get() == bytes && p.received.get() == bytes;
        String err = readError != null ? readError.toString() : writeError.get() != null ? writeError.get().toString() : null;
        System.out.println(p.line(false, sent + " received_sha=" + received + " expected_ok=" + (firstMismatch < 0)
                + (firstMismatch >= 0 ? " first_mismatch=" + firstMismatch : ""), err));
        return ok ? 0 : 1;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException ex) {
            throw new AssertionError(ex);
        }
    }

    static String hex(MessageDigest d) {
        return HexFormat.of().formatHex(d.digest());
    }

    /** A seeded byte stream: consecutive calls continue it; whole longs, so any chunking gives the same bytes. */
    static final class Stream {
        private final SplittableRandom rng;
        private long word;
        private int left; // bytes of `word` not yet used

        Stream(long seed) {
            rng = new SplittableRandom(seed);
        }

        void fill(byte[] b, int n) {
            int i = 0;
            while (i < n && left > 0) {
                b[i++] = (byte) word;
                word >>>= 8;
                left--;
            }
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN); // as the byte-wise tail
            while (n - i >= 8) {
                bb.putLong(i, rng.nextLong());
                i += 8;
            }
            while (i < n) {
                if (left == 0) {
                    word = rng.nextLong();
                    left = 8;
                }
                b[i++] = (byte) word;
                word >>>= 8;
                left--;
            }
        }
    }

    /** Byte counts and timing shared by the writer, the reader, the progress printer and the watchdog. */
    static final class Progress {
        final String role, net;
        final AtomicLong sent = new AtomicLong(), received = new AtomicLong();
        volatile long startNanos, endNanos;
        volatile long receiveEndNanos; // when the other end's last byte (or an early FIN) was read
        volatile java.util.function.Supplier<String> extra; // more for the PROGRESS lines (usertcp: the connection)
        volatile long firstMismatch = -1; // offset of the first received byte that differs from the expected stream

        Progress(String role, String net) {
            this.role = role;
            this.net = net;
        }

        void start() {
            startNanos = System.nanoTime();
            Thread t = new Thread(() -> {
                while (endNanos == 0) {
                    try {
                        Thread.sleep(30_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (endNanos == 0) {
                        System.err.printf(Locale.ROOT, "PROGRESS %s %.0fs sent=%d received=%d%s%n", role,
                                (System.nanoTime() - startNanos) / 1e9, sent.get(), received.get(),
                                extra != null ? " " + extra.get() : "");
                    }
                }
            }, "soak-progress");
            t.setDaemon(true);
            t.start();
        }

        void finish() {
            endNanos = System.nanoTime();
        }

        String line(boolean timeout, String shas, String error) {
            long end = endNanos != 0 ? endNanos : System.nanoTime();
            double secs = startNanos == 0 ? 0 : (end - startNanos) / 1e9;
            double recvSecs = receiveEndNanos != 0 ? (receiveEndNanos - startNanos) / 1e9 : secs;
            return String.format(Locale.ROOT,
                    "SOAK role=%s net=%s sent=%d received=%d seconds=%.2f receive_seconds=%.2f timeout=%s%s%s%s",
                    role, net, sent.get(), received.get(), secs, recvSecs, timeout,
                    timeout ? " expected_ok=" + (firstMismatch < 0) : "",
                    shas != null ? " sent_sha=" + shas : "", error != null ? " error=" + error.replace(' ', '_') : "");
        }
    }

    /** usertcp on a TUN, behind an in-process impairing relay (as bench's UserNet), with Linux-like timers. */
    static final class UserSetup {
        final Stack stack;
        final ImpairingRelay relay;
        final Net net;
        final AtomicLong rtos = new AtomicLong(), retransmitted = new AtomicLong();

        private UserSetup(Stack stack, ImpairingRelay relay) {
            this.stack = stack;
            this.relay = relay;
            stack.addStateListener(new TcpEventListener() {
                @Override public void stateChanged(TcpConnection c, TcpState from, TcpState to, TcpSegment cause) { }
                @Override public void rtoFired(TcpConnection c, int retries, long rtoNanos, long now) { rtos.incrementAndGet(); }
                @Override public void retransmitted(TcpConnection c, int seq, int length, long now) {
                    retransmitted.incrementAndGet();
                }
            });
            this.net = new Net() {
                @Override
                public Conn connect(InetAddress local, int localPort, InetAddress remote, int port) throws IOException {
                    TcpSocket sock = stack.newSocket();
                    try {
                        sock.connect(remote, port, 10_000_000_000L);
                        return new UserNet.UConn(sock);
                    } catch (IOException | RuntimeException e) {
                        sock.close();
                        throw e;
                    }
                }

                @Override
                public Listener listen(InetAddress a, int port, int backlog) throws IOException {
                    TcpSocket sock = stack.newSocket();
                    sock.setReuseAddress(true);
                    sock.bind(a, port);
                    sock.listen(backlog);
                    return new Listener() {
                        @Override public Conn accept() throws IOException { return new UserNet.UConn(sock.accept(0)); }
                        @Override public void close() { sock.close(); }
                    };
                }

                @Override public String describe() { return "usertcp (soak)"; }
                @Override public void close() { }
            };
        }

        static UserSetup open(Map<String, String> o) throws IOException {
            String tunName = o.getOrDefault("tun", "usoak0");
            int mtu = Integer.parseInt(o.getOrDefault("mtu", "1500"));
            String cidr = o.getOrDefault("kernel-cidr", "198.18.2.1/24");
            InetAddress addr = InetAddress.getByName(o.getOrDefault("addr", "198.18.2.2"));
            int prefix = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
            TunDevice tun = TunDevice.open(TunConfig.builder().name(tunName).create().kernelAddress(cidr).mtu(mtu)
                    .txQueueLength(10_000).build());
            double loss = d(o, "relay-loss"), reorder = d(o, "relay-reorder"), dup = d(o, "relay-duplicate");
            double corrupt = d(o, "relay-corrupt"), delayMs = d(o, "relay-delay-ms"), jitterMs = d(o, "relay-jitter-ms");
            long seed = Long.parseLong(o.getOrDefault("relay-seed", "1"));
            MemoryLink.Pair pair = MemoryLink.pair("soak-mem", mtu, 65_536);
            // a = the TUN (kernel side), b = the stack's end: the same orientation as the two-TUN relay
            // program of the kernel↔kernel run (A→B gets `seed`, B→A `seed + 1`).
            ImpairingRelay relay = new ImpairingRelay(tun, pair.a(), seed, b -> b.loss(loss).reorder(reorder)
                    .duplicate(dup).corrupt(corrupt).delay(Duration.ofNanos((long) (delayMs * 1e6)))
                    .jitter(Duration.ofNanos((long) (jitterMs * 1e6)))).start();
            TcpConfig config = o.getOrDefault("usertcp-config", "linux").equals("linux")
                    ? TcpConfig.linuxLike() : TcpConfig.DEFAULT;
            Stack s = Stack.builder().link(pair.b(), addr, prefix).tcpConfig(config).build();
            return new UserSetup(s, relay);
        }

        /** cwnd, ssthresh, RTT, RTO, windows and the RTO / retransmission counts of the connection(s). */
        String connectionSummary() {
            StringBuilder b = new StringBuilder();
            for (TcpInfo i : stack.connections()) {
                b.append(String.format(Locale.ROOT, "[%s cwnd=%d ssthresh=%d srtt=%.1fms rto=%.0fms snd_wnd=%d rcv_wnd=%d"
                        + " send_queue=%d retrans=%d] ", i.state(), i.cwnd(), i.ssthresh(), i.srttNanos() / 1e6,
                        i.rtoNanos() / 1e6, i.sndWnd(), i.rcvWnd(), i.sendQueue(), i.retransmits()));
            }
            return b + "rto_fired=" + rtos.get() + " retransmitted=" + retransmitted.get();
        }

        private static double d(Map<String, String> o, String k) {
            return Double.parseDouble(o.getOrDefault(k, "0"));
        }

        void report() {
            StackStats st = stack.stats();
            long retrans = st.retransmits();
            for (TcpInfo i : stack.connections()) {
                retrans += i.retransmits();
            }
            System.out.println("STACK rto_fired=" + rtos.get() + " retransmits=" + retrans + " checksum_drops=" + checksumDrops(st)
                    + " internal_errors=" + st.internalErrors() + " packets_in=" + st.packetsIn()
                    + " packets_out=" + st.packetsOut());
            System.out.println("RELAY a>b " + relay.aToB());
            System.out.println("RELAY b>a " + relay.bToA());
        }

        private static long checksumDrops(StackStats st) {
            long n = 0;
            for (DropReason r : DropReason.values()) {
                if (r.name().contains("CHECKSUM")) {
                    n += st.dropped(r);
                }
            }
            return n;
        }

        void close() throws IOException {
            stack.close();
            relay.close();
        }
    }
}
