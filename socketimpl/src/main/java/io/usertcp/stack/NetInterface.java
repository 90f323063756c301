package io.usertcp.stack;

import io.usertcp.link.PacketLink;

/**
 * One interface of a stack: a link with an IPv4 address and prefix, or the built-in loopback
 * (127.0.0.0/8, no link: its packets go to the stack's loopback queue). Immutable but for the
 * link's health, which the stack tracks under its engine lock, and {@link #tx}, set once at
 * construction of the stack.
 */
final class NetInterface {

    /**
     * The loopback's MTU: 65536 as Linux's lo (MSS 65495). It was 16384 while windows were at most
     * 65535 bytes (one 64 KiB segment filled the window and every exchange waited for a delayed
     * ACK); with window scaling and autotuning the window holds many such segments. Measured with
     * {@code bin/usertcp bench --only jvm --runs 3 --seconds 4}, one invocation each, load ~20 on 2
     * CPUs: bulk 12.1 Gbit/s [9.9–16.9] at 65536 against 11.3 [3.4–13.2] at 16384 (ratio to JDK
     * sockets 2.18× against 1.45×). Loopback TCP checksums are neither computed nor verified.
     */
    static final int LOOPBACK_MTU = 65536;

    final String name;
    final PacketLink link;      // null for the loopback
    final int address;
    final int prefixLength;
    final int mtu;
    /** The link's transmit queue (null for the loopback); set once by the stack before any thread runs. */
    TxRing tx;
    /** The last send failed with a (non-permanent) LinkDownException; cleared by a send that works. Guarded by the stack lock. */
    boolean down;
    /** The link is dead for good (device deleted, closed under the stack, RX errors without end). Guarded by the stack lock. */
    boolean gone;

    NetInterface(String name, PacketLink link, int address, int prefixLength, int mtu) {
        this.name = name;
        this.link = link;
        this.address = address;
        this.prefixLength = prefixLength;
        this.mtu = mtu;
    }

    static NetInterface loopback() {
        return new NetInterface("lo", null, Addresses.LOOPBACK, Addresses.LOOPBACK_PREFIX, LOOPBACK_MTU);
    }

    boolean isLoopback() {
        return link == null;
    }

    /** Whether {@code ip} is on this interface's subnet. */
    boolean onLink(int ip) {
        return Addresses.inSubnet(ip, address, prefixLength);
    }

    @Override
    public String toString() {
        return name + " " + Addresses.format(address) + "/" + prefixLength + " mtu " + mtu;
    }
}
