package io.usertcp.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryLinkTest {

    private static ByteBuffer packet(int... bytes) {
        ByteBuffer b = ByteBuffer.allocate(bytes.length);
        for (int x : bytes) {
            b.put((byte) x);
        }
        return b.flip();
    }

    @Test
    void packetSentOnOneEndIsReceivedOnTheOther() throws Exception {
        var pair = MemoryLink.pair(1500);
        ByteBuffer p = packet(0x45, 1, 2, 3);
        pair.a().send(p);
        assertEquals(0, p.position(), "send leaves position");
        assertEquals(4, p.limit(), "send leaves limit");

        ByteBuffer dst = ByteBuffer.allocateDirect(1500);
        dst.position(7);
        assertEquals(4, pair.b().receive(dst, 0));
        assertEquals(0, dst.position());
        assertEquals(4, dst.limit());
        byte[] got = new byte[4];
        dst.get(got);
        assertArrayEquals(new byte[] {0x45, 1, 2, 3}, got);

        pair.b().send(packet(9));
        assertEquals(1, pair.a().receive(dst, 0));
        assertEquals(9, dst.get(0));
        assertEquals(1, pair.a().sent());
        assertEquals(1, pair.b().received());
    }

    @Test
    void sendCopiesThePacket() throws Exception {
        var pair = MemoryLink.pair(100);
        ByteBuffer p = packet(1, 2, 3);
        pair.a().send(p);
        p.put(0, (byte) 77);
        ByteBuffer dst = ByteBuffer.allocate(100);
        pair.b().receive(dst, 0);
        assertEquals(1, dst.get(0));
    }

    @Test
    void sendsOnlyFromPositionToLimit() throws Exception {
        var pair = MemoryLink.pair(100);
        ByteBuffer p = packet(1, 2, 3, 4, 5);
        p.position(1).limit(4);
        pair.a().send(p);
        ByteBuffer dst = ByteBuffer.allocate(100);
        assertEquals(3, pair.b().receive(dst, 0));
        assertEquals(2, dst.get(0));
        assertEquals(4, dst.get(2));
        assertEquals(1, p.position());
        assertEquals(4, p.limit());
    }

    @Test
    void keepsOrder() throws Exception {
        var pair = MemoryLink.pair(100);
        for (int i = 0; i < 10; i++) {
            pair.a().send(packet(i));
        }
        ByteBuffer dst = ByteBuffer.allocate(100);
        for (int i = 0; i < 10; i++) {
            pair.b().receive(dst, 0);
            assertEquals(i, dst.get(0));
        }
    }

    @Test
    void timeoutReturnsZero() throws Exception {
        var pair = MemoryLink.pair(100);
        ByteBuffer dst = ByteBuffer.allocate(100);
        assertEquals(0, pair.b().receive(dst, 0));
        assertEquals(0, pair.b().receive(dst, TimeUnit.MILLISECONDS.toNanos(1)));
    }

    @Test
    void fullQueueDropsAndCounts() throws Exception {
        var pair = MemoryLink.pair(100, 3);
        for (int i = 0; i < 5; i++) {
            pair.a().send(packet(i));
        }
        assertEquals(3, pair.a().sent());
        assertEquals(2, pair.a().dropped());
        assertEquals(3, pair.b().queued());
        ByteBuffer dst = ByteBuffer.allocate(100);
        for (int i = 0; i < 3; i++) {
            pair.b().receive(dst, 0);
            assertEquals(i, dst.get(0), "the first packets are kept, the late ones dropped");
        }
        assertEquals(0, pair.b().receive(dst, 0));
    }

    @Test
    void rejectsOversizedPacketsAndSmallBuffers() {
        var pair = MemoryLink.pair(100);
        assertThrows(IllegalArgumentException.class, () -> pair.a().send(ByteBuffer.allocate(101)));
        assertThrows(IllegalArgumentException.class, () -> pair.b().receive(ByteBuffer.allocate(99), 0));
    }

    @Test
    void blockedReceiverGetsPacketSentLater() throws Exception {
        var pair = MemoryLink.pair(100);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Integer> f = CompletableFuture.supplyAsync(() -> {
            try {
                started.countDown();
                ByteBuffer dst = ByteBuffer.allocate(100);
                int n = pair.b().receive(dst, TimeUnit.SECONDS.toNanos(30));
                return n == 0 ? -1 : (int) dst.get(0);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        started.await();
        pair.a().send(packet(42));
        assertEquals(42, f.get(30, TimeUnit.SECONDS));
    }

    @Test
    void closeWakesBlockedReceiverWithClosedChannelException() throws Exception {
        var pair = MemoryLink.pair(100);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Throwable> f = new CompletableFuture<>();
        Thread rx = new Thread(() -> {
            try {
                started.countDown();
                pair.b().receive(ByteBuffer.allocate(100), Long.MAX_VALUE);
                f.complete(null);
            } catch (Throwable e) {
                f.complete(e);
            }
        });
        rx.start();
        started.await();
        // Wait until the receiver is really parked on the condition before closing.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (rx.getState() != Thread.State.WAITING && rx.getState() != Thread.State.TIMED_WAITING
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        pair.b().close();
        Throwable thrown = f.get(30, TimeUnit.SECONDS);
        assertTrue(thrown instanceof ClosedChannelException, "got " + thrown);
        assertThrows(ClosedChannelException.class, () -> pair.b().send(packet(1)));
        // The peer still works, but what it sends into the closed end is dropped.
        pair.a().send(packet(1));
        assertEquals(1, pair.a().dropped());
    }
}
