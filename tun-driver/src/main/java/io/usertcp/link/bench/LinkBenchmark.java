package io.usertcp.link.bench;

import io.usertcp.link.tun.Ipv4;
import io.usertcp.link.tun.TunConfig;
import io.usertcp.link.tun.TunDevice;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The physical limit of the TUN link from one JVM thread: packets/s and Gbit/s in each direction
 * at each MTU, with the kernel as the other end. Later TCP throughput is measured against it.
 *
 * <ul>
 *   <li><b>write</b> (JVM → kernel): one thread writes well-formed UDP packets of exactly MTU
 *       bytes to the TUN, addressed to a kernel UDP socket bound to the kernel side's address. The
 *       rate counted is what the kernel's UDP layer accepted: the growth of
 *       {@code Udp: InDatagrams + RcvbufErrors} in {@code /proc/net/snmp} (this namespace's), i.e.
 *       datagrams that passed IP and UDP input (checksums included); a reader thread drains the
 *       socket meanwhile, and {@code InCsumErrors}/{@code InErrors} must stay 0.
 *   <li><b>read</b> (kernel → JVM): a sender thread floods MTU-sized UDP datagrams from a kernel
 *       socket to an address routed through the TUN; one thread reads the TUN and counts.
 * </ul>
 * Must run inside a private network namespace (build/link-bench arranges that): it creates a TUN
 * with 198.18.0.1/24 on the kernel side. Usage:
 * {@code LinkBenchmark [--seconds 3] [--mtus 1500,9000] [--write BENCHMARKS.md] [--command TEXT]}.
 */
public final class LinkBenchmark {

    static final int KERNEL = Ipv4.parse("198.18.0.1");
    static final int PEER = Ipv4.parse("198.18.0.2");
    static final int KERNEL_PORT = 9000, PEER_PORT = 40000;

    record Result(String direction, int mtu, long packets, long bytes, double seconds, String note) {
        double pps() { return packets / seconds; }
        double gbps() { return bytes * 8 / seconds / 1e9; }
    }

    public static void main(String[] args) throws Exception {
        double seconds = 3;
        List<Integer> mtus = List.of(1500, 9000);
        Path write = null;
        String command = "build/link-bench";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--mtus" -> mtus = java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--write" -> write = Path.of(args[++i]);
                case "--command" -> command = args[++i];
                default -> {
                    System.err.println("unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (!"1".equals(System.getenv("USERTCP_IN_NETNS"))) {
            System.err.println("LinkBenchmark creates TUN devices and floods UDP: run it through build/link-bench, which"
                    + " starts it in a private network namespace.");
            System.exit(2);
        }
        List<Result> results = new ArrayList<>();
        for (int mtu : mtus) {
            results.add(benchWrite(mtu, seconds));
            results.add(benchRead(mtu, seconds));
        }
        String table = table(results);
        System.out.println(table);
        if (write != null) {
            String section = section(table, seconds, command);
            updateSection(write, section);
            System.out.println("updated the \"## Link benchmark\" section of " + write);
        }
    }

    // ------------------------------------------------------------------ write: JVM → kernel

    static Result benchWrite(int mtu, double seconds) throws Exception {
        try (TunDevice tun = open(mtu);
             DatagramChannel sock = DatagramChannel.open()) {
            sock.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            sock.bind(new InetSocketAddress(Ipv4.format(KERNEL), KERNEL_PORT));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong drained = new AtomicLong();
            Thread reader = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(65536);
                try {
                    sock.configureBlocking(true);
                    while (!stop.get()) {
                        b.clear();
                        sock.receive(b);
                        drained.incrementAndGet();
                    }
                } catch (ClosedChannelException e) {
                    // done
                } catch (IOException e) {
                    System.err.println("reader: " + e);
                }
            }, "bench-kernel-reader");
            reader.setDaemon(true);
            reader.start();

            ByteBuffer packet = udpPacket(mtu, PEER, PEER_PORT, KERNEL, KERNEL_PORT);
            writeFor(tun, packet, 0.5); // warm-up (JIT, caches)
            long[] before = udpCounters();
            long written = writeFor(tun, packet, seconds);
            long t0 = System.nanoTime(); // give the kernel's last packets time to be counted
            long[] after = udpCounters();
            while (System.nanoTime() - t0 < 100_000_000L && after[0] + after[2] - before[0] - before[2] < written) {
                Thread.onSpinWait();
                after = udpCounters();
            }
            stop.set(true);
            sock.close();
            long received = (after[0] - before[0]) + (after[2] - before[2]);
            // InErrors also counts RcvbufErrors (a full socket buffer); what is left are real input errors.
            long errors = (after[1] - before[1]) - (after[2] - before[2]) + (after[3] - before[3]);
            String note = "written " + written + ", kernel UDP accepted " + received + " (socket drained " + drained.get()
                    + " incl. warm-up), input errors " + errors + ", TUN drops " + tun.txDropped();
            return new Result("write (JVM→kernel)", mtu, received, received * mtu, seconds, note);
        }
    }

    private static long writeFor(TunDevice tun, ByteBuffer packet, double seconds) throws IOException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long n = 0;
        while (true) {
            for (int i = 0; i < 256; i++) {
                tun.send(packet);
            }
            n += 256;
            if (System.nanoTime() >= end) {
                return n;
            }
        }
    }

    /** {InDatagrams, InErrors, RcvbufErrors, InCsumErrors} from this namespace's /proc/net/snmp. */
    static long[] udpCounters() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
        String[] names = null, values = null;
        for (String l : lines) {
            if (l.startsWith("Udp: ")) {
                if (names == null) {
                    names = l.split("\\s+");
                } else {
                    values = l.split("\\s+");
                    break;
                }
            }
        }
        if (names == null || values == null) {
            throw new IOException("no Udp lines in /proc/net/snmp");
        }
        long[] r = new long[4];
        String[] want = {"InDatagrams", "InErrors", "RcvbufErrors", "InCsumErrors"};
        for (int i = 1; i < names.length; i++) {
            for (int k = 0; k < want.length; k++) {
                if (names[i].equals(want[k])) {
                    r[k] = Long.parseLong(values[i]);
                }
            }
        }
        return r;
    }

    // ------------------------------------------------------------------ read: kernel → JVM

    static Result benchRead(int mtu, double seconds) throws Exception {
        try (TunDevice tun = open(mtu);
             DatagramChannel sender = DatagramChannel.open()) {
            sender.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            sender.bind(new InetSocketAddress(Ipv4.format(KERNEL), 0));
            sender.connect(new InetSocketAddress(Ipv4.format(PEER), PEER_PORT));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong sent = new AtomicLong();
            Thread flood = new Thread(() -> {
                ByteBuffer payload = ByteBuffer.allocateDirect(mtu - 28);
                try {
                    while (!stop.get()) {
                        payload.clear();
                        sender.write(payload);
                        sent.incrementAndGet();
                    }
                } catch (ClosedChannelException e) {
                    // done
                } catch (IOException e) {
                    if (!stop.get()) {
                        System.err.println("sender: " + e);
                    }
                }
            }, "bench-kernel-sender");
            flood.setDaemon(true);
            flood.start();

            ByteBuffer buf = ByteBuffer.allocateDirect(mtu);
            readFor(tun, buf, 0.5, mtu);
            long sentBefore = sent.get();
            long[] got = readFor(tun, buf, seconds, mtu);
            long sentDuring = sent.get() - sentBefore;
            stop.set(true);
            sender.close();
            flood.join(2000);
            String note = "kernel sent " + sentDuring + " datagrams in the window, JVM read " + got[0] + " packets of "
                    + mtu + " bytes (" + got[2] + " others ignored)"
                    + (got[0] >= sentDuring * 0.98 ? "; the reader kept up: this rate is the kernel sender's limit" : "");
            return new Result("read (kernel→JVM)", mtu, got[0], got[1], seconds, note);
        }
    }

    /** {full-size UDP packets read, their bytes, other packets}. */
    private static long[] readFor(TunDevice tun, ByteBuffer buf, double seconds, int mtu) throws IOException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long n = 0, bytes = 0, other = 0;
        int k = 0;
        while (true) {
            int len = tun.receive(buf, 10_000_000L);
            if (len == mtu && buf.get(9) == 17) {
                n++;
                bytes += len;
            } else if (len > 0) {
                other++;
            }
            if ((++k & 63) == 0 || len == 0) {
                if (System.nanoTime() >= end) {
                    return new long[] {n, bytes, other};
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static TunDevice open(int mtu) throws IOException {
        return TunDevice.open(TunConfig.builder().name("lbench0").create().kernelAddress(Ipv4.format(KERNEL) + "/24").mtu(mtu)
                .txQueueLength(10_000).build());
    }

    /** A UDP/IPv4 packet of exactly {@code total} bytes with correct header and UDP checksums (RFC 791, RFC 768). */
    static ByteBuffer udpPacket(int total, int src, int srcPort, int dst, int dstPort) {
        ByteBuffer b = ByteBuffer.allocateDirect(total);
        b.put(0, (byte) 0x45);
        b.putShort(2, (short) total);
        b.putShort(4, (short) 1);
        b.putShort(6, (short) 0x4000); // DF
        b.put(8, (byte) 64);
        b.put(9, (byte) 17);
        b.putInt(12, src);
        b.putInt(16, dst);
        b.putShort(10, (short) (~sum(b, 0, 20, 0) & 0xFFFF));
        int udpLen = total - 20;
        b.putShort(20, (short) srcPort);
        b.putShort(22, (short) dstPort);
        b.putShort(24, (short) udpLen);
        for (int i = 28; i < total; i++) {
            b.put(i, (byte) i);
        }
        int pseudo = (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + 17 + udpLen;
        int c = ~sum(b, 20, udpLen, pseudo) & 0xFFFF;
        b.putShort(26, (short) (c == 0 ? 0xFFFF : c)); // RFC 768: a computed zero is sent as all ones
        return b.position(0).limit(total);
    }

    /** RFC 1071 one's complement sum, folded. */
    static int sum(ByteBuffer b, int off, int len, int initial) {
        long s = initial;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            s += ((b.get(off + i) & 0xFF) << 8) | (b.get(off + i + 1) & 0xFF);
        }
        if (i < len) {
            s += (b.get(off + i) & 0xFF) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    static String table(List<Result> results) {
        StringBuilder s = new StringBuilder();
        s.append("| direction | MTU | packets/s | Gbit/s |\n|---|---:|---:|---:|\n");
        for (Result r : results) {
            s.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %.2f |%n", r.direction, r.mtu, r.pps(), r.gbps()));
        }
        s.append('\n');
        for (Result r : results) {
            s.append(String.format(Locale.ROOT, "- %s, MTU %d, %.1f s: %s%n", r.direction, r.mtu, r.seconds, r.note));
        }
        return s.toString();
    }

    static String section(String table, double seconds, String command) throws IOException {
        String cpu = "unknown CPU";
        for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (l.startsWith("model name")) {
                cpu = l.substring(l.indexOf(':') + 1).trim();
                break;
            }
        }
        String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        return "## Link benchmark\n\n"
                + "Raw TUN throughput from one JVM thread, the kernel being the other end (io.usertcp.link.bench.LinkBenchmark)."
                + " *write*: well-formed UDP packets of MTU bytes written to the TUN, counted as accepted by the kernel's UDP"
                + " input (`/proc/net/snmp` InDatagrams + RcvbufErrors, checksums verified). *read*: a kernel UDP socket floods"
                + " MTU-sized datagrams routed out through the TUN; one thread reads them. Gbit/s counts whole IP packets."
                + " This is the ceiling for usertcp's TCP throughput over TUN.\n\n"
                + "- machine: " + cpu + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, Linux " + kernel + "\n"
                + "- JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + "\n"
                + "- date: " + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")) + "\n"
                + "- command: `" + command + "` (" + seconds + " s per cell after 0.5 s warm-up, in a private network namespace)\n\n"
                + table;
    }

    /** Replaces (or appends) the "## Link benchmark" section of a Markdown file, leaving other sections alone. */
    static void updateSection(Path file, String section) throws IOException {
        String text = Files.exists(file) ? Files.readString(file) : "# usertcp benchmarks\n\n";
        String heading = "## Link benchmark";
        int start = text.indexOf(heading + "\n");
        String body = section.endsWith("\n") ? section : section + "\n";
        String updated;
        if (start < 0) {
            updated = text + (text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n") + body;
        } else {
            int next = text.indexOf("\n## ", start + heading.length());
            updated = text.substring(0, start) + body + (next < 0 ? "" : "\n" + text.substring(next + 1));
        }
        Files.writeString(file, updated, StandardCharsets.UTF_8);
    }
}
