package io.usertcp.stack;

import java.util.List;

/**
 * The routing table of a stack, fixed when the stack is built (so it needs no lock):
 * <ol>
 *   <li>a destination that is one of our own addresses, or any of 127.0.0.0/8, goes through the
 *       loopback (Linux's "local" table);</li>
 *   <li>a destination on an interface's subnet goes out of that interface (first match);</li>
 *   <li>anything else goes to the default gateway, through the interface whose subnet holds it;</li>
 *   <li>otherwise there is no route ({@code null}: connect fails with "Network is unreachable",
 *       ENETUNREACH, as on Linux).</li>
 * </ol>
 * The source address is the sending interface's address, except on the loopback, where it is the
 * destination itself when that is one of our addresses and 127.0.0.1 otherwise — as Linux picks it.
 */
final class Routing {

    private final NetInterface loopback;
    private final List<NetInterface> links;   // interfaces with a PacketLink, in builder order
    private final NetInterface[] linkArray;   // the same, for the per-packet loops (no iterator)
    private final NetInterface gatewayIface;  // null when there is no default route
    private final int gateway;

    Routing(NetInterface loopback, List<NetInterface> links, int gateway) {
        this.loopback = loopback;
        this.links = List.copyOf(links);
        this.linkArray = this.links.toArray(new NetInterface[0]);
        NetInterface gw = null;
        if (gateway != 0) {
            for (NetInterface i : links) {
                if (i.onLink(gateway)) {
                    gw = i;
                    break;
                }
            }
            if (gw == null) {
                throw new IllegalArgumentException("gateway " + Addresses.format(gateway)
                        + " is not on the subnet of any link");
            }
        }
        this.gatewayIface = gw;
        this.gateway = gateway;
    }

    NetInterface loopback() {
        return loopback;
    }

    List<NetInterface> links() {
        return links;
    }

    /** Whether {@code ip} is one of this stack's own addresses (any of 127/8 included). */
    boolean isLocal(int ip) {
        if (Addresses.isLoopback(ip)) {
            return true;
        }
        for (NetInterface i : linkArray) { // an array: no iterator per packet
            if (i.address == ip) {
                return true;
            }
        }
        return false;
    }

    /**
     * The interface {@link #route} would send a packet for {@code dst} through, or null; allocates
     * nothing (the per-segment transmit path).
     */
    NetInterface egress(int dst) {
        if (isLocal(dst)) {
            return loopback;
        }
        for (NetInterface i : linkArray) {
            if (i.onLink(dst)) {
                return i;
            }
        }
        if (gatewayIface != null && Addresses.isUnicast(dst)) {
            return gatewayIface;
        }
        return null;
    }

    /** The route to {@code dst}, or null when there is none. */
    Route route(int dst) {
        if (isLocal(dst)) {
            return new Route(loopback, dst, Addresses.isLoopback(dst) ? Addresses.LOOPBACK : dst);
        }
        for (NetInterface i : links) {
            if (i.onLink(dst)) {
                return new Route(i, dst, i.address);
            }
        }
        if (gatewayIface != null && Addresses.isUnicast(dst)) {
            return new Route(gatewayIface, gateway, gatewayIface.address);
        }
        return null;
    }

    /** The interface that owns local address {@code ip}, or null. */
    NetInterface interfaceOf(int ip) {
        if (Addresses.isLoopback(ip)) {
            return loopback;
        }
        for (NetInterface i : links) {
            if (i.address == ip) {
                return i;
            }
        }
        return null;
    }
}
