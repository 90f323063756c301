package io.usertcp.hardening;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A kernel TCP peer in its own process, so that a test can kill it with SIGKILL: {@code main}
 * listens on the given address, prints {@code PORT n}, accepts one connection, prints
 * {@code ACCEPTED}, waits until at least {@code queued} bytes sit unread in its receive queue (then
 * prints {@code QUEUED}), and then does nothing — it never reads and never writes — until killed
 * (or 120 s pass). The parent side is {@link #start}.
 */
public final class KernelPeer implements AutoCloseable {

    public static void main(String[] args) throws Exception {
        InetAddress bind = InetAddress.getByName(args[0]);
        int queued = Integer.parseInt(args[1]);
        try (ServerSocket ss = new ServerSocket()) {
            ss.bind(new InetSocketAddress(bind, 0));
            System.out.println("PORT " + ss.getLocalPort());
            System.out.flush();
            Socket s = ss.accept();
            System.out.println("ACCEPTED");
            System.out.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (s.getInputStream().available() < queued && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            System.out.println("QUEUED " + s.getInputStream().available());
            System.out.flush();
            Thread.sleep(120_000); // a bound in case the parent dies without killing us
        }
    }

    // ------------------------------------------------------------------ parent side

    private final Process process;
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(16);
    final int port;

    private KernelPeer(Process process) throws IOException {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.offer(l);
                }
            } catch (IOException ignored) {
                // the process died
            }
        }, "kernel-peer-stdout");
        reader.setDaemon(true);
        reader.start();
        String first = expect("PORT");
        this.port = Integer.parseInt(first.substring(5).trim());
    }

    /** Starts a peer process bound to {@code bind}; returns once it listens. */
    static KernelPeer start(InetAddress bind, int queued) throws IOException {
        return start(List.of(), bind, queued);
    }

    /** The same, the java command run through {@code prefix} (e.g. {@code nsenter --net=/run/netns/NS}). */
    static KernelPeer start(List<String> prefix, InetAddress bind, int queued) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes;
        try {
            classes = Path.of(KernelPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        List<String> cmd = new java.util.ArrayList<>(prefix);
        cmd.addAll(List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classes,
                KernelPeer.class.getName(), bind.getHostAddress(), Integer.toString(queued)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            return new KernelPeer(p);
        } catch (IOException | RuntimeException | Error e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** Waits (bounded) for the next line, which must start with {@code prefix}. */
    String expect(String prefix) throws IOException {
        String l;
        try {
            l = lines.poll(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (l == null || !l.startsWith(prefix)) {
            throw new IOException("kernel peer: expected " + prefix + ", got " + l);
        }
        return l;
    }

    /** SIGKILL (kill -9), and waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("kernel peer survived SIGKILL");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
