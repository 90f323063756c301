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
 *
 * <p><b>Offload</b> (optional capability). A link that can take checksum and segmentation work off
 * the stack says so in {@link #offload()}; the stack then sends with
 * {@link #send(ByteBuffer, GsoInfo)} and receives with {@link #receive(ByteBuffer, GsoInfo, long)}.
 * The defaults make every link a link without offload: {@code offload()} is
 * {@link LinkOffload#NONE}, {@code send(packet, gso)} accepts only plain metadata, and
 * {@code receive(dst, gso, t)} clears the holder. Decorators either forward offload (PcapTap: the
 * packets are recorded as they are, super-segments and partial checksums included) or keep the
 * defaults (ImpairedLink, MemoryLink: whole, checksummed, MTU-sized packets only).
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

    /**
     * What this link offloads; {@link LinkOffload#NONE} unless the implementation says otherwise.
     * Fixed for the life of the link (decided when it is opened).
     */
    default LinkOffload offload() {
        return LinkOffload.NONE;
    }

    /**
     * Whether the link can carry packets now: false once its interface is administratively down
     * (or gone). The stack asks when the link has been idle for a while and then fails the
     * connections over it, as for a send refused with {@link LinkDownException}. Cheap enough to
     * call twice a second, never blocks for long; a link that cannot tell says true (the default).
     */
    default boolean isUp() {
        return true;
    }

    /**
     * Sends one IP packet with offload metadata, as {@link #send(ByteBuffer)} otherwise: a TCP
     * packet whose checksum the link fills ({@link GsoInfo#FLAG_NEEDS_CSUM}) or a super-segment of
     * up to {@link LinkOffload#maxPacketSize()} bytes the link cuts into {@code gso.gsoSize()}
     * payloads ({@link GsoInfo#GSO_TCPV4}). Only what {@link #offload()} advertises may be asked;
     * {@code gso} is read, not kept.
     *
     * @throws IllegalArgumentException when the metadata asks for an offload the link does not have
     */
    default void send(ByteBuffer packet, GsoInfo gso) throws IOException {
        if (!gso.isPlain()) {
            throw new IllegalArgumentException(name() + " has no offload; cannot send " + gso);
        }
        send(packet);
    }

    /**
     * Receives as {@link #receive(ByteBuffer, long)} and fills {@code gso} with the packet's
     * offload metadata (cleared for a plain packet). With offload on, a packet may be a
     * super-segment up to {@link LinkOffload#maxPacketSize()} bytes (dst must hold that many) and
     * may carry a partial checksum ({@link GsoInfo#checksumTrusted()}: do not verify it).
     */
    default int receive(ByteBuffer dst, GsoInfo gso, long timeoutNanos) throws IOException {
        gso.clear();
        return receive(dst, timeoutNanos);
    }
}
