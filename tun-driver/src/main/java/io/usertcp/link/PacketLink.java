package io.usertcp.link;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A link that carries whole IP packets: the only thing the stack sees of the network below it.
 *
 * <p>Implementations: {@link io.usertcp.link.tun.TunDevice}, {@link MemoryLink#pair(int)},
 * {@link ImpairedLink} (decorator, seeded) and {@link PcapTap} (decorator, writes a pcap of both
 * directions).
 *
 * <p>Threading: {@code send} and {@code receive} may be called from different threads at the same
 * time; {@code close} may be called from any thread and wakes a blocked receiver.
 */
public interface PacketLink extends Closeable {

    /** A short name for logs and pcap files, e.g. the TUN interface name. */
    String name();

    /** The largest packet, in bytes, the link carries (the IP MTU). */
    int mtu();

    /**
     * Sends one whole IP packet: the bytes from packet.position() to packet.limit(). The call does
     * not keep a reference to {@code packet} after it returns (a queueing implementation copies),
     * and it leaves position and limit as they were. Never blocks for long (drops when a queue is
     * full).
     *
     * @throws java.nio.channels.ClosedChannelException once the link is closed
     */
    void send(ByteBuffer packet) throws IOException;

    /**
     * Waits up to timeoutNanos (0 = do not wait) for one packet, writes it into dst starting at
     * index 0, sets dst position 0 and limit = length, and returns the length; returns 0 on
     * timeout. dst must hold at least mtu() bytes. Throws ClosedChannelException once the link is
     * closed (a receiver blocked when close() is called wakes up with it).
     */
    int receive(ByteBuffer dst, long timeoutNanos) throws IOException;
}
