package io.usertcp.compat.parity;

import io.usertcp.compat.harness.Async;
import io.usertcp.compat.harness.Case;
import io.usertcp.compat.harness.Pair;
import io.usertcp.compat.harness.ProviderTest;
import io.usertcp.compat.harness.Recorder;
import io.usertcp.compat.harness.SocketProvider;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

/** Streams: sizes from 1 byte to 16 MiB, read(byte[],off,len) edges, available, EOF, skip. */
class StreamsTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    /** Sends {@code size} seeded-random bytes one way in {@code chunk}-sized writes; checks SHA-256. */
    static void transfer(SocketProvider q, Recorder r, int size, int chunk) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        String want = sha256(data, size);
        try (Pair x = Pair.open(q)) {
            OutputStream out = x.client.getOutputStream();
            Async.Task<Void> writer = Async.start("writer", () -> {
                for (int off = 0; off < size; off += chunk) {
                    out.write(data, off, Math.min(chunk, size - off));
                }
                x.client.shutdownOutput();
                return null;
            });
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            InputStream in = x.accepted.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) != -1; ) {
                md.update(buf, 0, n);
                total += n;
            }
            r.value("writer", writer.outcome(WAIT));
            r.value("received", total);
            r.value("sha256Matches", HexFormat.of().formatHex(md.digest()).equals(want));
        }
    }

    static String sha256(byte[] b, int len) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(b, 0, len);
        return HexFormat.of().formatHex(md.digest());
    }

    @ProviderTest
    void transfer1Byte(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> transfer(q, r, 1, 1))
                .expect("writer", "returned null").expect("received", 1).expect("sha256Matches", true);
    }

    @ProviderTest
    void transfer1000Bytes(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> transfer(q, r, 1000, 1000))
                .expect("received", 1000).expect("sha256Matches", true);
    }

    @ProviderTest
    void transfer64KiBIn7ByteWrites(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> transfer(q, r, 64 * 1024, 7))
                .expect("received", 64 * 1024).expect("sha256Matches", true);
    }

    @ProviderTest
    void transfer1MiB(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> transfer(q, r, 1 << 20, 1 << 20))
                .expect("received", 1 << 20).expect("sha256Matches", true);
    }

    @ProviderTest
    void transfer16MiB(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> transfer(q, r, 16 << 20, 256 * 1024))
                .expect("writer", "returned null").expect("received", 16 << 20).expect("sha256Matches", true);
    }

    @ProviderTest
    void transferBothWaysAtOnce(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            int size = 4 << 20;
            byte[] a = new byte[size];
            byte[] b = new byte[size];
            new Random(1).nextBytes(a);
            new Random(2).nextBytes(b);
            try (Pair x = Pair.open(q)) {
                Async.Task<Void> w1 = Async.start("w1", () -> {
                    x.client.getOutputStream().write(a);
                    x.client.shutdownOutput();
                    return null;
                });
                Async.Task<Void> w2 = Async.start("w2", () -> {
                    x.accepted.getOutputStream().write(b);
                    x.accepted.shutdownOutput();
                    return null;
                });
                Async.Task<byte[]> r1 = Async.start("r1", () -> x.accepted.getInputStream().readAllBytes());
                Async.Task<byte[]> r2 = Async.start("r2", () -> x.client.getInputStream().readAllBytes());
                r.value("aArrived", Arrays.equals(a, r1.join(WAIT)));
                r.value("bArrived", Arrays.equals(b, r2.join(WAIT)));
                r.value("w1", w1.outcome(WAIT));
                r.value("w2", w2.outcome(WAIT));
            }
        }).expect("aArrived", true).expect("bArrived", true).expect("w1", "returned null").expect("w2", "returned null");
    }

    @ProviderTest
    void singleByteWrites(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                OutputStream out = x.client.getOutputStream();
                for (int i = 0; i < 1000; i++) {
                    out.write(i);
                }
                x.client.shutdownOutput();
                byte[] got = x.accepted.getInputStream().readAllBytes();
                boolean ok = got.length == 1000;
                for (int i = 0; ok && i < 1000; i++) {
                    ok = got[i] == (byte) i;
                }
                r.value("ok", ok);
            }
        }).expect("ok", true);
    }

    @ProviderTest
    void readSingleByteIsUnsigned(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.getOutputStream().write(new byte[] {(byte) 0xFF, 0, (byte) 0x80});
                InputStream in = x.accepted.getInputStream();
                r.call("b1", in::read);
                r.call("b2", in::read);
                r.call("b3", in::read);
            }
        }).expect("b1", 255).expect("b2", 0).expect("b3", 128);
    }

    @ProviderTest
    void readZeroLengthReturnsZero(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                r.call("read", () -> x.accepted.getInputStream().read(new byte[10], 0, 0));
                r.call("readEmptyArray", () -> x.accepted.getInputStream().read(new byte[0]));
            }
        }).expect("read", 0).expect("readEmptyArray", 0);
    }

    @ProviderTest
    void readIntoOffset(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.getOutputStream().write(new byte[] {1, 2, 3, 4});
                x.client.shutdownOutput();
                byte[] b = new byte[10];
                InputStream in = x.accepted.getInputStream();
                int total = 0;
                for (int n; total < 4 && (n = in.read(b, 3 + total, 4 - total)) > 0; ) {
                    total += n;
                }
                r.value("total", total);
                r.value("buffer", Arrays.toString(b));
            }
        }).expect("total", 4).expect("buffer", "[0, 0, 0, 1, 2, 3, 4, 0, 0, 0]");
    }

    @ProviderTest
    void readLenLargerThanAvailable(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.getOutputStream().write(new byte[] {9, 8, 7});
                byte[] b = new byte[100];
                InputStream in = x.accepted.getInputStream();
                int total = 0;
                while (total < 3) {
                    int n = in.read(b, total, 100 - total);
                    if (n <= 0 || n > 3) {
                        r.value("badCount", n);
                        break;
                    }
                    total += n;
                }
                r.value("total", total);
                r.value("first", Arrays.toString(Arrays.copyOf(b, 4)));
            }
        }).expect("total", 3).expect("first", "[9, 8, 7, 0]");
    }

    @ProviderTest
    void readOffLenOutOfBounds(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                InputStream in = x.accepted.getInputStream();
                byte[] b = new byte[10];
                r.call("negOff", () -> in.read(b, -1, 4));
                r.call("negLen", () -> in.read(b, 0, -1));
                r.call("tooLong", () -> in.read(b, 8, 4));
                r.call("offPastEnd", () -> in.read(b, 11, 0));
                r.call("offAtEndZeroLen", () -> in.read(b, 10, 0));
                try {
                    in.read(null, 0, 1);
                    r.value("null", "no exception");
                } catch (NullPointerException e) {
                    r.value("null", "NullPointerException");
                }
            }
        }).expect("negOff", "java.lang.IndexOutOfBoundsException: Range [-1, -1 + 4) out of bounds for length 10")
                .expect("negLen", "java.lang.IndexOutOfBoundsException: Range [0, 0 + -1) out of bounds for length 10")
                .expect("tooLong", "java.lang.IndexOutOfBoundsException: Range [8, 8 + 4) out of bounds for length 10")
                .expect("offPastEnd", "java.lang.IndexOutOfBoundsException: Range [11, 11 + 0) out of bounds for length 10")
                .expect("offAtEndZeroLen", 0)
                .expect("null", "NullPointerException");
    }

    @ProviderTest
    void writeOffLenOutOfBounds(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                OutputStream out = x.client.getOutputStream();
                byte[] b = new byte[10];
                r.run("negOff", () -> out.write(b, -1, 4));
                r.run("tooLong", () -> out.write(b, 8, 4));
                r.run("zero", () -> out.write(b, 10, 0));
                try {
                    out.write(null, 0, 1);
                    r.value("null", "no exception");
                } catch (NullPointerException e) {
                    r.value("null", "NullPointerException");
                }
                x.client.shutdownOutput();
                r.call("peerGotNothing", () -> x.accepted.getInputStream().read());
            }
        }).expect("negOff", "java.lang.IndexOutOfBoundsException: Range [-1, -1 + 4) out of bounds for length 10")
                .expect("tooLong", "java.lang.IndexOutOfBoundsException: Range [8, 8 + 4) out of bounds for length 10")
                .expect("zero", "ok").expect("null", "NullPointerException").expect("peerGotNothing", -1);
    }

    @ProviderTest
    void availableCountsBufferedBytes(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                InputStream in = x.accepted.getInputStream();
                r.call("initially", in::available);
                x.client.getOutputStream().write(new byte[100]);
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (in.available() < 100 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                r.call("after100", in::available);
                in.read(new byte[40]);
                r.call("after40read", in::available);
            }
        }).expect("initially", 0).expect("after100", 100).expect("after40read", 60);
    }

    @ProviderTest
    void availableAtEof(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.close();
                InputStream in = x.accepted.getInputStream();
                r.call("read", in::read);
                r.call("available", in::available);
            }
        }).expect("read", -1).expect("available", 0);
    }

    @ProviderTest
    void eofIsSticky(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.getOutputStream().write(5);
                x.client.close();
                InputStream in = x.accepted.getInputStream();
                r.call("data", in::read);
                r.call("eof1", in::read);
                r.call("eof2", in::read);
                r.call("eofArray", () -> in.read(new byte[10]));
                r.state("state", x.accepted);
            }
        }).expect("data", 5).expect("eof1", -1).expect("eof2", -1).expect("eofArray", -1)
                .expect("state", "bound=true connected=true closed=false inShut=false outShut=false");
    }

    @ProviderTest
    void eofSurvivesLocalClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.close();
                InputStream in = x.accepted.getInputStream();
                r.call("eof", in::read);
                x.accepted.close();
                // NioSocketImpl: "emulate legacy behavior to return -1, even if socket is closed"
                r.call("afterClose", in::read);
            }
        }).expect("eof", -1).expect("afterClose", -1);
    }

    @ProviderTest
    void readAfterLocalClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                InputStream in = x.accepted.getInputStream();
                x.client.getOutputStream().write(1);
                x.accepted.close();
                r.call("read", in::read);
                r.call("readArray", () -> in.read(new byte[4]));
                r.call("readZero", () -> in.read(new byte[4], 0, 0));
                r.call("available", in::available);
            }
        }).expect("read", "java.net.SocketException: Socket closed")
                .expect("readArray", "java.net.SocketException: Socket closed")
                .expect("readZero", 0)
                .expect("available", "java.net.SocketException: Socket closed");
    }

    @ProviderTest
    void writeAfterLocalClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                OutputStream out = x.client.getOutputStream();
                x.client.close();
                r.run("write", () -> out.write(1));
                r.run("writeArray", () -> out.write(new byte[4]));
                r.run("flush", out::flush);
            }
        }).expect("write", "java.net.SocketException: Socket closed")
                .expect("writeArray", "java.net.SocketException: Socket closed")
                .expect("flush", "ok");
    }

    @ProviderTest
    void skipBytes(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                byte[] d = new byte[20];
                for (int i = 0; i < 20; i++) {
                    d[i] = (byte) i;
                }
                x.client.getOutputStream().write(d);
                x.client.shutdownOutput();
                InputStream in = x.accepted.getInputStream();
                long skipped = 0;
                while (skipped < 10) {
                    long n = in.skip(10 - skipped);
                    if (n <= 0) {
                        break;
                    }
                    skipped += n;
                }
                r.value("skipped", skipped);
                r.call("next", in::read);
                r.call("skipRest", () -> in.skip(100));
                r.call("skipAtEof", () -> in.skip(5));
                r.call("skipNegative", () -> in.skip(-1));
            }
        }).expect("skipped", 10).expect("next", 10).expect("skipRest", 9).expect("skipAtEof", 0)
                .expect("skipNegative", 0);
    }

    @ProviderTest
    void readAllBytesAndNBytes(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.getOutputStream().write("hello, world".getBytes());
                x.client.shutdownOutput();
                InputStream in = x.accepted.getInputStream();
                r.value("first5", new String(in.readNBytes(5)));
                r.value("rest", new String(in.readAllBytes()));
            }
        }).expect("first5", "hello").expect("rest", ", world");
    }

    @ProviderTest
    void transferTo(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                byte[] d = new byte[300_000];
                new Random(3).nextBytes(d);
                Async.Task<Void> w = Async.start("writer", () -> {
                    x.client.getOutputStream().write(d);
                    x.client.close();
                    return null;
                });
                ByteArrayOutputStream sink = new ByteArrayOutputStream();
                r.call("transferred", () -> x.accepted.getInputStream().transferTo(sink));
                r.value("equal", Arrays.equals(d, sink.toByteArray()));
                r.value("writer", w.outcome(WAIT));
            }
        }).expect("transferred", 300_000).expect("equal", true);
    }

    @ProviderTest
    void pingPong1000(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.setTcpNoDelay(true);
                x.accepted.setTcpNoDelay(true);
                Async.Task<Integer> echo = Async.start("echo", () -> {
                    InputStream in = x.accepted.getInputStream();
                    OutputStream out = x.accepted.getOutputStream();
                    int n = 0;
                    for (int b; (b = in.read()) != -1; n++) {
                        out.write(b + 1);
                    }
                    return n;
                });
                InputStream in = x.client.getInputStream();
                OutputStream out = x.client.getOutputStream();
                int good = 0;
                for (int i = 0; i < 1000; i++) {
                    out.write(i & 0x7F);
                    if (in.read() == (i & 0x7F) + 1) {
                        good++;
                    }
                }
                x.client.shutdownOutput();
                r.value("good", good);
                r.value("echoed", echo.outcome(WAIT));
            }
        }).expect("good", 1000).expect("echoed", "returned 1000");
    }

    @ProviderTest
    void streamsAreSameInstance(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                r.value("in", x.client.getInputStream() == x.client.getInputStream());
                r.value("out", x.client.getOutputStream() == x.client.getOutputStream());
            }
        }).expect("in", true).expect("out", true);
    }

    @ProviderTest
    void inputStreamCloseClosesSocket(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.getInputStream().close();
                r.state("state", x.accepted);
                r.call("peerRead", () -> x.client.getInputStream().read());
            }
        }).expect("state", "bound=true connected=true closed=true inShut=false outShut=false").expect("peerRead", -1);
    }

    @ProviderTest
    void outputStreamCloseClosesSocket(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.getOutputStream().close();
                r.state("state", x.accepted);
                r.call("peerRead", () -> x.client.getInputStream().read());
            }
        }).expect("state", "bound=true connected=true closed=true inShut=false outShut=false").expect("peerRead", -1);
    }
}
