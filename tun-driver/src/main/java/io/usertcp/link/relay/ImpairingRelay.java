package io.usertcp.link.relay;

import io.usertcp.link.ImpairedLink;
import io.usertcp.link.PacketLink;
import io.usertcp.link.PcapTap;
import io.usertcp.link.tun.TunConfig;
import io.usertcp.link.tun.TunDevice;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Bridges two links through the same seeded impairment in both directions: every packet read from
 * side A is sent to side B through an {@link ImpairedLink}, and vice versa. With two TUN devices
 * moved into two network namespaces, traffic between two kernel stacks (or usertcp and a kernel)
 * crosses exactly the impairment this kernel's missing netem would have applied.
 *
 * <p>Run as a program: it creates two TUN devices (no address, left down: the script that moves
 * each into its namespace with {@code ip link set DEV netns NS} configures and raises it there —
 * the descriptors keep working across the move), prints {@code READY <a> <b>}, relays until
 * {@code --duration} passes, stdin reaches end of file (with {@code --stdin}), or the process is
 * terminated, then prints one stats line per direction. {@code --pcap-a FILE} / {@code --pcap-b FILE}
 * record each side's view (what its kernel sent, and what it received after the impairment) as
 * LINKTYPE_RAW pcap. See tun-driver/scripts/relay-demo.sh.
 *
 * <pre>
 * java -cp CLASSPATH io.usertcp.link.relay.ImpairingRelay --tun-a rlyA --tun-b rlyB --seed 42 \
 *      --loss 0.05 --delay-ms 5 --jitter-ms 2 --duration 30
 * </pre>
 *
 * <p>The {@code ImpairingRelay(PacketLink, PacketLink, …)} constructor bridges any two links, which
 * is how tests and the stack's own tests can use it in one JVM.
 */
public final class ImpairingRelay implements AutoCloseable {

    private final PacketLink a, b;
    private final ImpairedLink toB, toA;
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(2);
    private volatile boolean closing;

    /**
     * Bridges {@code a} and {@code b}. {@code impairment} configures both directions' builders
     * (applied to the builder wrapping the destination side); the A→B direction gets
     * {@code seed}, B→A gets {@code seed + 1}.
     */
    public ImpairingRelay(PacketLink a, PacketLink b, long seed, UnaryOperator<ImpairedLink.Builder> impairment) {
        this.a = a;
        this.b = b;
        this.toB = impairment.apply(ImpairedLink.builder(b)).seed(seed).direction(ImpairedLink.Direction.EGRESS).build();
        this.toA = impairment.apply(ImpairedLink.builder(a)).seed(seed + 1).direction(ImpairedLink.Direction.EGRESS).build();
    }

    /** Starts the two forwarding threads (platform, daemon). */
    public ImpairingRelay start() {
        threads.add(forward(a, toB, "usertcp-relay-" + a.name() + ">" + b.name()));
        threads.add(forward(b, toA, "usertcp-relay-" + b.name() + ">" + a.name()));
        return this;
    }

    private Thread forward(PacketLink from, ImpairedLink to, String name) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(Math.max(from.mtu(), to.mtu()) + 64);
            try {
                while (!closing) {
                    int n = from.receive(buf, Long.MAX_VALUE);
                    if (n > 0) {
                        if (n > to.mtu()) {
                            continue; // cannot cross: larger than the other side's MTU
                        }
                        to.send(buf);
                    }
                }
            } catch (ClosedChannelException e) {
                // closed: normal shutdown
            } catch (IOException e) {
                if (!closing) {
                    System.err.println("relay " + name + " stopped: " + e);
                }
            } finally {
                stopped.countDown();
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Counters of the A→B direction. */
    public ImpairedLink.Stats aToB() { return toB.egress(); }

    /** Counters of the B→A direction. */
    public ImpairedLink.Stats bToA() { return toA.egress(); }

    /** Waits until both forwarding threads have ended (after close or a link failure). */
    public boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
        return stopped.await(timeout, unit);
    }

