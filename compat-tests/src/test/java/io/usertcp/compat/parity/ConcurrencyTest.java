package io.usertcp.compat.parity;

import io.usertcp.compat.harness.Async;
import io.usertcp.compat.harness.Case;
import io.usertcp.compat.harness.Pair;
import io.usertcp.compat.harness.ProviderTest;
import io.usertcp.compat.harness.SocketProvider;
import io.usertcp.compat.harness.SocketProvider.Capability;
import io.usertcp.compat.harness.VirtualThreads;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Many connections at once; many virtual-thread clients; parallel bulk transfers. */
class ConcurrencyTest {
    static final Duration WAIT = Duration.ofSeconds(120);

    @ProviderTest
    void thousandConcurrentConnections(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            int n = 1000;
            List<Socket> clients = new ArrayList<>();
            Map<Integer, Socket> accepted = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try (ServerSocket ss = q.boundServerSocket(n)) {
                Async.Task<Integer> acceptor = Async.start("acceptor", () -> {
                    for (int i = 0; i < n; i++) {
                        Socket a = ss.accept();
                        accepted.put(a.getPort(), a);
                    }
                    return n;
                });
                SocketAddress addr = ss.getLocalSocketAddress();
                List<Future<Socket>> connects = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    connects.add(pool.submit(() -> q.connect(addr)));
                }
                for (Future<Socket> f : connects) {
                    clients.add(f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
                }
                r.value("acceptor", acceptor.outcome(WAIT));
                int open = 0;
                for (Socket s : clients) {
                    if (s.isConnected() && !s.isClosed() && accepted.containsKey(s.getLocalPort())) {
                        open++;
                    }
                }
                r.value("openAtOnce", open);
                // one request/response on every connection, 16 at a time
                AtomicInteger ok = new AtomicInteger();
                List<Future<?>> exchanges = new ArrayList<>();
                for (Socket s : clients) {
                    exchanges.add(pool.submit(() -> {
                        Socket a = accepted.get(s.getLocalPort());
                        new DataOutputStream(s.getOutputStream()).writeInt(s.getLocalPort());
                        int got = new DataInputStream(a.getInputStream()).readInt();
                        new DataOutputStream(a.getOutputStream()).writeInt(got + 1);
                        if (new DataInputStream(s.getInputStream()).readInt() == s.getLocalPort() + 1) {
                            ok.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : exchanges) {
                    f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                }
                r.value("exchanged", ok.get());
            } finally {
                pool.shutdownNow();
                clients.forEach(Pair::closeQuietly);
                accepted.values().forEach(Pair::closeQuietly);
            }
        }).expect("acceptor", "returned 1000").expect("openAtOnce", 1000).expect("exchanged", 1000);
    }

    @ProviderTest
    void tenThousandVirtualThreadClients(SocketProvider p, Case c) {
        c.requireJdk(21, "virtual threads");
        c.require(p, Capability.VIRTUAL_THREADS);
        c.observe(p, (q, r) -> {
            int n = 10_000;
            // at most 1000 connections open at a time keeps both ends within the fd limit
            Semaphore open = new Semaphore(1000);
            AtomicInteger served = new AtomicInteger();
            AtomicInteger ok = new AtomicInteger();
            List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (ServerSocket ss = q.boundServerSocket(1000)) {
                Thread acceptor = new Thread(() -> {
                    try {
                        while (true) {
                            Socket a = ss.accept();
                            VirtualThreads.start("handler", () -> {
                                try (a) {
                                    int v = new DataInputStream(a.getInputStream()).readInt();
                                    new DataOutputStream(a.getOutputStream()).writeInt(v * 2);
                                    served.incrementAndGet();
                                } catch (IOException e) {
                                    errors.add("server: " + e);
                                }
                            });
                        }
                    } catch (IOException closed) {
                        // the listener was closed: done
                    }
                }, "vt-acceptor");
                acceptor.setDaemon(true);
                acceptor.start();
                SocketAddress addr = ss.getLocalSocketAddress();
                ExecutorService vts = VirtualThreads.newPerTaskExecutor();
                try {
                    for (int i = 0; i < n; i++) {
                        int id = i;
                        vts.submit(() -> {
                            open.acquireUninterruptibly();
                            try (Socket s = q.connect(addr)) {
                                new DataOutputStream(s.getOutputStream()).writeInt(id);
                                DataInputStream in = new DataInputStream(s.getInputStream());
                                if (in.readInt() == id * 2 && in.read() == -1) {
                                    ok.incrementAndGet();
                                }
                            } catch (IOException e) {
                                if (errors.size() < 10) {
                                    errors.add("client " + id + ": " + e);
                                }
                            } finally {
                                open.release();
                            }
                        });
                    }
                } finally {
                    vts.shutdown();
                    if (!vts.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                        errors.add("clients still running after " + WAIT);
                    }
                }
                r.value("ok", ok.get());
                r.value("served", served.get());
                r.value("errors", errors);
            }
        }).expect("ok", 10_000).expect("served", 10_000).expect("errors", "[]");
    }

    @ProviderTest
    void parallelBulkTransfers(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            int pairs = 8;
            int size = 2 << 20;
            List<Pair> ps = new ArrayList<>();
            try {
                for (int i = 0; i < pairs; i++) {
                    ps.add(Pair.open(q));
                }
                List<Async.Task<Long>> readers = new ArrayList<>();
                for (Pair x : ps) {
                    Async.start("writer", () -> {
                        byte[] chunk = new byte[64 * 1024];
                        for (int off = 0; off < size; off += chunk.length) {
                            x.client.getOutputStream().write(chunk);
                        }
                        x.client.shutdownOutput();
                        return null;
                    });
                    readers.add(Async.start("reader", () -> TimeoutsTest.drain(x.accepted.getInputStream())));
                }
                long total = 0;
                for (Async.Task<Long> t : readers) {
                    total += t.join(WAIT);
                }
                r.value("total", total);
            } finally {
                ps.forEach(Pair::close);
            }
        }).expect("total", 8L * (2 << 20));
    }
}
