package io.usertcp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.MemoryLink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class TxRingTest {

    private static void put(TxRing ring, int id, int len) {
        int off = ring.reserve();
        assertTrue(off >= TxRing.HEADROOM, "slot available");
        for (int i = 0; i < len; i++) {
            ring.buffer().put(off + i, (byte) (id + i));
        }
        ring.commit(len);
    }

    private static void expect(MemoryLink b, int id, int len) throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(1500);
        assertEquals(len, b.receive(dst, 0), "packet " + id);
        for (int i = 0; i < len; i++) {
            assertEquals((byte) (id + i), dst.get(i), "packet " + id + " byte " + i);
        }
    }

    @Test
    void packetsLeaveInOrderAndSlotsAreReused() throws IOException {
        MemoryLink.Pair p = MemoryLink.pair(1500, 100);
        TxRing ring = new TxRing(1500, 4, new LongAdder());
        for (int round = 0; round < 5; round++) {
            for (int k = 0; k < 4; k++) {
                put(ring, round * 10 + k, 20 + 300 * k + round);
            }
            assertEquals(-1, ring.reserve(), "full after 4");
            assertEquals(4, ring.pending());
            assertEquals(4, ring.drainTo(p.a()));
            assertTrue(ring.isEmpty());
            for (int k = 0; k < 4; k++) {
                expect(p.b(), round * 10 + k, 20 + 300 * k + round);
            }
        }
        assertEquals(20, ring.sent());
    }

    @Test
    void metadataTravelsWithTheSlotAndBadLengthsAreRejected() {
        TxRing ring = new TxRing(1500, 2, new LongAdder());
        assertEquals(1500, ring.maxPacket());
        ring.reserve();
        assertThrows(IllegalArgumentException.class, () -> ring.commit(1501));
        assertThrows(IllegalArgumentException.class, () -> ring.commit(0));
        io.usertcp.link.GsoInfo g = new io.usertcp.link.GsoInfo().tcp4(20, 32, 1448, 60_000);
        ring.commit(100, g);
        g.clear(); // copied, not kept
        assertEquals(io.usertcp.link.GsoInfo.GSO_TCPV4, ring.metadata(0).gsoType());
        assertEquals(1448, ring.metadata(0).gsoSize());
        ring.reserve();
        ring.commit(100);
        assertTrue(ring.metadata(1).isPlain());
    }

    @Test
    void failedSendsAreCountedAndTheRingGoesOn() throws IOException {
        MemoryLink.Pair p = MemoryLink.pair(1500, 100);
        LongAdder errors = new LongAdder();
        TxRing ring = new TxRing(1500, 8, errors);
        put(ring, 1, 60);
        p.a().close();
        put(ring, 2, 60);
        assertEquals(2, ring.drainTo(p.a()));
        assertEquals(2, errors.sum());
        assertTrue(ring.isEmpty());
    }

    /** One producer and one consumer on two threads (the engine's roles): nothing lost, order kept. */
    @Test
    void concurrentProducerAndConsumerKeepOrder() throws Exception {
        MemoryLink.Pair p = MemoryLink.pair(1500, 200_000);
        TxRing ring = new TxRing(1500, 16, new LongAdder());
        int total = 50_000;
        ReentrantLock drain = new ReentrantLock();
        CountDownLatch done = new CountDownLatch(1);
        Thread consumer = new Thread(() -> {
            while (done.getCount() > 0 || !ring.isEmpty()) {
                drain.lock();
                try {
                    ring.drainTo(p.a());
                } finally {
                    drain.unlock();
                }
                Thread.onSpinWait();
            }
        });
        consumer.start();
        for (int id = 0; id < total; id++) {
            while (ring.reserve() < 0) {
                Thread.onSpinWait();
            }
            int off = ring.reserve();
            ring.buffer().putInt(off, id);
            ring.commit(4 + id % 100);
        }
        done.countDown();
        consumer.join(TimeUnit.SECONDS.toMillis(30));
        ByteBuffer dst = ByteBuffer.allocate(1500);
        for (int id = 0; id < total; id++) {
            assertEquals(4 + id % 100, p.b().receive(dst, 0));
            assertEquals(id, dst.getInt(0));
        }
        assertEquals(0, p.b().receive(dst, 0));
    }
}
