package io.usertcp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.PacketLink;
import io.usertcp.tcp.TcpState;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 7, per-packet cost: steady-state bulk transfer allocates nothing per segment. Two manual-mode
 * stacks joined by an allocation-free link; the test thread is the only thread that runs engine code
 * (socket calls, pump: RX processing, timers, emission, link writes), so its allocated bytes
 * ({@code com.sun.management.ThreadMXBean}) are the engine's.
 */
class AllocationFreeTest {
    static final int A = 0xC6120002, B = 0xC6120001, PORT = 5001;
    static final int MTU = 1500;
    static final Duration STEP = Duration.ofNanos(2_000);

    private final ManualClock clock = new ManualClock();
    private Stack a, b;
    private TcpSocket client, server;
    private final byte[] data = new byte[64 * 1024];
    private final byte[] sink = new byte[64 * 1024];
    private long received;

    /** A point-to-point link pair with preallocated slots: sending and receiving allocate nothing. */
    static final class SlotLink implements PacketLink {
        private final byte[][] slots;
        private final int[] lengths;
        private int head, tail; // single-threaded (manual mode)
        SlotLink peer;
        private boolean closed;

        SlotLink(int capacity) {
            slots = new byte[capacity][MTU];
            lengths = new int[capacity];
        }

        static SlotLink[] pair(int capacity) {
            SlotLink x = new SlotLink(capacity), y = new SlotLink(capacity);
            x.peer = y;
            y.peer = x;
            return new SlotLink[] {x, y};
        }

        @Override public String name() { return "slot"; }
        @Override public int mtu() { return MTU; }

        @Override
        public void send(ByteBuffer packet) throws IOException {
            SlotLink p = peer;
            if (p.tail - p.head == p.slots.length) {
                return; // full: dropped, as a real link would
            }
            int s = p.tail % p.slots.length;
            int len = packet.remaining();
            packet.get(packet.position(), p.slots[s], 0, len);
            p.lengths[s] = len;
            p.tail++;
        }

        @Override
        public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (head == tail) {
                return 0;
            }
            int s = head % slots.length;
            int len = lengths[s];
            dst.clear();
            dst.put(0, slots[s], 0, len);
            dst.position(0).limit(len);
            head++;
            return len;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @BeforeEach
    void connect() throws Exception {
        SlotLink[] links = SlotLink.pair(4096);
        a = Stack.builder().clock(clock).manual().link(links[0], inet(A), 24).build();
        b = Stack.builder().clock(clock).manual().link(links[1], inet(B), 24).build();
        TcpSocket listener = b.newSocket();
        listener.bind(inet(B), PORT);
        listener.listen(4);
        client = a.newSocket();
        // connect blocks: run it on a helper thread while this thread pumps both stacks.
        CompletableFuture<Void> connecting = CompletableFuture.runAsync(() -> {
            try {
                client.connect(inet(B), PORT, TimeUnit.SECONDS.toNanos(20));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!connecting.isDone() && System.nanoTime() < deadline) {
            a.pump();
            b.pump();
            Thread.onSpinWait();
        }
        connecting.get(1, TimeUnit.SECONDS);
        server = listener.accept(TimeUnit.SECONDS.toNanos(5));
        assertEquals(TcpState.ESTABLISHED, server.state());
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    static InetAddress inet(int ip) {
        return Addresses.toInet(ip);
    }

    /** Free room in the client's send buffer (under the lock, as TcpSocket does). */
    private int writable() {
        a.lock.lock();
        try {
            Conn c = a.connection(A, client.localPort(), B, PORT);
            return c == null ? 0 : c.tcp.writableSpace();
        } finally {
            a.lock.unlock();
        }
    }

    /** Moves data client → server until {@code segments} more data segments reached the server. */
    private void transfer(long segments) throws IOException {
        long target = b.stats().segmentsIn() + segments;
        long guard = segments * 50;
        while (b.stats().segmentsIn() < target && guard-- > 0) {
            int room = writable();
            if (room > 0) {
                client.write(data, 0, Math.min(room, data.length)); // fits: does not block
            }
            a.pump();
            b.pump();
            int avail = server.available();
            if (avail > 0) {
                received += server.read(sink, 0, Math.min(avail, sink.length), 0);
            }
            clock.advance(STEP);
        }
        assertTrue(guard > 0, "transfer stalled");
    }

    /** Moves data client → server, both engines pumped by this thread, then checks bytes allocated per segment. */
    @Test
    void bulkTransferAllocatesNothingPerSegment() throws IOException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        transfer(150_000); // warm up: JIT compiles the path (escape analysis needs C2)
        long segs = 100_000;
        long inBefore = b.stats().segmentsIn(), outBefore = b.stats().segmentsOut() + a.stats().segmentsOut();
        long before = mx.getCurrentThreadAllocatedBytes();
        transfer(segs);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        long segments = (b.stats().segmentsIn() - inBefore) + (b.stats().segmentsOut() + a.stats().segmentsOut() - outBefore);
        double perSegment = (double) allocated / segments;
        System.out.printf("AllocationFreeTest: %d bytes over %d segments (data + ACKs, both directions): %.2f bytes/segment%n",
                allocated, segments, perSegment);
        assertTrue(received > 100_000L * 1000, "data moved: " + received);
        assertTrue(perSegment < 1.0, "allocated " + allocated + " bytes for " + segments + " segments = " + perSegment + " bytes/segment");
    }

    /** For profiling with JFR: {@code java -cp ... io.usertcp.stack.AllocationFreeTest$Main}. */
    static final class Main {
        public static void main(String[] args) throws Exception {
            AllocationFreeTest t = new AllocationFreeTest();
            t.connect();
            t.transfer(Long.parseLong(args.length > 0 ? args[0] : "1000000"));
            t.close();
        }
    }
}
