package io.usertcp.stack;

import java.util.Arrays;

/**
 * The connection lookup of the per-segment receive path: an open-addressing hash table keyed by the
 * 4-tuple held as primitives, so that finding the connection of a segment allocates nothing (no
 * {@code ConnectionKey} record, no boxing, no iterator).
 *
 * <p>The key is packed into a {@code long} (remote address in the high 32 bits, local port, remote
 * port) plus the local address in a parallel {@code int} array. Linear probing over a power-of-two
 * array kept at most half full; removal shifts the following entries back (no tombstones), so a
 * table under churn never degrades. Not thread-safe: used under the engine lock.
 *
 * @param <V> the value (the stack's per-connection record)
 */
final class ConnectionTable<V> {
    private static final int MIN_CAPACITY = 16;

    private long[] keys;      // remoteIp << 32 | localPort << 16 | remotePort
    private int[] localIps;
    private Object[] values;  // null = empty slot
    private int size;
    private int mask;

    ConnectionTable() {
        allocate(MIN_CAPACITY);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        localIps = new int[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
    }

    static long pack(int remoteIp, int localPort, int remotePort) {
        return ((long) remoteIp << 32) | ((long) (localPort & 0xFFFF) << 16) | (remotePort & 0xFFFF);
    }

    private static int hash(long key, int localIp) {
        long h = (key ^ ((long) localIp * 0x9E3779B97F4A7C15L)) * 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 31));
    }

    /** The value for the 4-tuple (local side = this stack), or null. */
    @SuppressWarnings("unchecked")
    V get(int localIp, int localPort, int remoteIp, int remotePort) {
        long key = pack(remoteIp, localPort, remotePort);
        int i = hash(key, localIp) & mask;
        Object v;
        while ((v = values[i]) != null) {
            if (keys[i] == key && localIps[i] == localIp) {
                return (V) v;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    /** Maps the 4-tuple to {@code value} (replacing any earlier value). */
    void put(int localIp, int localPort, int remoteIp, int remotePort, V value) {
        if (value == null) {
            throw new IllegalArgumentException("null value");
        }
        if (2 * (size + 1) > values.length) {
            grow();
        }
        long key = pack(remoteIp, localPort, remotePort);
        int i = hash(key, localIp) & mask;
        while (values[i] != null) {
            if (keys[i] == key && localIps[i] == localIp) {
                values[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        localIps[i] = localIp;
        values[i] = value;
        size++;
    }

    /** Removes the 4-tuple's entry if it maps to {@code expected} (identity); true when removed. */
    boolean remove(int localIp, int localPort, int remoteIp, int remotePort, V expected) {
        long key = pack(remoteIp, localPort, remotePort);
        int i = hash(key, localIp) & mask;
        Object v;
        while ((v = values[i]) != null) {
            if (keys[i] == key && localIps[i] == localIp) {
                if (v != expected) {
                    return false;
                }
                deleteAt(i);
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    /** Backward-shift deletion (Knuth 6.4 algorithm R): later entries of the run move into the hole. */
    private void deleteAt(int hole) {
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            if (values[i] == null) {
                break;
            }
            int home = hash(keys[i], localIps[i]) & mask;
            // Move entry i into the hole unless its home lies cyclically in (hole, i].
            boolean stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
            if (!stays) {
                keys[hole] = keys[i];
                localIps[hole] = localIps[i];
                values[hole] = values[i];
                hole = i;
            }
        }
        values[hole] = null;
        keys[hole] = 0;
        localIps[hole] = 0;
        size--;
    }

    @SuppressWarnings("unchecked")
    private void grow() {
        long[] oldKeys = keys;
        int[] oldIps = localIps;
        Object[] oldValues = values;
        allocate(oldValues.length * 2);
        size = 0;
        for (int i = 0; i < oldValues.length; i++) {
            if (oldValues[i] != null) {
                long k = oldKeys[i];
                put(oldIps[i], (int) (k >>> 16) & 0xFFFF, (int) (k >>> 32), (int) k & 0xFFFF, (V) oldValues[i]);
            }
        }
    }

    /** Slots to scan with {@link #valueAt} (iteration without an iterator; no put/remove meanwhile). */
    int capacity() {
        return values.length;
    }

    /** The value in slot {@code i} (0 ≤ i < {@link #capacity()}), or null for an empty slot. */
    @SuppressWarnings("unchecked")
    V valueAt(int i) {
        return (V) values[i];
    }

    int size() {
        return size;
    }

    void clear() {
        Arrays.fill(values, null);
        size = 0;
    }
}