    /** Stops forwarding and closes both links. */
    @Override
    public void close() throws IOException {
        closing = true;
        IOException first = null;
        for (AutoCloseable c : new AutoCloseable[] {toB, toA}) {
            try {
                c.close(); // closes the inner link too, which wakes the reader blocked on it
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof IOException io ? io : new IOException(e);
                }
            }
        }
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    // ------------------------------------------------------------------ program

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ImpairingRelay: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        PrintStream out = System.out;
        TunDevice ta = TunDevice.open(TunConfig.builder().name(o.tunA).create().mtu(o.mtu).up(false).build());
        TunDevice tb;
        try {
            tb = TunDevice.open(TunConfig.builder().name(o.tunB).create().mtu(o.mtu).up(false).build());
        } catch (IOException e) {
            ta.close();
            throw e;
        }
        PacketLink la = ta, lb = tb;
        if (o.pcapA != null) {
            la = PcapTap.open(ta, Path.of(o.pcapA)); // what side A's kernel sent and (after impairment) received
        }
        if (o.pcapB != null) {
            lb = PcapTap.open(tb, Path.of(o.pcapB));
        }
        ImpairingRelay relay = new ImpairingRelay(la, lb, o.seed, o::apply).start();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            done.countDown();
            shutdown(relay, out);
        }, "usertcp-relay-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("READY " + ta.name() + " " + tb.name() + " " + relay.toB);
        out.flush();
        if (o.stdin) {
            Thread eof = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // wait for end of file
                    }
                } catch (IOException ignored) {
                    // treat as end of file
                }
                done.countDown();
            }, "usertcp-relay-stdin");
            eof.setDaemon(true);
            eof.start();
        }
        if (o.durationSeconds > 0) {
            done.await(o.durationSeconds, TimeUnit.SECONDS);
        } else {
            done.await();
        }
        // Normal end: print stats here (the hook would do it on SIGTERM instead).
        if (Runtime.getRuntime().removeShutdownHook(hook)) {
            shutdown(relay, out);
        }
    }

    private static void shutdown(ImpairingRelay relay, PrintStream out) {
        try {
            relay.close();
        } catch (IOException e) {
            out.println("close: " + e);
        }
        out.println("STATS a>b " + relay.aToB());
        out.println("STATS b>a " + relay.bToA());
        out.flush();
    }

    /** Command-line options. */
    static final class Options {
        static final String USAGE = "usage: ImpairingRelay --tun-a NAME --tun-b NAME [--mtu 1500] [--seed 1] [--loss P]"
                + " [--duplicate P] [--reorder P] [--corrupt P] [--delay-ms MS] [--jitter-ms MS] [--rate-bps BITS]"
                + " [--queue-ms MS] [--duration SECONDS] [--stdin] [--pcap-a FILE] [--pcap-b FILE]";
        String tunA = "rlyA", tunB = "rlyB";
        int mtu = 1500;
        long seed = 1;
        double loss, duplicate, reorder, corrupt;
        double delayMs, jitterMs, queueMs = 100;
        long rateBps;
        long durationSeconds;
        boolean stdin;
        String pcapA, pcapB;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String k = args[i];
                if (k.equals("--stdin")) {
                    o.stdin = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + k);
                }
                String v = args[++i];
                switch (k) {
                    case "--tun-a" -> o.tunA = v;
                    case "--tun-b" -> o.tunB = v;
                    case "--mtu" -> o.mtu = Integer.parseInt(v);
                    case "--seed" -> o.seed = Long.parseLong(v);
                    case "--loss" -> o.loss = Double.parseDouble(v);
                    case "--duplicate" -> o.duplicate = Double.parseDouble(v);
                    case "--reorder" -> o.reorder = Double.parseDouble(v);
                    case "--corrupt" -> o.corrupt = Double.parseDouble(v);
                    case "--delay-ms" -> o.delayMs = Double.parseDouble(v);
                    case "--jitter-ms" -> o.jitterMs = Double.parseDouble(v);
                    case "--rate-bps" -> o.rateBps = Long.parseLong(v);
                    case "--queue-ms" -> o.queueMs = Double.parseDouble(v);
                    case "--duration" -> o.durationSeconds = Long.parseLong(v);
                    case "--pcap-a" -> o.pcapA = v;
                    case "--pcap-b" -> o.pcapB = v;
                    default -> throw new IllegalArgumentException("unknown option " + k);
                }
            }
            return o;
        }

        ImpairedLink.Builder apply(ImpairedLink.Builder b) {
            return b.loss(loss).duplicate(duplicate).reorder(reorder).corrupt(corrupt)
                    .delay(Duration.ofNanos((long) (delayMs * 1e6))).jitter(Duration.ofNanos((long) (jitterMs * 1e6)))
                    .rateLimit(rateBps).queueLimit(Duration.ofNanos((long) (queueMs * 1e6)));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "seed=%d loss=%s dup=%s reorder=%s corrupt=%s delay=%sms jitter=%sms rate=%d",
                    seed, loss, duplicate, reorder, corrupt, delayMs, jitterMs, rateBps);
        }
    }
}
