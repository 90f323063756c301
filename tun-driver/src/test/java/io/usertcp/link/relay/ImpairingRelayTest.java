package io.usertcp.link.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.ImpairedLink;
import io.usertcp.link.MemoryLink;
import io.usertcp.link.tun.RequiresTun;
import io.usertcp.link.tun.TunConfig;
import io.usertcp.link.tun.TunDevice;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two kernel network stacks in two child namespaces talk UDP through the relay, which runs in
 * this test JVM's namespace. IPv6 is off in the children, so the only packets crossing are the
 * probes and their echoes, and the seeded impairment makes the outcome exact: it must equal what
 * the same ImpairedLink settings do to the same packet sequence in memory.
 */
@RequiresTun
class ImpairingRelayTest {

    static final int PROBES = 200;
    static final double LOSS = 0.2, DUP = 0.05;
    static final long SEED = 42;

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", cmd));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    static List<String> nsenter(Process ns, String... cmd) {
        List<String> l = new ArrayList<>(List.of("nsenter", "--target", Long.toString(ns.pid()), "--net", "--"));
        l.addAll(List.of(cmd));
        return l;
    }

    static List<String> java(Class<?> main, String... args) {
        List<String> l = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java", "-cp",
                System.getProperty("java.class.path"), main.getName()));
        l.addAll(List.of(args));
        return l;
    }

    /** What the relay's two ImpairedLinks do to PROBES probes and the echoes of those that survive. */
    static int expectedEchoes() throws IOException {
        var mem = MemoryLink.pair(1500, 4 * PROBES);
        ImpairedLink ab = ImpairedLink.builder(mem.a()).seed(SEED).loss(LOSS).duplicate(DUP).manual().build();
        ImpairedLink ba = ImpairedLink.builder(mem.b()).seed(SEED + 1).loss(LOSS).duplicate(DUP).manual().build();
        for (int i = 0; i < PROBES; i++) {
            ab.send(ByteBuffer.allocate(60).putInt(0, i));
        }
        ByteBuffer buf = ByteBuffer.allocate(1500);
        List<Integer> atB = new ArrayList<>();
        while (mem.b().receive(buf, 0) > 0) {
            atB.add(buf.getInt(0));
        }
        for (int i : atB) {
            ba.send(ByteBuffer.allocate(60).putInt(0, i)); // every arriving copy is echoed
        }
        java.util.BitSet seen = new java.util.BitSet();
        while (mem.a().receive(buf, 0) > 0) {
            seen.set(buf.getInt(0));
        }
        return seen.cardinality();
    }

    @Test
    void kernelToKernelThroughTheSeededRelayMatchesTheInMemoryImpairment() throws Exception {
        TunDevice a = TunDevice.open(TunConfig.builder().name("rtA").create().up(false).build());
        TunDevice b = TunDevice.open(TunConfig.builder().name("rtB").create().up(false).build());
        Process nsA = new ProcessBuilder("unshare", "--net", "sleep", "60").start();
        Process nsB = new ProcessBuilder("unshare", "--net", "sleep", "60").start();
        Process server = null;
        try (ImpairingRelay relay = new ImpairingRelay(a, b, SEED, x -> x.loss(LOSS).duplicate(DUP)).start()) {
            // unshare execs sleep: wait (bounded) until each child is in its own namespace.
            for (Process ns : List.of(nsA, nsB)) {
                java.nio.file.Path link = java.nio.file.Path.of("/proc", Long.toString(ns.pid()), "ns", "net");
                java.nio.file.Path mine = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/net"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (java.nio.file.Files.readSymbolicLink(link).equals(mine)) {
                    assertTrue(System.nanoTime() < deadline, "child never entered its namespace");
                    Thread.onSpinWait();
                }
            }
            String[][] sides = {{"rtA", "198.18.9.1/24"}, {"rtB", "198.18.9.2/24"}};
            Process[] nss = {nsA, nsB};
            for (int i = 0; i < 2; i++) {
                Process ns = nss[i];
                run(nsenter(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
                        .toArray(String[]::new));
                run("ip", "link", "set", sides[i][0], "netns", Long.toString(ns.pid()));
                run(nsenter(ns, "ip", "link", "set", "lo", "up").toArray(String[]::new));
                run(nsenter(ns, "ip", "addr", "add", sides[i][1], "dev", sides[i][0]).toArray(String[]::new));
                run(nsenter(ns, "ip", "link", "set", sides[i][0], "up").toArray(String[]::new));
            }
            server = new ProcessBuilder(nsenter(nsB, java(UdpEchoTool.class, "server", "198.18.9.2", "7007", "10000").toArray(String[]::new)))
                    .redirectErrorStream(true).start();
            BufferedReader sr = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = sr.readLine()) != null && !line.equals("LISTENING")) {
                // skip JVM warnings
            }
            assertEquals("LISTENING", line);
            String out = run(nsenter(nsA, java(UdpEchoTool.class, "client", "198.18.9.2", "7007", Integer.toString(PROBES), "2")
                    .toArray(String[]::new)).toArray(String[]::new));
            String echoed = out.lines().filter(l -> l.startsWith("ECHOED ")).findFirst().orElseThrow(() -> new AssertionError(out));
            int distinct = Integer.parseInt(echoed.split(" ")[1]);

            ImpairedLink.Stats ab = relay.aToB(), ba = relay.bToA();
            assertEquals(PROBES, ab.sent(), "only the probes crossed A→B: " + ab);
            assertEquals(ab.delivered(), ba.sent(), "every probe that reached B was echoed: " + ba);
            assertEquals(expectedEchoes(), distinct, "the relay applies exactly the seeded ImpairedLink; relay " + ab + " / " + ba);
            assertTrue(ab.dropped() > 0 && ba.dropped() > 0 && distinct < PROBES);
        } finally {
            if (server != null) {
                server.destroyForcibly();
            }
            nsA.destroyForcibly();
            nsB.destroyForcibly();
            a.close();
            b.close();
        }
    }
}
