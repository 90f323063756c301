package io.usertcp.stack;

/**
 * The routing decision for one destination: the interface to send through, the next hop (the
 * destination itself when on-link, else the gateway) and the source address to use.
 */
record Route(NetInterface iface, int nextHop, int source) {

    /** The largest TCP payload a segment on this route may carry without options (MTU − 40). */
    int mss() {
        return iface.mtu - 40; // RFC 9293 §3.7.1: "MSS ... the maximum ... IP datagram size minus 40"
    }
}
