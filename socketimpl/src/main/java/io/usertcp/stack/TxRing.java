package io.usertcp.stack;

import io.usertcp.link.GsoInfo;
import io.usertcp.link.LinkDownException;
import io.usertcp.link.PacketLink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * The transmit queue of one link: packets the engine emitted under the engine lock, written to the
 * link after the lock is released, so that link syscalls (a TUN {@code write(2)} costs ~2 µs) never
 * run under the engine lock and the application thread and the RX thread can work in parallel.
 *
 * <p>A bounded ring of preallocated slots in one direct buffer (a TUN write then needs no copy and the
 * link sees one {@link ByteBuffer} object, whose native address it can cache). One producer at a time
 * (the thread holding the engine lock) and one consumer at a time (the thread holding the stack's
 * drain lock); {@link #tail} and {@link #head} are the only shared fields, published through
 * {@code volatile}. Packets leave in the order they were queued.
 *
 * <h2>Slot layout (for link offload)</h2>
 * Each slot is {@link #HEADROOM} bytes of headroom followed by the IP packet (at most the link MTU):
 * <pre>
 *   slotOffset(s)                     packetOffset(s) = slotOffset(s) + HEADROOM
 *   | headroom (virtio_net_hdr etc.) | IP packet, length(s) bytes ...               |
 * </pre>
 * plus a preallocated {@link GsoInfo} per slot: the packet's offload metadata ({@code virtio_net_hdr}
 * as fields), plain for an ordinary packet. Whoever produces an offloaded packet (a TSO
 * super-segment, a packet whose checksum the link fills) queues it with {@link #commit(int, GsoInfo)};
 * {@link #drainTo} then calls {@link PacketLink#send(ByteBuffer, GsoInfo)} for it, and plain
 * {@link PacketLink#send(ByteBuffer)} for a plain packet. The engine never touches the headroom: it is
 * there for a link that wants to write its header in front of the packet in place (one write for
 * header and packet, no copy). A slot's size is fixed at construction ({@code HEADROOM + maxPacket}),
 * so a link that carries 64 KiB super-segments needs a ring built with its
 * {@code LinkOffload.maxPacketSize()}.
 */
final class TxRing {
    /** Bytes reserved before each packet for a link header (a 10- or 12-byte virtio_net_hdr fits). */
    static final int HEADROOM = 16;
    /** Direct memory a ring aims at; the slot count is clamped to [MIN_SLOTS, MAX_SLOTS]. */
    static final int TARGET_BYTES = 4 << 20;
    static final int MIN_SLOTS = 64;
    static final int MAX_SLOTS = 1024;

    private final ByteBuffer mem;
    /** The producer's view for writing packets (absolute puts only). */
    private final ByteBuffer fill;
    /** The consumer's view handed to the link: one object, so the link can cache its address. */
    private final ByteBuffer send;
    private final int slotSize;
    private final int slots;
    private final int maxPacket;
    private final int[] lengths;
    private final GsoInfo[] gso;
    /** Next slot to write; written by the producer only. */
    private volatile long tail;
    /** Next slot to send; written by the consumer only. */
    private volatile long head;
    private final LongAdder sendErrors;
    private long sent;           // consumer only
    /** The last LinkDownException since {@link #takeFailure()}; set by the consumer. */
    private volatile LinkDownException failure;
    /**
     * A send worked after the last failure (so the link's latest state is "up"); cleared by
     * {@link #takeRecovered()} and by a later failure.
     */
    private volatile boolean recovered;
    private boolean failedSinceRecovery; // consumer only

    /** A ring for packets of up to {@code maxPacket} bytes; failed sends are counted in {@code sendErrors}. */
    TxRing(int maxPacket, LongAdder sendErrors) {
        this(maxPacket, Math.max(MIN_SLOTS, Math.min(MAX_SLOTS, TARGET_BYTES / (maxPacket + HEADROOM))), sendErrors);
    }

    TxRing(int maxPacket, int slots, LongAdder sendErrors) {
        this.sendErrors = sendErrors;
        if (slots < 1 || maxPacket < 1) {
            throw new IllegalArgumentException("slots " + slots + ", maxPacket " + maxPacket);
        }
        this.maxPacket = maxPacket;
        this.slotSize = (HEADROOM + maxPacket + 63) & ~63;
        this.slots = slots;
        this.mem = ByteBuffer.allocateDirect(slotSize * slots);
        this.fill = mem.duplicate();
        this.send = mem.duplicate();
        this.lengths = new int[slots];
        this.gso = new GsoInfo[slots];
        for (int k = 0; k < slots; k++) {
            gso[k] = new GsoInfo();
        }
    }

    /** The buffer the producer writes packets into, at {@link #reserve()}'s offset (absolute puts). */
    ByteBuffer buffer() {
        return fill;
    }

    /** The largest packet a slot holds. */
    int maxPacket() {
        return maxPacket;
    }

    int capacity() {
        return slots;
    }

    /** Packets queued and not yet handed to the link. */
    int pending() {
        return (int) (tail - head);
    }

    boolean isEmpty() {
        return tail == head;
    }

    /**
     * Producer: the offset in {@link #buffer()} where the next packet goes (after the headroom), or -1
     * when the ring is full. Nothing is queued until {@link #commit}.
     */
    int reserve() {
        long t = tail;
        if (t - head >= slots) {
            return -1;
        }
        return slotOffset(t) + HEADROOM;
    }

    /** Producer: queues the packet written at {@link #reserve()}'s offset. */
    void commit(int length) {
        commit(length, null);
    }

    /** Producer: queues the packet with offload metadata (copied; null = plain), see the class comment. */
    void commit(int length, GsoInfo metadata) {
        if (length < 1 || length > maxPacket) {
            throw new IllegalArgumentException("packet length " + length);
        }
        long t = tail;
        int s = (int) (t % slots);
        lengths[s] = length;
        if (metadata == null) {
            gso[s].clear();
        } else {
            gso[s].copyFrom(metadata);
        }
        tail = t + 1; // volatile write publishes the slot's bytes and metadata
    }

    private int slotOffset(long seq) {
        return (int) (seq % slots) * slotSize;
    }

    /** Offload metadata of the packet queued {@code index} packets after the oldest one (tests). */
    GsoInfo metadata(int index) {
        return gso[(int) ((head + index) % slots)];
    }

    /**
     * Consumer (drain lock held): hands every queued packet to {@code link}, in order, and frees the
     * slots. A failing send is counted and the packet dropped (as a link that drops it would).
     * Returns the number of packets handed over.
     */
    int drainTo(PacketLink link) {
        long h = head;
        long t = tail;
        int n = 0;
        while (h != t) {
            int s = (int) (h % slots);
            int off = s * slotSize + HEADROOM;
            send.limit(off + lengths[s]).position(off);
            try {
                GsoInfo g = gso[s];
                if (g.isPlain()) {
                    link.send(send);
                } else {
                    link.send(send, g);
                }
                sent++;
                if (failedSinceRecovery) {
                    failedSinceRecovery = false;
                    recovered = true;
                }
            } catch (LinkDownException e) {
                // The link's health is the stack's business, under its lock: recorded here, handled
                // by the stack after the drain (Stack#handleLinkEvents).
                sendErrors.increment();
                failure = e;
                recovered = false; // the latest state is "down"
                failedSinceRecovery = true;
            } catch (IOException | RuntimeException e) {
                sendErrors.increment();
            }
            h++;
            n++;
            if ((n & 15) == 0) {
                head = h; // free slots early for a producer that is filling the ring
            }
        }
        head = h;
        return n;
    }

    /** True when a send failure or a recovery is waiting for the stack ({@link #takeFailure}, {@link #takeRecovered}). */
    boolean hasLinkEvents() {
        return failure != null || recovered;
    }

    /** The last {@link LinkDownException} a send threw since the previous call, or null. */
    LinkDownException takeFailure() {
        LinkDownException e = failure;
        if (e != null) {
            failure = null;
        }
        return e;
    }

    /** Whether a send worked after a failure since the previous call. */
    boolean takeRecovered() {
        boolean r = recovered;
        if (r) {
            recovered = false;
        }
        return r;
    }

    /** Packets handed to the link (consumer side). */
    long sent() {
        return sent;
    }
}
