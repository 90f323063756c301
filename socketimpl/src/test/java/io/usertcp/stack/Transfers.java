package io.usertcp.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** Bulk transfers with SHA-256 on both ends, for usertcp sockets and for plain (kernel) sockets. */
final class Transfers {

    static final int CHUNK = 64 * 1024;
    static final long READ_TIMEOUT_NANOS = 60_000_000_000L;

    private Transfers() {}

    /** Byte source writing {@code total} pseudo-random bytes (seeded) and hashing them. */
    interface Sink {
        void write(byte[] b, int off, int len) throws IOException;
    }

    interface Source {
        int read(byte[] b, int off, int len) throws IOException;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Writes {@code total} seeded pseudo-random bytes; returns their SHA-256 (hex). */
    static String send(Sink out, long total, long seed) throws IOException {
        MessageDigest md = sha256();
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] buf = new byte[CHUNK];
        long left = total;
        while (left > 0) {
            int n = (int) Math.min(buf.length, left);
            for (int i = 0; i < n; i += 8) {
                long v = rnd.nextLong();
                for (int k = 0; k < 8 && i + k < n; k++) {
                    buf[i + k] = (byte) (v >>> (8 * k));
                }
            }
            md.update(buf, 0, n);
            out.write(buf, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Reads to EOF; returns the SHA-256 (hex) and checks the byte count. */
    static String receive(Source in, long expected) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[CHUNK];
        long got = 0;
        for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
            md.update(buf, 0, n);
            got += n;
        }
        if (got != expected) {
            throw new IOException("received " + got + " bytes, expected " + expected);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Runs {@code task} on its own daemon platform thread. Transfers never use
     * {@code CompletableFuture.supplyAsync}'s default executor: on JDK 21+ that is the common pool
     * even when its parallelism is 1 (2 CPUs), and a task blocked in a kernel socket call (no
     * compensation, unlike a Condition wait) keeps every task queued behind it from running — the
     * reader it waits for among them (KernelInteropTest hung forever on JDK 25 with 2 cores).
     */
    static <T> CompletableFuture<T> async(String name, Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return f;
    }

    static Sink sink(TcpSocket s) {
        return s::write;
    }

    static Source source(TcpSocket s) {
        return (b, off, len) -> s.read(b, off, len, READ_TIMEOUT_NANOS);
    }

    static Sink sink(OutputStream out) {
        return out::write;
    }

    static Source source(InputStream in) {
        return in::read;
    }

    static String mbits(long bytes, long nanos) {
        return String.format("%.1f Mbit/s", bytes * 8.0 / (nanos / 1e9) / 1e6);
    }
}
