package io.usertcp.link;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A decorator that impairs any {@link PacketLink}: loss, duplication, reordering, corruption (one
 * flipped bit), delay with jitter and a rate limit with a bounded queue — what netem does, for
 * kernels without it (smoltcp's {@code FaultInjector}, gVisor's link decorators).
 *
 * <p><b>Seeded.</b> Every decision comes from a {@link SplittableRandom} seeded by the builder
 * (one stream per direction), and draws happen in a fixed order per packet, so the same seed and
 * the same packet sequence give exactly the same drops, duplicates, reorderings and flipped bits:
 * a failing run replays. The seed is in {@link #toString()}.
 *
 * <p><b>Per packet</b>, in order: <i>loss</i> (drop with probability {@code loss}); <i>corruption</i>
 * (flip one uniformly chosen bit); <i>duplication</i> (send twice); <i>reordering</i> (hold the
 * packet back and release it right after the next packet, or after {@code reorderHold} if none
 * comes); <i>rate limit</i> (the packet waits until the previous ones have been serialised at
 * {@code rateBitsPerSecond}; when the backlog exceeds {@code queueLimit} it is tail-dropped); then
 * <i>delay</i> plus a uniform {@code [0, jitter]}. Delivery order is otherwise kept (jitter
 * alone never reorders, as on one real path).
 *
 * <p><b>Directions.</b> By default only packets sent through this link (egress) are impaired;
 * {@link Builder#direction} can add the receive direction (or choose it alone). Delayed egress
 * packets are released by one internal daemon thread per link (started on first need); delayed
 * ingress packets are released by the receiving thread. In {@link Builder#manual() manual} mode no
 * thread is started and the caller releases due egress packets with {@link #releaseDue()}, for
 * tests driven by an injected clock.
 *
 * <p>Thread-safe. The inner link's {@code send} is called with this link's lock held, which keeps
 * delivery order; {@code PacketLink.send} never blocks for long, so that is safe.
 */
public final class ImpairedLink implements PacketLink {

    /** Which directions are impaired. */
    public enum Direction {
        /** Packets passed to {@link #send} (the default). */
        EGRESS,
        /** Packets returned from {@link #receive}. */
        INGRESS,
        /** Both. */
        BOTH;

        boolean egress() { return this != INGRESS; }
        boolean ingress() { return this != EGRESS; }
    }

    /**
     * A snapshot of one direction's counters: {@code sent} packets came in; {@code dropped} were lost
     * on purpose, {@code queueDropped} tail-dropped by the rate limiter's queue, {@code sendErrors}
     * refused by the inner link; {@code delivered} went out (duplicates included). Once nothing is
     * waiting: {@code delivered = sent - dropped - queueDropped - sendErrors + duplicated}.
     */
    public record Stats(long sent, long delivered, long dropped, long queueDropped, long sendErrors, long duplicated,
                        long reordered, long corrupted, long delayed) {
        @Override
        public String toString() {
            return "sent=" + sent + " delivered=" + delivered + " dropped=" + dropped + " queueDropped=" + queueDropped
                    + " sendErrors=" + sendErrors + " duplicated=" + duplicated + " reordered=" + reordered
                    + " corrupted=" + corrupted + " delayed=" + delayed;
        }
    }

    private static final System.Logger LOG = System.getLogger(ImpairedLink.class.getName());

    private final PacketLink inner;
    private final long seed;
    private final Direction direction;
    private final double loss, duplicate, reorder, corrupt;
    private final long delayNanos, jitterNanos, reorderHoldNanos;
    private final long rateBitsPerSecond, queueLimitNanos;
    private final LongSupplier clock;
    private final boolean manual;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Path egress;  // guarded by lock
    private final Path ingress; // guarded by lock
    private boolean closed;     // guarded by lock
    private Thread scheduler;   // guarded by lock

    private ImpairedLink(Builder b) {
        this.inner = b.inner;
        this.seed = b.seed;
        this.direction = b.direction;
        this.loss = b.loss;
        this.duplicate = b.duplicate;
        this.reorder = b.reorder;
        this.corrupt = b.corrupt;
        this.delayNanos = b.delayNanos;
        this.jitterNanos = b.jitterNanos;
        this.reorderHoldNanos = b.reorderHoldNanos;
        this.rateBitsPerSecond = b.rateBitsPerSecond;
        this.queueLimitNanos = b.queueLimitNanos;
        this.clock = b.clock;
        this.manual = b.manual;
        SplittableRandom root = new SplittableRandom(seed);
        this.egress = new Path(root.split());
        this.ingress = new Path(root.split());
    }

    /** A builder wrapping {@code inner}; with no impairment set, the link passes everything through. */
    public static Builder builder(PacketLink inner) {
        return new Builder(inner);
    }

    @Override public String name() { return inner.name(); }
    @Override public int mtu() { return inner.mtu(); }
    @Override public boolean isUp() { return inner.isUp(); }

    /** The wrapped link. */
    public PacketLink inner() { return inner; }

    public long seed() { return seed; }

    /** Counters of the send direction (all zero but {@code sent}/{@code delivered} when it is not impaired). */
    public Stats egress() {
        lock.lock();
        try {
            return egress.stats();
        } finally {
            lock.unlock();
        }
    }

    /** Counters of the receive direction. */
    public Stats ingress() {
        lock.lock();
        try {
            return ingress.stats();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ egress

    @Override
    public void send(ByteBuffer packet) throws IOException {
        if (!direction.egress()) {
            inner.send(packet);
            return;
        }
        int len = packet.remaining();
        lock.lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            long now = clock.getAsLong();
            byte[] copy = new byte[len];
            packet.get(packet.position(), copy, 0, len);
            egress.accept(copy, now);
            forwardDue(now);
            if (!manual && egress.hasPending()) {
                ensureScheduler();
                work.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sends every egress packet whose time has come (manual mode; harmless otherwise). Returns how many. */
    public int releaseDue() throws IOException {
        lock.lock();
        try {
            return forwardDue(clock.getAsLong());
        } finally {
            lock.unlock();
        }
    }

    /** Packets waiting in the egress delay queue or held for reordering. */
    public int pendingEgress() {
        lock.lock();
        try {
            return egress.queue.size() + (egress.held != null ? 1 : 0);
        } finally {
            lock.unlock();
        }
    }

    /** The time (clock nanos) of the next egress release, or Long.MAX_VALUE when nothing waits. */
    public long nextEgressRelease() {
        lock.lock();
        try {
            return egress.nextRelease();
        } finally {
            lock.unlock();
        }
    }

    private int forwardDue(long now) throws IOException {
        int n = 0;
        egress.releaseHeldIfExpired(now);
        Entry e;
        while ((e = egress.pollDue(now)) != null) {
            try {
                inner.send(ByteBuffer.wrap(e.data));
                egress.delivered++;
                n++;
            } catch (ClosedChannelException c) {
                throw c;
            } catch (IOException | RuntimeException ex) {
                egress.sendErrors++;
                LOG.log(System.Logger.Level.DEBUG, () -> "impaired link " + name() + ": inner send failed: " + ex);
            }
        }
        return n;
    }

    private void ensureScheduler() {
        if (scheduler == null) {
            scheduler = new Thread(this::runScheduler, "usertcp-impair-" + inner.name());
            scheduler.setDaemon(true);
            scheduler.start();
        }
    }

    private void runScheduler() {
        lock.lock();
        try {
            while (!closed) {
                long now = clock.getAsLong();
                try {
                    forwardDue(now);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "impaired link " + name() + ": scheduler stops: " + e);
                    return;
                }
                long next = egress.nextRelease();
                try {
                    if (next == Long.MAX_VALUE) {
                        work.await();
                    } else {
                        long wait = next - clock.getAsLong();
                        if (wait > 0) {
                            work.awaitNanos(wait);
                        }
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ ingress

    @Override
    public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        if (!direction.ingress()) {
            return inner.receive(dst, timeoutNanos);
        }
        long start = System.nanoTime();
        for (;;) {
            int n = takeDueIngress(dst);
            if (n > 0) {
                return n;
            }
            long nextDue;
            lock.lock();
            try {
                long next = ingress.nextRelease();
                nextDue = next == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, next - clock.getAsLong());
            } finally {
                lock.unlock();
            }
            long remaining = timeoutNanos <= 0 ? 0 : Math.max(0, timeoutNanos - (System.nanoTime() - start));
            n = inner.receive(dst, Math.min(remaining, nextDue));
            if (n > 0) {
                // Impair it, then look again: it may be due at once. Keep pulling while the inner link has packets.
                byte[] copy = new byte[n];
                dst.get(0, copy, 0, n);
                lock.lock();
                try {
                    ingress.accept(copy, clock.getAsLong());
                } finally {
                    lock.unlock();
                }
                continue;
            }
            if (remaining == 0) {
                return takeDueIngress(dst);
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while waiting for a packet on " + name());
            }
        }
    }

    /** Copies the first due ingress packet into dst and returns its length, or 0 when none is due. */
    private int takeDueIngress(ByteBuffer dst) throws ClosedChannelException {
        lock.lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            long now = clock.getAsLong();
            ingress.releaseHeldIfExpired(now);
            Entry e = ingress.pollDue(now);
            if (e == null) {
                return 0;
            }
            ingress.delivered++;
            dst.clear();
            dst.put(0, e.data);
            dst.position(0).limit(e.data.length);
            return e.data.length;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ close

    /** Stops the scheduler, discards waiting packets and closes the inner link. */
    @Override
    public void close() throws IOException {
        Thread t;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            egress.queue.clear();
            egress.held = null;
            ingress.queue.clear();
            ingress.held = null;
            work.signalAll();
            t = scheduler;
        } finally {
            lock.unlock();
        }
        inner.close();
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ImpairedLink[").append(inner.name()).append(" seed=").append(seed).append(' ').append(direction);
        if (loss > 0) s.append(" loss=").append(loss);
        if (duplicate > 0) s.append(" duplicate=").append(duplicate);
        if (reorder > 0) s.append(" reorder=").append(reorder);
        if (corrupt > 0) s.append(" corrupt=").append(corrupt);
        if (delayNanos > 0) s.append(" delay=").append(Duration.ofNanos(delayNanos));
        if (jitterNanos > 0) s.append(" jitter=").append(Duration.ofNanos(jitterNanos));
        if (rateBitsPerSecond > 0) s.append(" rate=").append(rateBitsPerSecond).append("bit/s queue=").append(Duration.ofNanos(queueLimitNanos));
        return s.append(']').toString();
    }

    // ------------------------------------------------------------------ one direction's pipeline

    private static final class Entry {
        final byte[] data;
        final long releaseAt;

        Entry(byte[] data, long releaseAt) {
            this.data = data;
            this.releaseAt = releaseAt;
        }
    }

    /** One direction: its random stream, rate-limit state, hold slot, queue and counters. Guarded by lock. */
    private final class Path {
        final SplittableRandom rng;
        final ArrayDeque<Entry> queue = new ArrayDeque<>(); // release times non-decreasing
        byte[] held;
        long heldUntil;
        long linkFreeAt = Long.MIN_VALUE;
        long lastReleaseAt = Long.MIN_VALUE;
        long sent, delivered, dropped, queueDropped, sendErrors, duplicated, reordered, corrupted, delayed;

        Path(SplittableRandom rng) {
            this.rng = rng;
        }

        Stats stats() {
            return new Stats(sent, delivered, dropped, queueDropped, sendErrors, duplicated, reordered, corrupted, delayed);
        }

        boolean hasPending() {
            return !queue.isEmpty() || held != null;
        }

        long nextRelease() {
            long next = queue.isEmpty() ? Long.MAX_VALUE : queue.peekFirst().releaseAt;
            return held != null ? Math.min(next, heldUntil) : next;
        }

        /** Runs one packet through loss, corruption, duplication and reordering, then queues it. */
        void accept(byte[] p, long now) {
            sent++;
            // Draw order is fixed: loss, corruption (+ bit), duplication, then reorder per copy.
            if (loss > 0 && rng.nextDouble() < loss) {
                dropped++;
                return;
            }
            if (corrupt > 0 && rng.nextDouble() < corrupt && p.length > 0) {
                int bit = rng.nextInt(p.length * 8);
                p[bit >>> 3] ^= (byte) (1 << (bit & 7));
                corrupted++;
            }
            int copies = 1;
            if (duplicate > 0 && rng.nextDouble() < duplicate) {
                copies = 2;
                duplicated++;
            }
            for (int i = 0; i < copies; i++) {
                byte[] c = i == 0 ? p : p.clone();
                if (reorder > 0 && held == null && rng.nextDouble() < reorder) {
                    held = c;
                    heldUntil = now + reorderHoldNanos;
                    reordered++;
                    continue;
                }
                enqueue(c, now);
                if (held != null) {
                    byte[] h = held;
                    held = null;
                    enqueue(h, now); // released right after the packet that overtook it
                }
            }
        }

        void releaseHeldIfExpired(long now) {
            if (held != null && now - heldUntil >= 0) {
                byte[] h = held;
                held = null;
                enqueue(h, now);
            }
        }

        private void enqueue(byte[] p, long now) {
            long t = now;
            if (rateBitsPerSecond > 0) {
                long start = Math.max(now, linkFreeAt);
                if (start - now > queueLimitNanos) {
                    queueDropped++;
                    return;
                }
                long serialisation = (long) Math.ceil(p.length * 8.0 * 1e9 / rateBitsPerSecond);
                linkFreeAt = start + serialisation;
                t = linkFreeAt;
            }
            if (delayNanos > 0 || jitterNanos > 0) {
                t += delayNanos + (jitterNanos > 0 ? rng.nextLong(jitterNanos + 1) : 0);
            }
            if (t < lastReleaseAt) {
                t = lastReleaseAt; // one path keeps order
            }
            lastReleaseAt = t;
            if (t > now) {
                delayed++;
            }
            queue.addLast(new Entry(p, t));
        }

        Entry pollDue(long now) {
            Entry e = queue.peekFirst();
            if (e != null && now - e.releaseAt >= 0) {
                return queue.pollFirst();
            }
            return null;
        }
    }

    // ------------------------------------------------------------------ builder

    /** Builder for {@link ImpairedLink}. Probabilities are in [0, 1]. */
    public static final class Builder {
        private final PacketLink inner;
        private long seed = 1;
        private Direction direction = Direction.EGRESS;
        private double loss, duplicate, reorder, corrupt;
        private long delayNanos, jitterNanos;
        private long reorderHoldNanos = TimeUnit.MILLISECONDS.toNanos(10);
        private long rateBitsPerSecond;
        private long queueLimitNanos = TimeUnit.MILLISECONDS.toNanos(100);
        private LongSupplier clock = System::nanoTime;
        private boolean manual;

        private Builder(PacketLink inner) {
            this.inner = Objects.requireNonNull(inner, "inner");
        }

        /** The seed of every random decision (default 1). Same seed + same packets = same result. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder direction(Direction direction) {
            this.direction = Objects.requireNonNull(direction, "direction");
            return this;
        }

        /** Probability that a packet is dropped. */
        public Builder loss(double p) {
            this.loss = probability("loss", p);
            return this;
        }

        /** Probability that a packet is sent twice. */
        public Builder duplicate(double p) {
            this.duplicate = probability("duplicate", p);
            return this;
        }

        /** Probability that a packet is held back and sent after the next one. */
        public Builder reorder(double p) {
            this.reorder = probability("reorder", p);
            return this;
        }

        /** Longest time a packet held for reordering waits for a next packet (default 10 ms). */
        public Builder reorderHold(Duration d) {
            this.reorderHoldNanos = nonNegative("reorderHold", d);
            return this;
        }

        /** Probability that one bit of a packet is flipped. */
        public Builder corrupt(double p) {
            this.corrupt = probability("corrupt", p);
            return this;
        }

        /** Fixed one-way delay added to every packet. */
        public Builder delay(Duration d) {
            this.delayNanos = nonNegative("delay", d);
            return this;
        }

        /** Extra delay drawn uniformly from [0, jitter] per packet (order is kept). */
        public Builder jitter(Duration d) {
            this.jitterNanos = nonNegative("jitter", d);
            return this;
        }

        /** Serialises packets at this many bits per second (0 = unlimited). */
        public Builder rateLimit(long bitsPerSecond) {
            if (bitsPerSecond < 0) {
                throw new IllegalArgumentException("rate must be >= 0, got " + bitsPerSecond);
            }
            this.rateBitsPerSecond = bitsPerSecond;
            return this;
        }

        /** With a rate limit: the largest backlog, as time to drain, before tail drop (default 100 ms). */
        public Builder queueLimit(Duration d) {
            this.queueLimitNanos = nonNegative("queueLimit", d);
            return this;
        }

        /** The time source in nanoseconds (default System::nanoTime); tests pass a manual clock. */
        public Builder clock(LongSupplier nanoClock) {
            this.clock = Objects.requireNonNull(nanoClock, "clock");
            return this;
        }

        /** Start no scheduler thread; delayed egress packets go out only on {@link ImpairedLink#releaseDue()} (or the next send). */
        public Builder manual() {
            this.manual = true;
            return this;
        }

        public ImpairedLink build() {
            return new ImpairedLink(this);
        }

        private static double probability(String what, double p) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException(what + " probability must be in [0, 1], got " + p);
            }
            return p;
        }

        private static long nonNegative(String what, Duration d) {
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative, got " + d);
            }
            return d.toNanos();
        }
    }
}
