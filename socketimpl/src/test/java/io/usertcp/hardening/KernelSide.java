package io.usertcp.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Linux side of the fault tests over a TUN: `ip` commands (the tun-tests JVM runs in its own
 * network namespace, so they touch only that namespace), and kernel sockets (plain JDK sockets: no
 * factory is installed in these tests) that load or echo. Everything it opens is closed by
 * {@link #close()}; every thread is a daemon with bounded blocking.
 */
final class KernelSide implements AutoCloseable {

    static final InetAddress KERNEL = address(198, 18, 0, 1);
    static final InetAddress US = address(198, 18, 0, 2);

    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs {@code ip args...} (bounded to 10 s) and fails on a non-zero exit, with its output. */
    static String ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(cmd + " did not finish in 10 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), () -> cmd + " failed: " + out);
        return out;
    }

    /** A kernel listening socket on {@link #KERNEL}, closed with this. */
    ServerSocket listen() throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.bind(new InetSocketAddress(KERNEL, 0));
        open.add(ss);
        return ss;
    }

    /**
     * Accepts connections forever on {@code ss}; each one gets a thread that reads and discards
     * everything and one that writes without end (counted in {@code moved}) — until the socket fails.
     */
    void loadServer(ServerSocket ss, AtomicLong moved) {
        daemon("kernel-accept-load", () -> {
            while (!ss.isClosed()) {
                Socket k = ss.accept();
                open.add(k);
                k.setSoTimeout(60_000);
                daemon("kernel-drain", () -> drain(k.getInputStream(), moved));
                daemon("kernel-pump", () -> pump(k.getOutputStream(), moved));
            }
            return null;
        });
    }

    /** Accepts connections forever on {@code ss}; each one gets back every byte it sends, until EOF. */
    void echoServer(ServerSocket ss) {
        daemon("kernel-accept-echo", () -> {
            while (!ss.isClosed()) {
                Socket k = ss.accept();
                open.add(k);
                k.setSoTimeout(30_000);
                daemon("kernel-echo", () -> {
                    InputStream in = k.getInputStream();
                    OutputStream out = k.getOutputStream();
                    byte[] b = new byte[8192];
                    for (int n; (n = in.read(b)) > 0; ) {
                        out.write(b, 0, n);
                    }
                    k.close();
                    return null;
                });
            }
            return null;
        });
    }

    static Void drain(InputStream in, AtomicLong moved) throws IOException {
        byte[] b = new byte[64 * 1024];
        for (int n; (n = in.read(b)) > 0; ) {
            moved.addAndGet(n);
        }
        return null;
    }

    static Void pump(OutputStream out, AtomicLong moved) throws IOException {
        byte[] b = new byte[64 * 1024];
        while (true) {
            out.write(b);
            moved.addAndGet(b.length);
        }
    }

    interface Body {
        Object run() throws Exception;
    }

    /** Starts {@code body} on a daemon platform thread that ends quietly on any exception. */
    Thread daemon(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Exception e) {
                // the kernel side of a failing test connection: expected
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        return t;
    }

    /** Registers something to close with this. */
    <T extends AutoCloseable> T closeLater(T c) {
        open.add(c);
        return c;
    }

    @Override
    public void close() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
