package io.usertcp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.usertcp.link.ImpairedLink;
import io.usertcp.link.MemoryLink;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.wire.Ipv4Header;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stack to stack over {@link MemoryLink#pair} with an {@link ImpairedLink} on each stack's egress:
 * 20 MiB each way at once under 5% loss, 10% reordering and 1% duplication; the SHA-256 of what was
 * sent and what was received must be equal on both ends, for five fixed seeds. Real threads and the
 * system clock; RTO minimum 50 ms (the links have sub-millisecond RTTs) to keep the run short.
 */
class ImpairedTransferTest {

    static final long MIB = 1024 * 1024;
    static final long BYTES = 20 * MIB;
    static final long MS = 1_000_000L;
    static final int A = Ipv4Header.address(198, 18, 0, 2);
    static final int B = Ipv4Header.address(198, 18, 0, 1);

    static TcpConfig config() {
        return TcpConfig.DEFAULT.toBuilder().rtoMin(Duration.ofMillis(50)).build();
    }

    static ImpairedLink impaired(MemoryLink end, long seed) {
        return ImpairedLink.builder(end).seed(seed).loss(0.05).reorder(0.10).duplicate(0.01).build();
    }

    static final long[] SEEDS = {1, 2, 3, 4, 5};

    /**
     * The five seeds run at the same time (each on its own pair of stacks): the runs mostly wait for
     * retransmission timers, so this keeps the wall time near one run's. A failure names its seed.
     */
    @Test
    @Timeout(300)
    void twentyMiBEachWayUnderLossReorderingAndDuplicationFiveSeeds() throws Exception {
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (long seed : SEEDS) {
            runs.add(CompletableFuture.runAsync(() -> {
                try {
                    run(seed);
                } catch (Throwable e) {
                    throw new AssertionError("seed " + seed + ": " + e, e);
                }
            }, r -> {
                Thread t = new Thread(r, "impaired-seed-" + seed);
                t.setDaemon(true);
                t.start();
            }));
        }
        List<String> failures = new ArrayList<>();
        for (CompletableFuture<Void> f : runs) {
            try {
                f.get(280, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failures.add(String.valueOf(e.getCause().getMessage()));
            }
        }
        assertEquals(List.of(), failures);
    }

    static void run(long seed) throws Exception {
        MemoryLink.Pair pair = MemoryLink.pair("imp", 1500, 4096);
        InetAddress addrA = Addresses.toInet(A);
        try (Stack a = Stack.builder().link(impaired(pair.a(), seed), addrA, 24).tcpConfig(config()).build();
             Stack b = Stack.builder().link(impaired(pair.b(), seed + 1000), Addresses.toInet(B), 24)
                     .tcpConfig(config()).build()) {
            TcpSocket listener = a.newSocket();
            listener.bind(null, 9000);
            listener.listen(1);
            TcpSocket client = b.newSocket();
            client.connect(addrA, 9000, 30_000 * MS);
            TcpSocket server = listener.accept(30_000 * MS);

            long t0 = System.nanoTime();
            // Own threads, not the common pool (see Transfers.async).
            CompletableFuture<String> aSent = Transfers.async("a-send-" + seed, () -> {
                String h = Transfers.send(Transfers.sink(server), BYTES, seed * 2);
                server.shutdownOutput();
                return h;
            });
            CompletableFuture<String> bSent = Transfers.async("b-send-" + seed, () -> {
                String h = Transfers.send(Transfers.sink(client), BYTES, seed * 2 + 1);
                client.shutdownOutput();
                return h;
            });
            CompletableFuture<String> aGot = Transfers.async("a-receive-" + seed,
                    () -> Transfers.receive(Transfers.source(server), BYTES));
            String bGot = Transfers.receive(Transfers.source(client), BYTES);
            assertEquals(aSent.get(200, TimeUnit.SECONDS), bGot, "A → B SHA-256");
            assertEquals(bSent.get(200, TimeUnit.SECONDS), aGot.get(200, TimeUnit.SECONDS), "B → A SHA-256");
            long nanos = System.nanoTime() - t0;
            String line = "impaired transfer seed " + seed + ": 20 MiB each way in " + TimeUnit.NANOSECONDS.toMillis(nanos)
                    + " ms (" + Transfers.mbits(BYTES, nanos) + " per direction), retransmits A="
                    + server.info().retransmits() + " B=" + client.info().retransmits();
            System.out.println("[usertcp figures] " + line);
            client.close();
            server.close();
            assertEquals(0, a.stats().internalErrors());
            assertEquals(0, b.stats().internalErrors());
        }
    }
}
