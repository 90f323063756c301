package io.usertcp.bench;

import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One benchmark endpoint: a server or a measuring client, on the kernel's TCP or on usertcp.
 * bench/run starts these inside private network namespaces and collects the {@code RESULT} lines
 * they print; {@link Report} turns those into BENCHMARKS.md.
 *
 * <pre>
 * Node --net kernel|usertcp [usertcp link options] serve --ports 5001,5002 [--hold] [--max-seconds 600]
 * Node --net kernel|usertcp [usertcp link options] client WORKLOAD --to HOST --port P [--ports N]
 *      --id CELL [--runs 3] [--seconds 10] [--warmup 1] [--count N] [--local ADDR] [--with-server]
 * usertcp link options: --tun NAME --mtu M --kernel-cidr 198.18.0.1/24 --addr 198.18.0.2 [--offload on|auto|off]
 *      [--relay-loss P --relay-delay-ms MS --relay-seed S]   (no --tun: the stack's loopback only)
 * WORKLOAD: bulk-send | bulk-recv | rr | crr | scale
 * </pre>
 *
 * <p>Server protocol: the client's first byte says what it wants. {@code S}: sink (read to end of
 * stream, answer the byte count as 8 bytes); {@code G} + 8 bytes of nanoseconds: generate (write
 * for that long, then close); {@code P}: ping-pong (echo single bytes until end of stream);
 * {@code C}: answer one byte and close (connection rate). With {@code --hold} the server only
 * accepts and keeps every connection (scale).
 */
public final class Node {

