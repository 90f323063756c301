package io.usertcp.tcp;

import io.usertcp.wire.TcpSegment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A tiny in-test network on virtual time: moves segments between {@link TcpConnection}s (and a
 * {@link TcpListener}) with a fixed one-way delay and seeded loss, reordering (extra delay) and
 * duplication. Deterministic for a given seed.
 */
final class MemoryNet {
    static final int A_IP = 0xC6120001, B_IP = 0xC6120002;

    private record InFlight(long at, long order, ConnectionKey to, TcpSegment seg) { }

    long now = TcpHarness.START;
    /** Set by tests: the virtual time at which something of interest finished. */
    long mark;
    final long delay = 1_000_000L; // 1 ms one way
    private final Random rnd;
    private final double loss, reorder, dup;
    private final PriorityQueue<InFlight> queue = new PriorityQueue<>(
            (x, y) -> x.at != y.at ? Long.compare(x.at, y.at) : Long.compare(x.order, y.order));
    private long order;
    final Map<ConnectionKey, TcpConnection> conns = new HashMap<>();
    final List<TcpConnection> accepted = new ArrayList<>();
    TcpListener listener;
    /** Whether the "application" accepts children at once (into {@link #accepted}). */
    boolean autoAccept = true;
    final AtomicLong ids = new AtomicLong(1);
    final IsnGenerator isn;
    long delivered, lost, duplicated, reordered;
    private final SegmentSink sink = this::send;

    /** Percentages of loss, reordering and duplication. */
    MemoryNet(long seed, double lossPct, double reorderPct, double dupPct) {
        this(seed, lossPct, reorderPct, dupPct, null);
    }

    /** As above, with every ISN forced near {@code isnNear} (C2.16: start near 2^32 − 1). */
    MemoryNet(long seed, double lossPct, double reorderPct, double dupPct, Integer isnNear) {
        rnd = new Random(seed);
        loss = lossPct / 100;
        reorder = reorderPct / 100;
        dup = dupPct / 100;
        isn = isnNear == null ? new IsnGenerator(seed, ~seed) : new FixedIsn(isnNear);
    }

    /** An IsnGenerator stand-in that returns {@code base} plus a small per-call offset. */
    static final class FixedIsn extends IsnGenerator {
        private final int base;
        private int calls;

        FixedIsn(int base) {
            super(0, 0);
            this.base = base;
        }

        @Override
        public int isn(ConnectionKey key, long now) {
            return base + 0x100 * calls++;
        }
    }

    /** A connection from A:40000 to B:80 (not yet connected). */
    TcpConnection client(TcpConfig config) {
        var key = new ConnectionKey(A_IP, 40000, B_IP, 80);
        var c = new TcpConnection(ids.getAndIncrement(), config, key, TcpEventListener.NONE, isn);
        conns.put(key, c);
        return c;
    }

    /** The mirror of {@code other}: B:80 to A:40000 (for simultaneous open). */
    TcpConnection clientReverse(TcpConfig config, TcpConnection other) {
        var k = other.key();
        var key = new ConnectionKey(k.remoteIp(), k.remotePort(), k.localIp(), k.localPort());
        var c = new TcpConnection(ids.getAndIncrement(), config, key, TcpEventListener.NONE, isn);
        conns.put(key, c);
        return c;
    }

    /** A listener on B:80. */
    TcpListener listen(TcpConfig config, int backlog) {
        listener = new TcpListener(config, 80, backlog, TcpEventListener.NONE, isn, ids::getAndIncrement);
        return listener;
    }

    private static ConnectionKey reverse(ConnectionKey k) {
        return new ConnectionKey(k.remoteIp(), k.remotePort(), k.localIp(), k.localPort());
    }

    void send(TcpConnection from, TcpSegment seg) {
        enqueue(reverse(from.key()), TcpHarness.copy(seg));
    }

    private void enqueue(ConnectionKey to, TcpSegment seg) {
        if (rnd.nextDouble() < loss) {
            lost++;
            return;
        }
        long at = now + delay;
        if (rnd.nextDouble() < reorder) {
            at += 1 + rnd.nextInt(3_000_000);
            reordered++;
        }
        queue.add(new InFlight(at, order++, to, seg));
        if (rnd.nextDouble() < dup) {
            duplicated++;
            queue.add(new InFlight(at + rnd.nextInt(2_000_000), order++, to, seg));
        }
    }

    private void deliver(InFlight f) {
        delivered++;
        TcpConnection c = conns.get(f.to);
        TcpSegment seg = f.seg.payloadLength() == 0 ? f.seg : TcpHarness.copy(f.seg); // fresh payload view
        if (c != null && c.state() == TcpState.CLOSED) {
            conns.remove(f.to);
            c = null;
        }
        if (c != null) {
            if (c.acceptsNewSyn(seg) && listener != null) {
                c.retire();
                conns.remove(f.to);
                var child = listener.onSegment(seg, f.to, now, (k, s) -> enqueue(reverse(k), s), c);
                if (child != null) conns.put(f.to, child);
                return;
            }
            c.onSegment(seg, now);
        } else if (listener != null && f.to.localPort() == listener.localPort()) {
            var child = listener.onSegment(seg, f.to, now, (k, s) -> enqueue(reverse(k), s));
            if (child != null) conns.put(f.to, child);
        } else {
            TcpSegment rst = Resets.forUnknown(seg);
            if (rst != null) enqueue(reverse(f.to), rst);
        }
    }

    private void pollAll() {
        for (TcpConnection c : new ArrayList<>(conns.values())) c.poll(now, sink);
        if (listener != null && autoAccept) {
            TcpConnection a;
            while ((a = listener.accept()) != null) accepted.add(a);
        }
    }

    /** Runs until {@code done} is true or {@code max} virtual time has passed; returns done's value. */
    boolean runUntil(BooleanSupplier done, Duration max, Runnable eachStep) {
        long limit = now + max.toNanos();
        pollAll();
        long tick = now;
        while (!done.getAsBoolean()) {
            long next = queue.isEmpty() ? Long.MAX_VALUE : queue.peek().at;
            for (TcpConnection c : conns.values()) next = Math.min(next, c.nextDeadline());
            // The applications act at least every 10 ms of virtual time.
            if (eachStep != null) {
                if (tick <= now) tick = now + 10_000_000L;
                next = Math.min(next, tick);
            }
            if (next > limit) {
                now = limit;
                return done.getAsBoolean();
            }
            now = Math.max(now, next);
            while (!queue.isEmpty() && queue.peek().at <= now) deliver(queue.poll());
            for (TcpConnection c : new ArrayList<>(conns.values())) {
                if (c.nextDeadline() <= now) c.onTimer(now);
            }
            if (eachStep != null) eachStep.run();
            pollAll();
        }
        return true;
    }

    void run(Duration max) {
        runUntil(() -> false, max, null);
    }
}
