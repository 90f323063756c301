package io.usertcp.link;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of an in-memory point-to-point link: a packet sent on one end of a {@link #pair} is
 * received on the other (gVisor's {@code pipe}, smoltcp's loopback device).
 *
 * <p>Each end owns a bounded inbound queue. {@link #send} copies the packet into the peer's queue
 * and never blocks; when that queue is full (or the peer is closed) the packet is dropped and
 * counted in the sender's {@link #dropped()}. {@link #close()} closes only this end: its blocked
 * receivers wake with {@link ClosedChannelException}; the peer keeps working but everything it
 * sends from then on is dropped, as on an unplugged cable.
 *
 * <p>Blocking uses a {@link ReentrantLock} and {@link Condition}, so receivers may be virtual
 * threads.
 */
public final class MemoryLink implements PacketLink {

    /** Inbound queue length of each end when none is given. */
    public static final int DEFAULT_QUEUE_PACKETS = 1024;

    /** Both ends of a link. */
    public record Pair(MemoryLink a, MemoryLink b) {}

    private final String name;
    private final int mtu;
    private final int capacity;
    private MemoryLink peer; // set once in pair(), before the ends are published

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>(); // guarded by lock
    private boolean closed;                                         // guarded by lock

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong received = new AtomicLong();

    private MemoryLink(String name, int mtu, int capacity) {
        this.name = name;
        this.mtu = mtu;
        this.capacity = capacity;
    }

    /** A linked pair with the given MTU and {@link #DEFAULT_QUEUE_PACKETS} per direction. */
    public static Pair pair(int mtu) {
        return pair(mtu, DEFAULT_QUEUE_PACKETS);
    }

    /** A linked pair with the given MTU and inbound queue length (packets) per end. */
    public static Pair pair(int mtu, int queuePackets) {
        return pair("mem", mtu, queuePackets);
    }

    /** A linked pair whose ends are called {@code name + "-a"} and {@code name + "-b"}. */
    public static Pair pair(String name, int mtu, int queuePackets) {
        Objects.requireNonNull(name, "name");
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU " + mtu + " out of range 68..65535");
        }
        if (queuePackets < 1) {
            throw new IllegalArgumentException("queue length must be at least 1, got " + queuePackets);
        }
        MemoryLink a = new MemoryLink(name + "-a", mtu, queuePackets);
        MemoryLink b = new MemoryLink(name + "-b", mtu, queuePackets);
        a.peer = b;
        b.peer = a;
        return new Pair(a, b);
    }

    @Override public String name() { return name; }
    @Override public int mtu() { return mtu; }

    /** The other end of this link. */
    public MemoryLink peer() { return peer; }

    /** Packets this end has handed to the peer's queue. */
    public long sent() { return sent.get(); }
    /** Packets this end sent that were dropped (peer queue full or peer closed). */
    public long dropped() { return dropped.get(); }
    /** Packets this end has received. */
    public long received() { return received.get(); }

    /** Packets waiting in this end's inbound queue. */
    public int queued() {
        lock.lock();
        try {
            return inbound.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void send(ByteBuffer packet) throws IOException {
        int len = packet.remaining();
        if (len > mtu) {
            throw new IllegalArgumentException("packet of " + len + " bytes exceeds the MTU " + mtu + " of " + name);
        }
        ensureOpen();
        byte[] copy = new byte[len];
        packet.get(packet.position(), copy, 0, len); // absolute: position and limit unchanged
        if (peer.offer(copy)) {
            sent.incrementAndGet();
        } else {
            dropped.incrementAndGet();
        }
    }

    private boolean offer(byte[] packet) {
        lock.lock();
        try {
            if (closed || inbound.size() >= capacity) {
                return false;
            }
            inbound.addLast(packet);
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        if (dst.capacity() < mtu) {
            throw new IllegalArgumentException("receive buffer of " + dst.capacity() + " bytes is smaller than the MTU " + mtu);
        }
        byte[] p;
        lock.lock();
        try {
            long remaining = Math.max(0, timeoutNanos);
            while (!closed && inbound.isEmpty() && remaining > 0) {
                try {
                    remaining = notEmpty.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for a packet on " + name);
                }
            }
            if (closed) {
                throw new ClosedChannelException();
            }
            p = inbound.pollFirst();
        } finally {
            lock.unlock();
        }
        if (p == null) {
            return 0;
        }
        dst.clear();
        dst.put(0, p);
        dst.position(0).limit(p.length);
        received.incrementAndGet();
        return p.length;
    }

    private void ensureOpen() throws ClosedChannelException {
        lock.lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes this end: wakes its receivers with ClosedChannelException and discards its queue. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            inbound.clear();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "MemoryLink[" + name + ", mtu=" + mtu + "]";
    }
}