    static final int CHUNK = 256 * 1024;

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--")) {
                String k = a.substring(2);
                if (k.equals("hold") || k.equals("with-server")) {
                    o.put(k, "true");
                } else {
                    o.put(k, args[++i]);
                }
            } else {
                positional.add(a);
            }
        }
        if (positional.isEmpty()) {
            System.err.println("usage: Node --net kernel|usertcp ... serve|client WORKLOAD ...");
            System.exit(2);
        }
        Net opened;
        try {
            opened = openNet(o);
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            // The engine is not in this build: the cell is not applicable, the harness is fine.
            System.out.println("NA id=" + o.getOrDefault("id", "?") + " reason=the usertcp engine (io.usertcp.stack) is not in"
                    + " this build (" + e.getMessage() + ")");
            System.out.flush();
            Runtime.getRuntime().halt(0);
            return;
        }
        try (Net net = opened) {
            if (positional.get(0).equals("serve")) {
                serve(net, o);
            } else if (positional.get(0).equals("client") && positional.size() > 1) {
                client(net, positional.get(1), o);
            } else {
                System.err.println("unknown role " + positional);
                System.exit(2);
            }
        }
        System.out.flush();
        // Stack threads or held sockets must not keep the process alive (exit, not halt: a JFR
        // recording is dumped by a shutdown hook).
        System.exit(0);
    }

    static Net openNet(Map<String, String> o) throws Exception {
        String kind = o.getOrDefault("net", "kernel");
        if (kind.equals("kernel")) {
            return new KernelNet();
        }
        if (kind.equals("usertcp")) {
            // Loaded by name so that the kernel side of the harness does not depend on the engine's API.
            Class<?> c = Class.forName("io.usertcp.bench.UserNet");
            try {
                return (Net) c.getMethod("open", Map.class).invoke(null, o);
            } catch (java.lang.reflect.InvocationTargetException e) {
                if (e.getCause() instanceof Exception ex) {
                    throw ex;
                }
                throw e;
            }
        }
        throw new IllegalArgumentException("--net " + kind);
    }

    // ------------------------------------------------------------------ server

    static final ExecutorService POOL = Executors.newCachedThreadPool(daemon("bench-conn"));

    static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    static void serve(Net net, Map<String, String> o) throws Exception {
        List<Net.Listener> ls = startServer(net, o);
        System.out.println("READY " + net.describe());
        System.out.flush();
        long max = (long) (Double.parseDouble(o.getOrDefault("max-seconds", "900")) * 1e9);
        long end = System.nanoTime() + max;
        // Runs until the script kills it, or --max-seconds passes.
        while (System.nanoTime() < end) {
            Thread.sleep(200);
        }
        for (Net.Listener l : ls) {
            l.close();
        }
    }

    static List<Net.Listener> startServer(Net net, Map<String, String> o) throws IOException {
        boolean hold = o.containsKey("hold");
        String bind = o.get("bind");
        InetAddress addr = bind == null ? null : InetAddress.getByName(bind);
        List<Net.Listener> ls = new ArrayList<>();
        List<Net.Conn> held = java.util.Collections.synchronizedList(new ArrayList<>());
        for (String p : o.getOrDefault("ports", o.getOrDefault("port", "5001")).split(",")) {
            Net.Listener l = net.listen(addr, Integer.parseInt(p.trim()), 4096);
            ls.add(l);
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        Net.Conn c = l.accept();
                        if (hold) {
                            held.add(c);
                        } else {
                            POOL.execute(() -> handle(c));
                        }
                    }
                } catch (IOException e) {
                    // listener closed
                }
            }, "bench-accept-" + p);
            t.setDaemon(true);
            t.start();
        }
        return ls;
    }

    static void handle(Net.Conn c) {
        byte[] buf = new byte[CHUNK];
        try (c) {
            int cmd = readByte(c, buf);
            switch (cmd) {
                case 'S' -> {
                    long n = 0;
                    int r;
                    while ((r = c.read(buf, 0, buf.length)) > 0) {
                        n += r;
                    }
                    byte[] count = ByteBuffer.allocate(8).putLong(n).array();
                    c.write(count, 0, 8);
                }
                case 'G' -> {
                    readFully(c, buf, 8);
                    long nanos = ByteBuffer.wrap(buf, 0, 8).getLong();
                    fill(buf);
                    long end = System.nanoTime() + nanos;
                    while (System.nanoTime() < end) {
                        c.write(buf, 0, CHUNK);
                    }
                    c.shutdownOutput();
                }
                case 'P' -> {
                    c.setNoDelay(true);
                    int r;
                    while ((r = c.read(buf, 0, 1)) > 0) {
                        c.write(buf, 0, r);
                    }
                }
                case 'C' -> c.write(buf, 0, 1);
                default -> {
                    // unknown or end of stream: just close
                }
            }
        } catch (IOException e) {
            // the peer went away: nothing to report on the server side
        }
    }

    static void fill(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
    }

    static int readByte(Net.Conn c, byte[] buf) throws IOException {
        int r = c.read(buf, 0, 1);
        return r <= 0 ? -1 : buf[0] & 0xFF;
    }

    static void readFully(Net.Conn c, byte[] buf, int len) throws IOException {
        int off = 0;
        while (off < len) {
            int r = c.read(buf, off, len - off);
            if (r < 0) {
                throw new EOFException("end of stream after " + off + " of " + len + " bytes");
            }
            off += r;
        }
    }

    // ------------------------------------------------------------------ client

    static void client(Net net, String workload, Map<String, String> o) throws Exception {
        if (o.containsKey("with-server")) {
            startServer(net, o);
        }
        String id = o.getOrDefault("id", workload);
        InetAddress to = InetAddress.getByName(o.getOrDefault("to", "127.0.0.1"));
        int port = Integer.parseInt(o.getOrDefault("port", o.getOrDefault("ports", "5001").split(",")[0]));
        int runs = Integer.parseInt(o.getOrDefault("runs", "3"));
        double seconds = Double.parseDouble(o.getOrDefault("seconds", "10"));
        double warmup = Double.parseDouble(o.getOrDefault("warmup", "1"));
        Client cl = new Client(net, to, port, o);
        // One warm-up (JIT, connection setup paths), not reported.
        if (warmup > 0) {
            cl.run(workload, warmup, true);
        }
        for (int r = 1; r <= runs; r++) {
            Map<String, Object> res = cl.run(workload, seconds, false);
            StringBuilder s = new StringBuilder("RESULT id=").append(id).append(" run=").append(r);
            for (Map.Entry<String, Object> e : res.entrySet()) {
                Object v = e.getValue();
                s.append(' ').append(e.getKey()).append('=');
                s.append(v instanceof Double d ? String.format(Locale.ROOT, "%.6g", d) : String.valueOf(v));
            }
            System.out.println(s);
            System.out.flush();
        }
    }

    static long cpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    static final class Client {
        final Net net;
        final InetAddress to;
        final int port;
        final Map<String, String> o;
        final byte[] buf = new byte[CHUNK];

        Client(Net net, InetAddress to, int port, Map<String, String> o) {
            this.net = net;
            this.to = to;
            this.port = port;
            this.o = o;
            fill(buf);
        }

        Map<String, Object> run(String workload, double seconds, boolean warm) throws Exception {
            return switch (workload) {
                case "bulk-send" -> bulkSend(seconds);
                case "bulk-recv" -> bulkRecv(seconds);
                case "rr" -> rr(warm ? Math.max(1000, count() / 10) : count());
                case "crr" -> crr(seconds);
                case "scale" -> warm ? Map.of() : scale(count());
                default -> throw new IllegalArgumentException("workload " + workload);
            };
        }

        int count() {
            return Integer.parseInt(o.getOrDefault("count", "100000"));
        }

        Net.Conn connect() throws IOException {
            return net.connect(null, 0, to, port);
        }

        Map<String, Object> bulkSend(double seconds) throws IOException {
            try (Net.Conn c = connect()) {
                c.write(new byte[] {'S'}, 0, 1);
                long cpu0 = cpuNanos();
                long t0 = System.nanoTime();
                long end = t0 + (long) (seconds * 1e9);
                long sent = 0;
                while (System.nanoTime() < end) {
                    c.write(buf, 0, CHUNK);
                    sent += CHUNK;
                }
                c.shutdownOutput();
                readFully(c, buf, 8);
                long t1 = System.nanoTime();
                long cpu1 = cpuNanos();
                long got = ByteBuffer.wrap(buf, 0, 8).getLong();
                fill(buf);
                return bulkResult(got, t1 - t0, cpu1 - cpu0, sent);
            }
        }

        Map<String, Object> bulkRecv(double seconds) throws IOException {
            try (Net.Conn c = connect()) {
                byte[] cmd = ByteBuffer.allocate(9).put((byte) 'G').putLong((long) (seconds * 1e9)).array();
                c.write(cmd, 0, 9);
                int r = c.read(buf, 0, CHUNK);
                long cpu0 = cpuNanos();
                long t0 = System.nanoTime();
                long got = Math.max(r, 0);
                while ((r = c.read(buf, 0, CHUNK)) > 0) {
                    got += r;
                }
                long t1 = System.nanoTime();
                long cpu1 = cpuNanos();
                return bulkResult(got, t1 - t0, cpu1 - cpu0, got);
            }
        }

        static Map<String, Object> bulkResult(long bytes, long nanos, long cpu, long appBytes) {
            Map<String, Object> m = new LinkedHashMap<>();
            double s = nanos / 1e9;
            m.put("gbps", bytes * 8 / s / 1e9);
            m.put("bytes", bytes);
            m.put("seconds", s);
            if (cpu >= 0 && bytes > 0) {
                m.put("cpu_s_per_gib", (cpu / 1e9) / (bytes / (double) (1L << 30)));
                m.put("cpu_util", cpu / 1e9 / s);
            }
            return m;
        }

        Map<String, Object> rr(int n) throws IOException {
            long[] rtt = new long[n];
            try (Net.Conn c = connect()) {
                c.setNoDelay(true);
                c.write(new byte[] {'P'}, 0, 1);
                byte[] one = {42};
                long cpu0 = cpuNanos();
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    c.write(one, 0, 1);
                    if (c.read(buf, 0, 1) != 1) {
                        throw new EOFException("echo ended after " + i + " round trips");
                    }
                    rtt[i] = System.nanoTime() - t0;
                }
                long total = System.nanoTime() - start;
                long cpu1 = cpuNanos();
                Arrays.sort(rtt);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("p50_us", pct(rtt, 0.50) / 1e3);
                m.put("p99_us", pct(rtt, 0.99) / 1e3);
                m.put("p999_us", pct(rtt, 0.999) / 1e3);
                m.put("mean_us", total / 1e3 / n);
                m.put("round_trips", n);
                m.put("cpu_us_per_rt", (cpu1 - cpu0) / 1e3 / n);
                return m;
            }
        }

        static double pct(long[] sorted, double p) {
            int i = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }

        Map<String, Object> crr(double seconds) throws IOException {
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            long n = 0, failures = 0;
            byte[] req = {'C'};
            String firstError = null;
            while (System.nanoTime() < end) {
                try (Net.Conn c = connect()) {
                    c.write(req, 0, 1);
                    if (c.read(buf, 0, 1) != 1) {
                        throw new EOFException("no answer");
                    }
                    c.read(buf, 0, 1); // the server's close (end of stream)
                    n++;
                } catch (IOException e) {
                    failures++;
                    if (firstError == null) {
                        firstError = e.toString().replace(' ', '_');
                    }
                    if (failures > 1000) {
                        break;
                    }
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("conn_per_s", n / s);
            m.put("connections", n);
            m.put("failures", failures);
            if (firstError != null) {
                m.put("first_error", firstError);
            }
            return m;
        }

        /**
         * Opens n connections and holds them idle: heap per connection (after GC), time to
         * establish, then closes them all and reports the heap left after close.
         */
        Map<String, Object> scale(int n) throws Exception {
            int nports = Integer.parseInt(o.getOrDefault("nports", "1"));
            int perPort = (n + nports - 1) / nports;
            InetAddress local = o.containsKey("local") ? InetAddress.getByName(o.get("local")) : null;
            int localBase = Integer.parseInt(o.getOrDefault("local-base", "0"));
            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            long heap0 = usedAfterGc(mem);
            long slab0 = slabKb();
            List<Net.Conn> conns = new ArrayList<>(n);
            long t0 = System.nanoTime();
            long failures = 0;
            String firstError = null;
            double budget = Double.parseDouble(o.getOrDefault("seconds", "60")) * 1e9;
            for (int i = 0; i < n && System.nanoTime() - t0 < budget; i++) {
                int p = port + i / perPort;
                int lp = localBase == 0 ? 0 : localBase + i % perPort;
                try {
                    conns.add(net.connect(local, lp, to, p));
                } catch (IOException e) {
                    failures++;
                    if (firstError == null) {
                        firstError = e.toString().replace(' ', '_');
                    }
                    if (failures > 100) {
                        break;
                    }
                }
            }
            long t1 = System.nanoTime();
            int ok = conns.size();
            Thread.sleep(500); // let the last ACKs settle
            long heap1 = usedAfterGc(mem);
            long slab1 = slabKb();
            Map<String, Object> extraOpen = net.extraStats();
            long t2 = System.nanoTime();
            for (Net.Conn c : conns) {
                c.close();
            }
            long t3 = System.nanoTime();
            conns.clear();
            Thread.sleep(1000);
            long heap2 = usedAfterGc(mem);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("connections", ok);
            m.put("failures", failures);
            if (firstError != null) {
                m.put("first_error", firstError);
            }
            m.put("establish_s", (t1 - t0) / 1e9);
            m.put("conn_per_s", ok / ((t1 - t0) / 1e9));
            m.put("heap_per_conn_bytes", ok == 0 ? 0.0 : (heap1 - heap0) / (double) ok);
            if (slab0 >= 0 && ok > 0) {
                m.put("slab_per_conn_bytes", (slab1 - slab0) * 1024.0 / ok);
            }
            m.put("close_s", (t3 - t2) / 1e9);
            m.put("heap_after_close_mib", (heap2 - heap0) / (double) (1 << 20));
            for (Map.Entry<String, Object> e : extraOpen.entrySet()) {
                m.put(e.getKey() + "_open", e.getValue());
            }
            for (Map.Entry<String, Object> e : net.extraStats().entrySet()) {
                m.put(e.getKey() + "_after_close", e.getValue());
            }
            return m;
        }

        static long usedAfterGc(MemoryMXBean mem) throws InterruptedException {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(50);
            }
            return mem.getHeapMemoryUsage().getUsed();
        }

        /** Machine-wide kernel slab (kB) from /proc/meminfo; noisy, -1 when unreadable. */
        static long slabKb() {
            try {
                for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                    if (l.startsWith("Slab:")) {
                        return Long.parseLong(l.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
            return -1;
        }
    }
}
