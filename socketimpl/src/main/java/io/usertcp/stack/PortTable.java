package io.usertcp.stack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Local port bindings and ephemeral port allocation. Guarded by the engine lock (every method is
 * called with it held).
 *
 * <p>Conflict rule (Linux's, simplified): two sockets may share a local port when their local
 * addresses differ and neither is the wildcard, or when both set SO_REUSEADDR and neither listens.
 */
final class PortTable {

    // Linux net.ipv4.ip_local_port_range default.
    static final int EPHEMERAL_LOW = 32768;
    static final int EPHEMERAL_HIGH = 60999;

    private final Map<Integer, List<TcpSocket>> bound = new HashMap<>(); // guarded by engine lock
    private int nextEphemeral;                                          // guarded by engine lock

    PortTable(RandomGenerator random) {
        // Randomized start, as Linux does (RFC 6056 §3.3 spirit: ports not trivially predictable).
        this.nextEphemeral = EPHEMERAL_LOW + random.nextInt(EPHEMERAL_HIGH - EPHEMERAL_LOW + 1);
    }

    /** Whether {@code s} may take ({@code addr}, {@code port}) with its current options. */
    boolean available(int addr, int port, boolean reuseAddr, boolean listening, TcpSocket s) {
        List<TcpSocket> list = bound.get(port);
        if (list == null) {
            return true;
        }
        for (TcpSocket o : list) {
            if (o == s) {
                continue;
            }
            int oAddr = o.boundAddress();
            boolean overlap = addr == Addresses.ANY || oAddr == Addresses.ANY || addr == oAddr;
            if (!overlap) {
                continue;
            }
            boolean shareable = reuseAddr && o.reuseAddressForBind() && !listening && !o.listeningForBind();
            if (!shareable) {
                return false;
            }
        }
        return true;
    }

    void add(int port, TcpSocket s) {
        bound.computeIfAbsent(port, p -> new ArrayList<>(2)).add(s);
    }

    void remove(int port, TcpSocket s) {
        List<TcpSocket> list = bound.get(port);
        if (list != null) {
            list.remove(s);
            if (list.isEmpty()) {
                bound.remove(port);
            }
        }
    }

    /** Whether any socket holds {@code port}. */
    boolean inUse(int port) {
        return bound.containsKey(port);
    }

    /**
     * The next free ephemeral port for which {@code free} holds, walking the range from a
     * randomized point; -1 when the range is exhausted.
     */
    int allocate(java.util.function.IntPredicate free) {
        int range = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
        for (int i = 0; i < range; i++) {
            int p = nextEphemeral;
            nextEphemeral = p == EPHEMERAL_HIGH ? EPHEMERAL_LOW : p + 1;
            if (!bound.containsKey(p) && free.test(p)) {
                return p;
            }
        }
        return -1;
    }
}
