package io.usertcp.link;

/**
 * What a {@link PacketLink} can do for the stack beyond carrying plain IP packets: the capability
 * half of the offload API ({@link GsoInfo} is the per-packet half). Modelled on Linux's
 * {@code virtio_net_hdr} offloads, which is what a TUN device opened with {@code IFF_VNET_HDR} and
 * {@code TUNSETOFFLOAD} speaks.
 *
 * <ul>
 *   <li>{@link #checksum()}: outbound packets may leave their TCP checksum to the link
 *       ({@link GsoInfo#FLAG_NEEDS_CSUM}: the field holds the pseudo-header sum only), and inbound
 *       packets may arrive with {@code NEEDS_CSUM} (checksum not filled in: made by the local
 *       kernel, never crossed a wire) or {@code DATA_VALID} (already verified) — the stack must
 *       not verify the TCP checksum of such a packet.</li>
 *   <li>{@link #tso4()} / {@link #tso6()}: outbound TCP "super-segments" of up to
 *       {@link #maxPacketSize()} bytes may be handed over with {@link GsoInfo#GSO_TCPV4} and a
 *       {@code gsoSize}; the link (the kernel) cuts them into segments of {@code gsoSize} payload
 *       bytes each. And inbound packets may be such super-segments (the peer's TSO not yet cut):
 *       receive buffers must hold {@link #maxPacketSize()} bytes, not just {@link PacketLink#mtu()}.</li>
 * </ul>
 *
 * @param checksum      TCP/UDP checksum offload both ways ({@code TUN_F_CSUM})
 * @param tso4          TCP segmentation offload for IPv4 ({@code TUN_F_TSO4})
 * @param tso6          TCP segmentation offload for IPv6 ({@code TUN_F_TSO6})
 * @param maxPacketSize the largest packet {@code send} accepts and {@code receive} may deliver
 *                      (65535 with TSO: the IPv4 total length field; else the MTU, 0 for "the MTU")
 * @param unavailableReason why offload was asked for and is not available (null when it is, or
 *                      when it was not asked for): shown by logs and accessors
 */
public record LinkOffload(boolean checksum, boolean tso4, boolean tso6, int maxPacketSize, String unavailableReason) {

    /** No offload; packets are at most the MTU. The default of every link. */
    public static final LinkOffload NONE = new LinkOffload(false, false, false, 0, null);

    /** Largest IPv4 packet (the total length field is 16 bits). */
    public static final int MAX_IPV4_PACKET = 0xFFFF;

    public LinkOffload {
        if ((tso4 || tso6) && !checksum) {
            throw new IllegalArgumentException("segmentation offload needs checksum offload (as TUNSETOFFLOAD)");
        }
        if (maxPacketSize < 0 || maxPacketSize > MAX_IPV4_PACKET) {
            throw new IllegalArgumentException("maxPacketSize " + maxPacketSize);
        }
    }

    /** No offload, with the reason it was asked for and could not be had. */
    public static LinkOffload unavailable(String reason) {
        return new LinkOffload(false, false, false, 0, reason);
    }

    /** True when any offload is on: the link speaks {@link GsoInfo} metadata. */
    public boolean enabled() {
        return checksum;
    }

    /** The receive buffer size a link of this MTU needs: {@link #maxPacketSize()} when larger. */
    public int receiveBufferSize(int mtu) {
        return Math.max(mtu, maxPacketSize);
    }

    @Override
    public String toString() {
        if (!checksum) {
            return unavailableReason == null ? "offload off" : "offload unavailable: " + unavailableReason;
        }
        return "offload csum" + (tso4 ? " tso4" : "") + (tso6 ? " tso6" : "") + " max " + maxPacketSize;
    }
}
