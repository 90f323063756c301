package io.usertcp.observe;

import io.usertcp.stack.SegmentTracer;
import io.usertcp.stack.Stack;
import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.Seq;
import io.usertcp.wire.TcpSegment;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Records, per connection, every segment received and sent and every state change of the stacks
 * it is set on ({@link #attach}; {@link Stack#setTracer}), as {@link TraceEvent}s with relative and
 * absolute numbers. Tracing is off until attached and costs nothing when detached (the stack reads
 * one volatile field per segment). Bounded: at most {@code maxConnections} connections (the oldest
 * forgotten first) of at most {@code maxEvents} events each (later events counted, not kept).
 *
 * <p>Thread safety: called by stacks under their engine locks; {@link #lock} guards the records,
 * so any thread may read them. One recorder may serve several stacks (two stacks connected by a
 * link, traced together, give both ends of each connection).
 */
public final class TraceRecorder implements SegmentTracer {

    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    public static final int DEFAULT_MAX_EVENTS = 20_000;

    private final int maxConnections;
    private final int maxEvents;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<ConnectionKey, Conv> convs = new LinkedHashMap<>(); // guarded by lock
    private long order;                                                  // guarded by lock
    private volatile Consumer<String> live;
    private volatile Consumer<ConnectionKey> closed;

    public TraceRecorder() {
        this(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_EVENTS);
    }

    public TraceRecorder(int maxConnections, int maxEvents) {
        if (maxConnections < 1 || maxEvents < 1) {
            throw new IllegalArgumentException("bounds must be positive");
        }
        this.maxConnections = maxConnections;
        this.maxEvents = maxEvents;
    }

    /** Starts tracing {@code stack} into this recorder (replacing any tracer it had). */
    public TraceRecorder attach(Stack stack) {
        stack.setTracer(this);
        return this;
    }

    /** Stops tracing {@code stack} if this recorder traces it. What was recorded stays. */
    public void detach(Stack stack) {
        if (stack.tracer() == this) {
            stack.setTracer(null);
        }
    }

    /** Also prints every event as a trace line as it happens (null: stop). */
    public TraceRecorder printTo(PrintStream out) {
        this.live = out == null ? null : out::println;
        return this;
    }

    /** Also gives every event's trace line to {@code sink} as it happens (null: stop). */
    public TraceRecorder linesTo(Consumer<String> sink) {
        this.live = sink;
        return this;
    }

    /**
     * Tells {@code listener} the key of each connection that reaches CLOSED, after its last event is
     * recorded (null: stop). Called on the stack's thread under its engine lock, not under this
     * recorder's lock: the listener may read the recorder (draw the ladder), not call the stack.
     */
    public TraceRecorder onClosed(Consumer<ConnectionKey> listener) {
        this.closed = listener;
        return this;
    }

    // ------------------------------------------------------------------ SegmentTracer

    @Override
    public void segment(ConnectionKey key, Direction dir, TcpSegment seg, long now) {
        lock.lock();
        try {
            Conv c = conv(key, now);
            boolean out = dir == Direction.OUT;
            int len = seg.payloadLength();
            int seqLen = seg.seqLength();
            if (seg.syn()) {
                if (out) {
                    c.localIsn = seg.seq();
                    c.localKnown = true;
                } else {
                    c.remoteIsn = seg.seq();
                    c.remoteKnown = true;
                }
            }
            if (out && !c.localKnown) {
                c.localIsn = seg.seq() - 1;
                c.localKnown = true;
            } else if (!out && !c.remoteKnown) {
                c.remoteIsn = seg.seq() - 1;
                c.remoteKnown = true;
            }
            if (seg.hasAck()) {
                if (out && !c.remoteKnown) {
                    c.remoteIsn = seg.ack() - 1;
                    c.remoteKnown = true;
                } else if (!out && !c.localKnown) {
                    c.localIsn = seg.ack() - 1;
                    c.localKnown = true;
                }
            }
            int senderIsn = out ? c.localIsn : c.remoteIsn;
            int receiverIsn = out ? c.remoteIsn : c.localIsn;
            boolean retrans;
            int end = seg.seq() + seqLen;
            if (out) {
                retrans = seqLen > 0 && c.sentMax && Seq.lt(seg.seq(), c.outMax);
                if (seqLen > 0 && (!c.sentMax || Seq.gt(end, c.outMax))) {
                    c.outMax = end;
                    c.sentMax = true;
                }
            } else {
                retrans = seqLen > 0 && c.recvMax && Seq.lt(seg.seq(), c.inMax);
                if (seqLen > 0 && (!c.recvMax || Seq.gt(end, c.inMax))) {
                    c.inMax = end;
                    c.recvMax = true;
                }
            }
            TraceEvent e = new TraceEvent(order++, now, key, out ? TraceEvent.Kind.OUT : TraceEvent.Kind.IN,
                    seg.flags(), seg.seq(), seg.ack(), seg.window(), len, Format.options(seg.options()),
                    Integer.toUnsignedLong(seg.seq() - senderIsn),
                    seg.hasAck() ? Integer.toUnsignedLong(seg.ack() - receiverIsn) : 0, retrans, null, null);
            add(c, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void stateChanged(ConnectionKey key, TcpState from, TcpState to, long now) {
        lock.lock();
        try {
            Conv c = conv(key, now);
            add(c, new TraceEvent(order++, now, key, TraceEvent.Kind.STATE, 0, 0, 0, 0, 0, "", 0, 0, false, from, to));
            c.state = to;
        } finally {
            lock.unlock();
        }
        Consumer<ConnectionKey> l = closed;
        if (l != null && to == TcpState.CLOSED) {
            l.accept(key);
        }
    }

    // ------------------------------------------------------------------ reading

    /** The connections recorded, oldest first. */
    public List<ConnectionKey> connections() {
        lock.lock();
        try {
            return new ArrayList<>(convs.keySet());
        } finally {
            lock.unlock();
        }
    }

    /** The events of one connection (a copy; empty when unknown). */
    public List<TraceEvent> events(ConnectionKey key) {
        lock.lock();
        try {
            Conv c = convs.get(key);
            return c == null ? List.of() : List.copyOf(c.events);
        } finally {
            lock.unlock();
        }
    }

    /** The last state recorded for {@code key}, or null when none (no state change seen, or unknown). */
    public TcpState state(ConnectionKey key) {
        lock.lock();
        try {
            Conv c = convs.get(key);
            return c == null ? null : c.state;
        } finally {
            lock.unlock();
        }
    }

    /** Events not kept for {@code key} because it reached {@code maxEvents}. */
    public long lostEvents(ConnectionKey key) {
        lock.lock();
        try {
            Conv c = convs.get(key);
            return c == null ? 0 : c.lost;
        } finally {
            lock.unlock();
        }
    }

    /** The trace lines of one connection, times relative to its first event. */
    public List<String> lines(ConnectionKey key) {
        List<TraceEvent> ev = events(key);
        List<String> out = new ArrayList<>(ev.size());
        long t0 = ev.isEmpty() ? 0 : ev.get(0).timeNanos();
        for (TraceEvent e : ev) {
            out.add(e.line(t0));
        }
        return out;
    }

    /** The connection recorded whose name ({@code 127.0.0.1:40000-127.0.0.1:7}) is {@code name}, or null. */
    public ConnectionKey find(String name) {
        ConnectionKey k = Format.parseName(name);
        if (k == null) {
            return null;
        }
        lock.lock();
        try {
            return convs.containsKey(k) ? k : null;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets everything recorded. */
    public void clear() {
        lock.lock();
        try {
            convs.clear();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ internals

    private Conv conv(ConnectionKey key, long now) {
        Conv c = convs.get(key);
        if (c == null) {
            if (convs.size() >= maxConnections) {
                // forget the oldest closed connection, else the oldest one
                Iterator<Map.Entry<ConnectionKey, Conv>> it = convs.entrySet().iterator();
                ConnectionKey victim = null;
                while (it.hasNext()) {
                    Map.Entry<ConnectionKey, Conv> e = it.next();
                    if (victim == null) {
                        victim = e.getKey();
                    }
                    if (e.getValue().state == TcpState.CLOSED) {
                        victim = e.getKey();
                        break;
                    }
                }
                convs.remove(victim);
            }
            c = new Conv();
            convs.put(key, c);
        }
        return c;
    }

    private void add(Conv c, TraceEvent e) {
        if (c.events.size() >= maxEvents) {
            c.lost++;
        } else {
            c.events.add(e);
        }
        Consumer<String> l = live;
        if (l != null) {
            l.accept(e.line(c.events.isEmpty() ? e.timeNanos() : c.events.get(0).timeNanos()));
        }
    }

    private static final class Conv {
        final List<TraceEvent> events = new ArrayList<>();
        long lost;
        int localIsn, remoteIsn;
        boolean localKnown, remoteKnown;
        int outMax, inMax;
        boolean sentMax, recvMax;
        TcpState state;
    }
}
