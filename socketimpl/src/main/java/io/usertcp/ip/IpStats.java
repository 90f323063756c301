package io.usertcp.ip;

import io.usertcp.wire.DropReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.EnumMap;
import java.util.Map;

/**
 * Packet counters: events ({@link Counter}) and drops by {@link DropReason}.
 *
 * <p><b>Threading.</b> One writer at a time: the stack increments under its engine lock (so a plain
 * read-modify-write loses nothing). Any thread may read at any time: values are stored and loaded
 * with opaque {@link VarHandle} access, which is atomic for {@code long} and eventually visible, and
 * costs no fence on the increment path (unlike {@code volatile} or {@code LongAdder}). A reader sees
 * each counter's latest or a slightly older value; {@link #snapshot()} is not an atomic cut across
 * counters.
 */
public final class IpStats {
    /** Events counted besides drops. */
    public enum Counter {
        /** IPv4 packets handed to {@link Ipv4Input#receive}. */
        PACKETS_RECEIVED,
        /** Datagrams delivered to a protocol handler (after reassembly). */
        PACKETS_DELIVERED,
        /** Packets whose header {@link Ipv4Output} built. */
        PACKETS_SENT,
        /** Fragments received (before reassembly). */
        FRAGMENTS_RECEIVED,
        /** Datagrams completed by reassembly. */
        DATAGRAMS_REASSEMBLED,
        /** Exact duplicate fragments ignored. */
        FRAGMENTS_DUPLICATE,
        /** Datagrams received with TTL 0 or 1 and still accepted (RFC 1122 §3.2.1.7). */
        LOW_TTL_ACCEPTED,
        /** ICMP echo requests answered. */
        ICMP_ECHO_REPLIES,
        /** ICMP error messages received and parsed. */
        ICMP_ERRORS_RECEIVED,
        /** ICMP error messages sent (e.g. reassembly time exceeded). */
        ICMP_ERRORS_SENT,
    }

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final Counter[] COUNTERS = Counter.values();
    private static final DropReason[] REASONS = DropReason.values();

    private final long[] counters = new long[COUNTERS.length];
    private final long[] drops = new long[REASONS.length];

    /** Counts one event. Caller holds the engine lock. */
    public void increment(Counter c) {
        add(counters, c.ordinal(), 1);
    }

    /** Counts {@code n} events. Caller holds the engine lock. */
    public void add(Counter c, long n) {
        add(counters, c.ordinal(), n);
    }

    /** Counts one drop. Caller holds the engine lock. */
    public void drop(DropReason r) {
        add(drops, r.ordinal(), 1);
    }

    private static void add(long[] a, int i, long n) {
        SLOT.setOpaque(a, i, (long) SLOT.getOpaque(a, i) + n);
    }

    /** Current value of a counter; any thread. */
    public long get(Counter c) {
        return (long) SLOT.getOpaque(counters, c.ordinal());
    }

    /** Drops counted under {@code r}; any thread. */
    public long drops(DropReason r) {
        return (long) SLOT.getOpaque(drops, r.ordinal());
    }

    /** Sum of all drops; any thread. */
    public long totalDrops() {
        long sum = 0;
        for (int i = 0; i < drops.length; i++) {
            sum += (long) SLOT.getOpaque(drops, i);
        }
        return sum;
    }

    /** Non-zero drop counts by reason; any thread. */
    public Map<DropReason, Long> dropSnapshot() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : REASONS) {
            long v = drops(r);
            if (v != 0) {
                m.put(r, v);
            }
        }
        return m;
    }

    /** Every counter (including zeros); any thread. */
    public Map<Counter, Long> snapshot() {
        Map<Counter, Long> m = new EnumMap<>(Counter.class);
        for (Counter c : COUNTERS) {
            m.put(c, get(c));
        }
        return m;
    }

    @Override
    public String toString() {
        return "IpStats" + snapshot() + " drops=" + dropSnapshot();
    }
}
