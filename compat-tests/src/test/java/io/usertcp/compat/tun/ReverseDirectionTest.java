package io.usertcp.compat.tun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.usertcp.link.tun.RequiresTun;
import io.usertcp.net.UserTcp;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The reverse direction: plain ServerSocket code on usertcp (198.18.0.2), hit by kernel-side JDK
 * clients (198.18.0.1) over the TUN.
 */
@RequiresTun
@Timeout(120)
class ReverseDirectionTest {
    static UserTcp ut;

    @BeforeAll
    static void stack() throws Exception {
        ut = TunStack.get();
    }

    ServerSocket usertcpServer() throws Exception {
        return ut.serverSocketFactory().createServerSocket(0, 100, TunStack.USERTCP);
    }

    /** A kernel socket (this JVM installs no factory) bound to the kernel side of the TUN. */
    static Socket kernelClient(int port) throws Exception {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(TunStack.KERNEL, 0));
        s.connect(new InetSocketAddress(TunStack.USERTCP, port), 10_000);
        return s;
    }

    @Test
    void kernelClientsGetEchoFromUsertcpServer() throws Exception {
        try (ServerSocket ss = usertcpServer()) {
            int clients = 50;
            CompletableFuture<Integer> served = CompletableFuture.supplyAsync(() -> {
                int n = 0;
                try {
                    for (; n < clients; n++) {
                        try (Socket a = ss.accept()) {
                            assertEquals(TunStack.KERNEL, a.getInetAddress(), "peer is the kernel side");
                            DataInputStream in = new DataInputStream(a.getInputStream());
                            new DataOutputStream(a.getOutputStream()).writeInt(in.readInt() * 3);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("server failed after " + n + " connections", e);
                }
                return n;
            });
            for (int i = 0; i < clients; i++) {
                try (Socket s = kernelClient(ss.getLocalPort())) {
                    assertEquals(TunStack.USERTCP, s.getInetAddress());
                    new DataOutputStream(s.getOutputStream()).writeInt(i);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    assertEquals(i * 3, in.readInt());
                    assertEquals(-1, in.read(), "usertcp server closed after answering");
                }
            }
            assertEquals(clients, served.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void bulkBothWaysWithSha256() throws Exception {
        byte[] up = new byte[8 << 20];
        byte[] down = new byte[8 << 20];
        new Random(8).nextBytes(up);
        new Random(9).nextBytes(down);
        try (ServerSocket ss = usertcpServer()) {
            CompletableFuture<byte[]> server = CompletableFuture.supplyAsync(() -> {
                try (Socket a = ss.accept()) {
                    CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                        try {
                            a.getOutputStream().write(down);
                            a.shutdownOutput();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    byte[] got = a.getInputStream().readAllBytes();
                    w.get(60, TimeUnit.SECONDS);
                    return MessageDigest.getInstance("SHA-256").digest(got);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket s = kernelClient(ss.getLocalPort())) {
                CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                    try {
                        s.getOutputStream().write(up);
                        s.shutdownOutput();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                byte[] got = s.getInputStream().readAllBytes();
                w.get(60, TimeUnit.SECONDS);
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                assertArrayEquals(md.digest(down), MessageDigest.getInstance("SHA-256").digest(got),
                        "kernel client received what usertcp sent");
            }
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(up), server.get(60, TimeUnit.SECONDS),
                    "usertcp server received what the kernel sent");
        }
    }

    @Test
    void manyConcurrentKernelClients() throws Exception {
        int n = 200;
        try (ServerSocket ss = usertcpServer()) {
            ExecutorService handlers = Executors.newFixedThreadPool(8);
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket a = ss.accept();
                        handlers.submit(() -> {
                            try (a) {
                                InputStream in = a.getInputStream();
                                a.getOutputStream().write(in.readNBytes(100));
                            }
                            return null;
                        });
                    }
                } catch (Exception closed) {
                    // listener closed
                }
            }, "usertcp-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            ExecutorService clients = Executors.newFixedThreadPool(16);
            try {
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    byte fill = (byte) i;
                    results.add(clients.submit(() -> {
                        try (Socket s = kernelClient(ss.getLocalPort())) {
                            byte[] msg = new byte[100];
                            java.util.Arrays.fill(msg, fill);
                            s.getOutputStream().write(msg);
                            return java.util.Arrays.equals(msg, s.getInputStream().readAllBytes());
                        }
                    }));
                }
                int ok = 0;
                for (Future<Boolean> f : results) {
                    ok += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertEquals(n, ok);
            } finally {
                clients.shutdownNow();
                handlers.shutdownNow();
            }
        }
    }

    @Test
    void kernelClientRefusedByUsertcp() throws Exception {
        int port;
        try (ServerSocket ss = usertcpServer()) {
            port = ss.getLocalPort();
        }
        ConnectException e = assertThrows(ConnectException.class, () -> kernelClient(port).close());
        assertEquals("Connection refused", e.getMessage());
    }
}
