package io.usertcp.link;

/**
 * Per-packet offload metadata: Linux's {@code struct virtio_net_hdr} ({@code <linux/virtio_net.h>})
 * as Java fields. Mutable and reusable, so that neither sending nor receiving allocates: the sender
 * fills one and passes it to {@link PacketLink#send(java.nio.ByteBuffer, GsoInfo)}, the receiver
 * passes one to {@link PacketLink#receive(java.nio.ByteBuffer, GsoInfo, long)}, which overwrites it.
 *
 * <p>Offsets ({@link #hdrLen}, {@link #csumStart}) count from the first byte of the IP header.
 *
 * <pre>{@code
 * // a 64 KiB TCP/IPv4 super-segment the kernel cuts into 1448-byte segments, TCP checksum left
 * // to the kernel (the checksum field holds the pseudo-header sum):
 * gso.set(GsoInfo.FLAG_NEEDS_CSUM, GsoInfo.GSO_TCPV4, ipHl + tcpHl, 1448, ipHl, 16);
 * }</pre>
 */
public final class GsoInfo {

    /** VIRTIO_NET_HDR_F_NEEDS_CSUM: the checksum at csumStart + csumOffset covers only the pseudo-header; fill it. */
    public static final int FLAG_NEEDS_CSUM = 1;
    /** VIRTIO_NET_HDR_F_DATA_VALID: the checksum was verified already (inbound only). */
    public static final int FLAG_DATA_VALID = 2;

    /** VIRTIO_NET_HDR_GSO_NONE: an ordinary packet. */
    public static final int GSO_NONE = 0;
    /** VIRTIO_NET_HDR_GSO_TCPV4: a TCP/IPv4 super-segment, cut into gsoSize-byte payloads. */
    public static final int GSO_TCPV4 = 1;
    /** VIRTIO_NET_HDR_GSO_UDP (UFO, obsolete). */
    public static final int GSO_UDP = 3;
    /** VIRTIO_NET_HDR_GSO_TCPV6. */
    public static final int GSO_TCPV6 = 4;
    /** VIRTIO_NET_HDR_GSO_UDP_L4 (USO). */
    public static final int GSO_UDP_L4 = 5;
    /** VIRTIO_NET_HDR_GSO_ECN bit: the super-segment has CWR set (ECN). */
    public static final int GSO_ECN = 0x80;

    /** TCP checksum field offset inside the TCP header (RFC 9293 §3.1). */
    public static final int TCP_CSUM_OFFSET = 16;

    private int flags;
    private int gsoType;
    private int hdrLen;
    private int gsoSize;
    private int csumStart;
    private int csumOffset;

    /** An empty holder: no flags, {@link #GSO_NONE}. */
    public GsoInfo() { }

    /** Back to "an ordinary packet, checksums complete". */
    public GsoInfo clear() {
        flags = gsoType = hdrLen = gsoSize = csumStart = csumOffset = 0;
        return this;
    }

    /** Sets every field (each an unsigned 8- or 16-bit value as in the kernel's struct). */
    public GsoInfo set(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        this.flags = flags & 0xFF;
        this.gsoType = gsoType & 0xFF;
        this.hdrLen = hdrLen & 0xFFFF;
        this.gsoSize = gsoSize & 0xFFFF;
        this.csumStart = csumStart & 0xFFFF;
        this.csumOffset = csumOffset & 0xFFFF;
        return this;
    }

    /**
     * A TCP/IPv4 packet whose TCP checksum the link fills in ({@code ipHeaderLength} bytes of IP
     * header, then {@code tcpHeaderLength} of TCP header); when {@code gsoSize > 0} and the payload
     * is longer, a super-segment cut into {@code gsoSize}-byte payloads.
     */
    public GsoInfo tcp4(int ipHeaderLength, int tcpHeaderLength, int gsoSize, int payloadLength) {
        boolean gso = gsoSize > 0 && payloadLength > gsoSize;
        return set(FLAG_NEEDS_CSUM, gso ? GSO_TCPV4 : GSO_NONE, ipHeaderLength + tcpHeaderLength, gso ? gsoSize : 0,
                ipHeaderLength, TCP_CSUM_OFFSET);
    }

    public int flags() { return flags; }
    public int gsoType() { return gsoType; }
    public int hdrLen() { return hdrLen; }
    public int gsoSize() { return gsoSize; }
    public int csumStart() { return csumStart; }
    public int csumOffset() { return csumOffset; }

    /** True when the packet's transport checksum is not complete (the link or its reader must fill it). */
    public boolean needsChecksum() { return (flags & FLAG_NEEDS_CSUM) != 0; }

    /**
     * True when a receiver need not (and, with {@link #needsChecksum()}, must not) verify the
     * transport checksum: the packet was made by the local kernel or checked by it.
     */
    public boolean checksumTrusted() { return (flags & (FLAG_NEEDS_CSUM | FLAG_DATA_VALID)) != 0; }

    /** True when this is a super-segment to be cut (or one that was not cut) into gsoSize pieces. */
    public boolean isGso() { return (gsoType & ~GSO_ECN) != GSO_NONE; }

    /** True when nothing is asked of the link: the packet is complete as it is. */
    public boolean isPlain() { return flags == 0 && gsoType == GSO_NONE; }

    /** Copies another holder's fields. */
    public GsoInfo copyFrom(GsoInfo o) {
        return set(o.flags, o.gsoType, o.hdrLen, o.gsoSize, o.csumStart, o.csumOffset);
    }

    @Override
    public String toString() {
        if (isPlain()) {
            return "gso[none]";
        }
        StringBuilder b = new StringBuilder("gso[");
        if ((flags & FLAG_NEEDS_CSUM) != 0) b.append("needs_csum ").append(csumStart).append('+').append(csumOffset).append(' ');
        if ((flags & FLAG_DATA_VALID) != 0) b.append("data_valid ");
        switch (gsoType & ~GSO_ECN) {
            case GSO_NONE -> b.append("none");
            case GSO_TCPV4 -> b.append("tcpv4");
            case GSO_TCPV6 -> b.append("tcpv6");
            case GSO_UDP -> b.append("udp");
            case GSO_UDP_L4 -> b.append("udp_l4");
            default -> b.append("type ").append(gsoType & ~GSO_ECN);
        }
        if ((gsoType & GSO_ECN) != 0) b.append("|ecn");
        if (isGso()) b.append(" size ").append(gsoSize).append(" hdr ").append(hdrLen);
        return b.append(']').toString();
    }
}
