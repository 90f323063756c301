package io.usertcp.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.usertcp.link.ImpairedLink;
import io.usertcp.link.MemoryLink;
import io.usertcp.stack.Stack;
import io.usertcp.stack.TcpSocket;
import io.usertcp.tcp.TcpConfig;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Soak through the fault profile (issue 8 "Faults"): two usertcp stacks joined by a
 * {@link MemoryLink}, each sending through an {@link ImpairedLink} with loss 5 %, reordering 25 %,
 * duplication 1 %, corruption (one flipped bit) 0.1 % and delay 20 ± 10 ms, move data both ways at
 * once on real threads and the system clock; the SHA-256 of what each side sent and what the other
 * received must be equal, for every seed. CI runs {@value #DEFAULT_MIB} MiB each way for seeds 1 and 2
 * at the same time (about a minute); {@code scripts/soak-long.sh} runs 1 GiB each way for several seeds
 * via {@code -Dusertcp.soak.mib} and {@code -Dusertcp.soak.seeds}. Figures go to RELIABILITY.md.
 */
class ImpairedSoakTest {
    static final int DEFAULT_MIB = 4;
    static final int A = 0xC6120001;
    static final int B = 0xC6120002;

    static ImpairedLink impaired(MemoryLink end, long seed) {
        return ImpairedLink.builder(end).seed(seed).loss(0.05).reorder(0.25).duplicate(0.01).corrupt(0.001)
                .delay(Duration.ofMillis(10)).jitter(Duration.ofMillis(20)).build();
    }

    @Test
    void bothWaysThroughLossReorderDuplicationCorruptionAndDelay() throws Exception {
        long mib = Long.getLong("usertcp.soak.mib", DEFAULT_MIB);
        String[] seeds = System.getProperty("usertcp.soak.seeds", "1,2").split(",");
        long timeoutSeconds = 90 + mib * 40;
        List<CompletableFuture<String>> runs = new ArrayList<>();
        for (String s : seeds) {
            long seed = Long.parseLong(s.trim());
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return run(seed, mib << 20);
                } catch (Exception e) {
                    throw new AssertionError("seed " + seed + ": " + e, e);
                }
            }, r -> {
                Thread t = new Thread(r, "soak-seed-" + seed);
                t.setDaemon(true);
                t.start();
            }));
        }
        List<String> failures = new ArrayList<>();
        for (CompletableFuture<String> f : runs) {
            try {
                String figure = f.get(timeoutSeconds, TimeUnit.SECONDS);
                System.out.println(figure);
                Reliability.record(figure);
            } catch (ExecutionException e) {
                failures.add(String.valueOf(e.getCause().getMessage()));
            }
        }
        assertEquals(List.of(), failures);
    }

    static String run(long seed, long bytes) throws Exception {
        MemoryLink.Pair pair = MemoryLink.pair("soak", 1500, 4096);
        TcpConfig config = TcpConfig.DEFAULT.toBuilder().rtoMin(Duration.ofMillis(200)).build();
        ImpairedLink la = impaired(pair.a(), seed);
        ImpairedLink lb = impaired(pair.b(), seed + 1_000_000);
        try (Stack a = Stack.builder().link(la, PeerHarness.inet(A), 24).tcpConfig(config).build();
             Stack b = Stack.builder().link(lb, PeerHarness.inet(B), 24).tcpConfig(config).build()) {
            TcpSocket listener = a.newSocket();
            listener.bind(PeerHarness.inet(A), 9000);
            listener.listen(1);
            TcpSocket client = b.newSocket();
            client.connect(PeerHarness.inet(A), 9000, TimeUnit.SECONDS.toNanos(60));
            TcpSocket server = listener.accept(TimeUnit.SECONDS.toNanos(60));
            long t0 = System.nanoTime();
            CompletableFuture<String> aSent = async(() -> send(server, bytes, seed * 2));
            CompletableFuture<String> bSent = async(() -> send(client, bytes, seed * 2 + 1));
            CompletableFuture<String> aGot = async(() -> receive(server, bytes));
            String bGot = receive(client, bytes);
            long limit = 60 + (bytes >> 20) * 40;
            assertEquals(aSent.get(limit, TimeUnit.SECONDS), bGot, "seed " + seed + ": A → B SHA-256");
            assertEquals(bSent.get(limit, TimeUnit.SECONDS), aGot.get(limit, TimeUnit.SECONDS), "seed " + seed + ": B → A SHA-256");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            String figure = String.format("soak seed %d: %d MiB each way, SHA-256 equal both ways, %d ms "
                    + "(%.2f Mbit/s per direction), retransmits A=%d B=%d, impairments A>%s B>%s",
                    seed, bytes >> 20, ms, bytes * 8.0 / 1000 / Math.max(1, ms),
                    server.info().retransmits(), client.info().retransmits(), la.egress(), lb.egress());
            client.close();
            server.close();
            listener.close();
            assertEquals(0, a.stats().internalErrors());
            assertEquals(0, b.stats().internalErrors());
            return figure;
        }
    }

    interface IoCall<T> {
        T call() throws Exception;
    }

    static <T> CompletableFuture<T> async(IoCall<T> c) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(c.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return f;
    }

    /** Writes {@code bytes} seeded pseudo-random bytes, shuts output down; returns their SHA-256. */
    static String send(TcpSocket s, long bytes, long seed) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] buf = new byte[64 * 1024];
        for (long done = 0; done < bytes; ) {
            int n = (int) Math.min(buf.length, bytes - done);
            for (int i = 0; i < n; i += 8) {
                long v = rnd.nextLong();
                for (int k = 0; k < 8 && i + k < n; k++) {
                    buf[i + k] = (byte) (v >>> (8 * k));
                }
            }
            s.write(buf, 0, n);
            md.update(buf, 0, n);
            done += n;
        }
        s.shutdownOutput();
        return HexFormat.of().formatHex(md.digest());
    }

    /** Reads to EOF; exactly {@code bytes} must come. Returns their SHA-256. */
    static String receive(TcpSocket s, long bytes) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        long got = 0;
        while (true) {
            int n = s.read(buf, 0, buf.length, TimeUnit.SECONDS.toNanos(120));
            if (n < 0) {
                break;
            }
            md.update(buf, 0, n);
            got += n;
        }
        assertEquals(bytes, got, "bytes received before EOF");
        return HexFormat.of().formatHex(md.digest());
    }
}
