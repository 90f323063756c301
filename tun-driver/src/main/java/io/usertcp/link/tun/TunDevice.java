package io.usertcp.link.tun;

import io.usertcp.link.GsoInfo;
import io.usertcp.link.LinkDownException;
import io.usertcp.link.LinkOffload;
import io.usertcp.link.PacketLink;
import io.usertcp.link.tun.jna.Errno;
import io.usertcp.link.tun.jna.ErrnoException;
import io.usertcp.link.tun.jna.TunSys;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Linux TUN device ({@code IFF_TUN | IFF_NO_PI}): every {@link #send} hands one IP packet to the
 * kernel as if it had arrived on the interface, every {@link #receive} takes one IP packet the
 * kernel routed out through it.
 *
 * <p>Open with {@link #open(TunConfig)}. The descriptor is non-blocking; {@code receive} reads
 * first and only when nothing is queued waits in {@code poll(2)} on the TUN descriptor and on an
 * eventfd that {@link #close()} signals, so a blocked receiver wakes at once on close. (A waiting
 * receive right after a non-waiting one found the queue empty polls first instead: a receiver that
 * drains a burst with timeout 0 then waits pays poll + read, not read + poll + read.)
 *
 * <p><b>Buffers.</b> Direct buffers go to the kernel without a copy (their native address is
 * cached per buffer). Heap buffers work too, through a copy. {@code receive} needs a buffer of at
 * least {@link #mtu()} bytes; a packet longer than the buffer would be truncated by the kernel,
 * which cannot happen as the kernel never routes a packet longer than the MTU out of a TUN.
 *
 * <p><b>Offload.</b> With {@link TunConfig.Offload#AUTO} or {@code REQUIRED} the device is opened
 * with {@code IFF_VNET_HDR} ({@code TUNSETVNETHDRSZ} 10) and {@code TUNSETOFFLOAD(TUN_F_CSUM |
 * TUN_F_TSO4 | TUN_F_TSO6)}: each packet travels behind a {@code struct virtio_net_hdr}, which
 * {@link #send(ByteBuffer, GsoInfo)} and {@link #receive(ByteBuffer, GsoInfo, long)} translate
 * from and to {@link GsoInfo} (one {@code writev}/{@code readv}, no copy for direct buffers). The
 * kernel then hands over its TCP's TSO super-segments whole (up to 64 KiB, receive buffers must
 * hold {@link LinkOffload#maxPacketSize()}), leaves TCP checksums of its own packets unfilled
 * ({@code NEEDS_CSUM}), cuts our super-segments and fills the checksums we leave. When any of
 * those ioctls fails, AUTO reopens the device plain and says why in
 * {@link #offloadUnavailableReason()} (and a log line); REQUIRED fails to open.
 *
 * <p><b>Closing.</b> {@link #close()} marks the device closed and wakes pollers; the descriptors
 * are closed by whichever comes last, {@code close()} or the last in-flight call (the JDK's
 * deferred-close pattern), so a descriptor number is never reused under a running call.
 * When the last descriptor of a non-persistent TUN closes, the kernel deletes the interface.
 *
 * <p><b>Link failures.</b> A {@code send} while the interface is down ({@code ip link set X down})
 * throws {@link LinkDownException} (not permanent: it may come back up); once the interface is
 * deleted under the open descriptor ({@code ip link del X}), {@code send} and {@code receive} throw
 * a permanent one.
 */
public final class TunDevice implements PacketLink {

    private static final System.Logger LOG = System.getLogger(TunDevice.class.getName());

    /** Closed bit of {@link #state}; the low bits count calls in flight. */
    private static final int CLOSED = Integer.MIN_VALUE;
    /** Longest single poll(2); a longer wait loops, checking the thread's interrupt flag between polls. */
    private static final int MAX_POLL_MILLIS = 250;

    private final TunConfig config;
    private final String name;
    private final int mtu;
    private final int fd;
    private final int wakeFd;
    private final boolean created;
    /** Size of the virtio_net_hdr before each packet, 0 in plain mode. */
    private final int vnetHdr;
    private final LinkOffload offload;

    private final AtomicInteger state = new AtomicInteger();
    private final AtomicBoolean released = new AtomicBoolean();

    /** One-entry caches of a direct buffer's native address (immutable holders, racy but safe). */
    private volatile AddressCache rxCache = AddressCache.NONE;
    private volatile AddressCache txCache = AddressCache.NONE;

    private final AtomicLong rxPackets = new AtomicLong();
    private final AtomicLong rxBytes = new AtomicLong();
    private final AtomicLong txPackets = new AtomicLong();
    private final AtomicLong txBytes = new AtomicLong();
    private final AtomicLong txDropped = new AtomicLong();
    private final AtomicLong rxGso = new AtomicLong();
    /** The last non-waiting read found nothing queued (a hint for the order of read and poll; racy by design). */
    private volatile boolean rxDrained;
    private final AtomicLong txGso = new AtomicLong();

    /** Native scratch of the vnet-header calls, one per caller at a time (a racing second caller makes its own). */
    private final AtomicReference<VnetScratch> rxScratch = new AtomicReference<>();
    private final AtomicReference<VnetScratch> txScratch = new AtomicReference<>();

    private TunDevice(TunConfig config, String name, int mtu, int fd, int wakeFd, boolean created, int vnetHdr,
            LinkOffload offload) {
        this.config = config;
        this.name = name;
        this.mtu = mtu;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.created = created;
        this.vnetHdr = vnetHdr;
        this.offload = offload;
    }

    /**
     * Opens (creating or attaching, per {@link TunConfig#mode()}) and configures a TUN device.
     *
     * @throws TunException with a message naming the fix when the device node is missing, rights
     *     are lacking, the device is busy, the MTU is out of range, …
     */
    public static TunDevice open(TunConfig config) throws IOException {
        try {
            TunSys.load();
        } catch (LinkageError | RuntimeException e) {
            throw new TunException(TunException.Reason.NATIVE_UNAVAILABLE, 0, Tun.nativeUnavailableMessage(e), e);
        }
        String requested = config.name();
        boolean existed = requested != null && !requested.contains("%") && interfaceExists(requested);
        if (config.mode() == TunConfig.Mode.ATTACH) {
            if (requested == null || requested.contains("%")) {
                throw new IllegalArgumentException("TunConfig mode ATTACH needs the name of an existing device");
            }
            if (!existed) {
                throw TunErrors.noSuchInterface(requested);
            }
        }
        if (config.mode() == TunConfig.Mode.CREATE && existed) {
            throw TunErrors.exists(requested, null);
        }

        int fd = openNode(config);
        int wakeFd = -1;
        try {
            int flags = TunSys.IFF_TUN | TunSys.IFF_NO_PI;
            if (config.mode() == TunConfig.Mode.CREATE) {
                flags |= TunSys.IFF_TUN_EXCL; // EBUSY if it appeared between our check and now
            }
            String name = null;
            int vnetHdr = 0;
            LinkOffload offload = LinkOffload.NONE;
            if (config.offload() != TunConfig.Offload.OFF) {
                String why = null;
                try {
                    if ((TunSys.tunGetFeatures(fd) & TunSys.IFF_VNET_HDR) == 0) {
                        why = "the kernel's TUN driver does not offer IFF_VNET_HDR (TUNGETFEATURES)";
                    } else {
                        name = TunSys.tunSetIff(fd, requested == null ? "" : requested, flags | TunSys.IFF_VNET_HDR);
                        TunSys.tunSetVnetHdrSize(fd, TunSys.VNET_HDR_SIZE);
                        TunSys.tunSetOffload(fd, TunSys.TUN_F_CSUM | TunSys.TUN_F_TSO4 | TunSys.TUN_F_TSO6
                                | config.extraOffloadFlags());
                        vnetHdr = TunSys.VNET_HDR_SIZE;
                        offload = new LinkOffload(true, true, true, LinkOffload.MAX_IPV4_PACKET, null);
                    }
                } catch (ErrnoException e) {
                    why = e.getMessage();
                }
                if (why != null) {
                    if (config.offload() == TunConfig.Offload.REQUIRED) {
                        throw new TunException(TunException.Reason.OTHER, 0,
                                "TUN offload (IFF_VNET_HDR, TUNSETOFFLOAD csum/tso4/tso6) is required and unavailable: " + why, null);
                    }
                    if (name != null) {
                        // TUNSETIFF took the vnet header but the offload ioctls failed: start again
                        // plain on a new descriptor (the flags of a bound descriptor cannot change).
                        TunSys.close(fd);
                        fd = -1;
                        fd = openNode(config);
                        name = null;
                    }
                    offload = LinkOffload.unavailable(why);
                    String reason = why;
                    LOG.log(System.Logger.Level.INFO, () -> "TUN " + (requested == null ? "" : requested + " ")
                            + "without offload (plain packets): " + reason);
                }
            }
            if (name == null) {
                try {
                    name = TunSys.tunSetIff(fd, requested == null ? "" : requested, flags);
                } catch (ErrnoException e) {
                    throw TunErrors.setIffFailed(config, existed, e);
                }
            }
            int mtu = configureKernelSide(config, name);
            wakeFd = TunSys.eventfd();
            TunDevice d = new TunDevice(config, name, mtu, fd, wakeFd, !existed, vnetHdr, offload);
            LOG.log(System.Logger.Level.DEBUG, () -> "opened " + d);
            return d;
        } catch (IOException | RuntimeException | Error e) {
            TunSys.close(fd);
            TunSys.close(wakeFd);
            throw e;
        }
    }

    private static int openNode(TunConfig config) throws IOException {
        try {
            return TunSys.open(config.devicePath(), TunSys.O_RDWR | TunSys.O_NONBLOCK | TunSys.O_CLOEXEC);
        } catch (ErrnoException e) {
            throw TunErrors.openFailed(config.devicePath(), e);
        }
    }

    /** Shorthand: create (or attach to) {@code name} with the kernel side at {@code cidr} and the given MTU. */
    public static TunDevice open(String name, String cidr, int mtu) throws IOException {
        return open(TunConfig.builder().name(name).kernelAddress(cidr).mtu(mtu).build());
    }

    /** Whether an interface called {@code name} exists in this network namespace. */
    public static boolean interfaceExists(String name) throws IOException {
        try {
            TunSys.load();
            return TunSys.interfaceExists(name);
        } catch (ErrnoException e) {
            throw new TunException(TunException.Reason.OTHER, e.errno(), "cannot look up interface " + name + ": " + e.getMessage(), e);
        } catch (LinkageError e) {
            throw new TunException(TunException.Reason.NATIVE_UNAVAILABLE, 0, Tun.nativeUnavailableMessage(e), e);
        }
    }

    /** Applies MTU, address, netmask, queue length and link-up through SIOC* ioctls; returns the MTU in effect. */
    private static int configureKernelSide(TunConfig c, String name) throws IOException {
        int sock;
        try {
            sock = TunSys.inetDatagramSocket();
        } catch (ErrnoException e) {
            throw new TunException(TunException.Reason.OTHER, e.errno(),
                    "cannot open an AF_INET socket to configure " + name + ": " + e.getMessage(), e);
        }
        try {
            if (c.mtu() != 0) {
                try {
                    TunSys.setMtu(sock, name, c.mtu());
                } catch (ErrnoException e) {
                    throw TunErrors.configureFailed(c, name, "MTU " + c.mtu(), e);
                }
            }
            if (c.txQueueLength() != 0) {
                try {
                    TunSys.setTxQueueLength(sock, name, c.txQueueLength());
                } catch (ErrnoException e) {
                    throw TunErrors.configureFailed(c, name, "txqueuelen " + c.txQueueLength(), e);
                }
            }
            if (c.hasKernelAddress()) {
                String what = "address " + Ipv4.format(c.kernelAddress()) + "/" + c.prefixLength();
                try {
                    TunSys.setAddress(sock, name, c.kernelAddress());
                    TunSys.setNetmask(sock, name, Ipv4.netmask(c.prefixLength()));
                } catch (ErrnoException e) {
                    throw TunErrors.configureFailed(c, name, what, e);
                }
            }
            try {
                int flags = TunSys.getFlags(sock, name);
                if (c.up() && (flags & TunSys.IFF_UP) == 0) {
                    TunSys.setFlags(sock, name, flags | TunSys.IFF_UP);
                }
            } catch (ErrnoException e) {
                TunException t = TunErrors.configureFailed(c, name, "link up", e);
                if (c.upExplicit() || c.configuresKernel() || t.reason() != TunException.Reason.NO_PERMISSION) {
                    throw t;
                }
                // Attached to someone else's device that is down: usable once they bring it up.
                LOG.log(System.Logger.Level.WARNING, "TUN device " + name + " is down and this process may not bring it up;"
                        + " no packets will pass until it is up: `sudo ip link set " + name + " up`");
            }
            try {
                return TunSys.getMtu(sock, name);
            } catch (ErrnoException e) {
                throw TunErrors.configureFailed(c, name, "reading the MTU", e);
            }
        } finally {
            TunSys.close(sock);
        }
    }

    @Override public String name() { return name; }
    @Override public int mtu() { return mtu; }

    /** The configuration this device was opened with. */
    public TunConfig config() { return config; }

    /** True when this call created the interface (it vanishes on close unless made persistent elsewhere). */
    public boolean created() { return created; }

    public long rxPackets() { return rxPackets.get(); }
    public long rxBytes() { return rxBytes.get(); }
    public long txPackets() { return txPackets.get(); }
    public long txBytes() { return txBytes.get(); }
    /** Packets the kernel would not take (EAGAIN/ENOBUFS on write); each was dropped. */
    public long txDropped() { return txDropped.get(); }
    /** Super-segments received whole (GSO metadata set by the kernel; counted in rxPackets too). */
    public long rxGsoPackets() { return rxGso.get(); }
    /** Super-segments sent for the kernel to cut (counted in txPackets too). */
    public long txGsoPackets() { return txGso.get(); }

    /** What this device offloads: {@link LinkOffload#NONE} unless opened with offload and the kernel agreed. */
    @Override
    public LinkOffload offload() { return offload; }

    /**
     * Why offload was asked for ({@link TunConfig.Offload#AUTO}) and not turned on (the failing
     * ioctl and its errno), or null when it is on or was not asked for.
     */
    public String offloadUnavailableReason() { return offload.unavailableReason(); }

    public boolean isOpen() {
        return state.get() >= 0;
    }

    // ------------------------------------------------------------------ data path

    @Override
    public void send(ByteBuffer packet) throws IOException {
        if (vnetHdr != 0) {
            send(packet, 0, 0, 0, 0, 0, 0);
            return;
        }
        int len = packet.remaining();
        if (len == 0) {
            throw new IllegalArgumentException("empty packet");
        }
        begin();
        try {
            long n;
            if (packet.isDirect()) {
                n = TunSys.write(fd, address(packet, true) + packet.position(), len);
            } else {
                byte[] a = packet.array();
                int off = packet.arrayOffset() + packet.position();
                if (off != 0) {
                    a = java.util.Arrays.copyOfRange(a, off, off + len);
                }
                n = TunSys.write(fd, a, len);
            }
            afterWrite(n, len, false);
        } finally {
            end();
        }
    }

    /**
     * Sends with offload metadata: a TCP packet whose checksum the kernel fills
     * ({@link GsoInfo#FLAG_NEEDS_CSUM}, checksum field = pseudo-header sum) or a TCP/IPv4 or IPv6
     * super-segment of up to 65535 bytes the kernel cuts into {@code gsoSize} payloads. On a device
     * without offload only plain metadata is accepted.
     */
    @Override
    public void send(ByteBuffer packet, GsoInfo gso) throws IOException {
        if (vnetHdr == 0) {
            PacketLink.super.send(packet, gso);
            return;
        }
        send(packet, gso.flags(), gso.gsoType(), gso.hdrLen(), gso.gsoSize(), gso.csumStart(), gso.csumOffset());
    }

    private void send(ByteBuffer packet, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset)
            throws IOException {
        int len = packet.remaining();
        if (len == 0) {
            throw new IllegalArgumentException("empty packet");
        }
        if (len > offload.maxPacketSize()) {
            throw new IllegalArgumentException("packet of " + len + " bytes is longer than " + offload.maxPacketSize());
        }
        begin();
        VnetScratch io = take(txScratch);
        try {
            io.vnet.set(flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset);
            long n;
            if (packet.isDirect()) {
                n = io.vnet.writev(fd, address(packet, true) + packet.position(), len);
            } else {
                io.direct().put(0, packet, packet.position(), len);
                n = io.vnet.writev(fd, io.directAddress, len);
            }
            afterWrite(n, len, (gsoType & ~GsoInfo.GSO_ECN) != GsoInfo.GSO_NONE);
        } finally {
            txScratch.set(io);
            end();
        }
    }

    private void afterWrite(long n, int len, boolean gso) throws IOException {
        if (n == len) {
            txPackets.incrementAndGet();
            txBytes.addAndGet(len);
            if (gso) {
                txGso.incrementAndGet();
            }
            return;
        }
        if (n == -Errno.EAGAIN || n == -Errno.ENOBUFS || n == -Errno.ENOMEM || n == -Errno.EINTR) {
            txDropped.incrementAndGet();
            return;
        }
        if (n >= 0) {
            throw new IOException("short write to TUN device " + name + ": " + n + " of " + len + " bytes");
        }
        if (n == -Errno.EIO) {
            // tun_get_user: a write to a TUN whose interface is not IFF_UP fails with EIO.
            throw new LinkDownException(name, false, "TUN device " + name + " is down");
        }
        if (n == -Errno.EBADFD || n == -Errno.ENODEV || n == -Errno.ENXIO) {
            throw gone(n);
        }
        throw new IOException("write to TUN device " + name + " failed (" + len + " bytes): "
                + Errno.describe((int) -n) + (n == -Errno.EINVAL ? (vnetHdr != 0
                ? " — the kernel rejects packets that are not IPv4/IPv6, or offload metadata that does not match the packet"
                : " — the kernel rejects packets that are not IPv4/IPv6") : ""));
    }

    /**
     * Whether the interface is administratively up (SIOCGIFFLAGS, IFF_UP), in this thread's network
     * namespace; false once closed or when the interface no longer exists. An ioctl that fails for
     * another reason says true (we cannot tell).
     */
    @Override
    public boolean isUp() {
        if (state.get() < 0) {
            return false;
        }
        int sock;
        try {
            sock = TunSys.inetDatagramSocket();
        } catch (ErrnoException e) {
            return true;
        }
        try {
            return (TunSys.getFlags(sock, name) & TunSys.IFF_UP) != 0;
        } catch (ErrnoException e) {
            return e.errno() != Errno.ENODEV;
        } finally {
            TunSys.close(sock);
        }
    }

    /** The interface was deleted under our descriptor (tun_chr_read/write_iter: no tun attached, EBADFD). */
    private LinkDownException gone(long n) {
        return new LinkDownException(name, true, "TUN device " + name + " is gone (" + Errno.describe((int) -n)
                + "): the interface was deleted");
    }

    @Override
    public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        return receive(dst, null, timeoutNanos);
    }

    /**
     * Receives one packet and its offload metadata (cleared on a device without offload). With
     * offload on, {@code dst} must hold {@link LinkOffload#maxPacketSize()} bytes: the kernel's TCP
     * hands over TSO super-segments whole ({@code gso.isGso()}, {@code gso.gsoSize()} = its MSS),
     * and its packets carry {@code NEEDS_CSUM} (TCP checksum not filled in: do not verify it).
     */
    @Override
    public int receive(ByteBuffer dst, GsoInfo gso, long timeoutNanos) throws IOException {
        if (gso != null) {
            gso.clear();
        }
        int need = vnetHdr != 0 ? offload.maxPacketSize() : mtu;
        if (dst.capacity() < need) {
            if (vnetHdr != 0) {
                throw new IllegalArgumentException("receive buffer of " + dst.capacity() + " bytes is smaller than "
                        + need + ": " + name + " has offload on and may deliver 64 KiB super-segments");
            }
            throw new IllegalArgumentException("receive buffer of " + dst.capacity() + " bytes is smaller than the MTU " + mtu + " of " + name);
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer");
        }
        begin();
        try {
            long deadline = 0;
            boolean timed = false;
            // When the previous read found the queue empty (a receiver that just drained a burst
            // and now waits), poll first: read, EAGAIN, poll, read would cost one syscall more.
            boolean pollFirst = timeoutNanos > 0 && rxDrained;
            for (;;) {
                long n;
                if (pollFirst) {
                    pollFirst = false;
                    n = -Errno.EAGAIN;
                } else if (vnetHdr != 0) {
                    n = readVnet(dst, gso);
                } else if (dst.isDirect()) {
                    n = TunSys.read(fd, address(dst, false), dst.capacity());
                } else if (dst.arrayOffset() == 0) {
                    n = TunSys.read(fd, dst.array(), dst.capacity());
                } else {
                    byte[] tmp = new byte[dst.capacity()];
                    n = TunSys.read(fd, tmp, tmp.length);
                    if (n > 0) {
                        dst.put(0, tmp, 0, (int) n);
                    }
                }
                if (n > 0) {
                    if (rxDrained) {
                        rxDrained = false;
                    }
                    dst.position(0).limit((int) n);
                    rxPackets.incrementAndGet();
                    rxBytes.addAndGet(n);
                    return (int) n;
                }
                if (n != -Errno.EAGAIN && n != -Errno.EINTR) {
                    if (state.get() < 0) {
                        throw new ClosedChannelException();
                    }
                    if (n == -Errno.EBADFD || n == -Errno.ENODEV || n == -Errno.ENXIO) {
                        throw gone(n);
                    }
                    throw new IOException("read from TUN device " + name + " failed: "
                            + (n == 0 ? "end of file" : Errno.describe((int) -n)));
                }
                if (state.get() < 0) {
                    throw new ClosedChannelException();
                }
                if (timeoutNanos <= 0) {
                    rxDrained = true;
                    return 0;
                }
                int waitMillis;
                if (timeoutNanos >= Long.MAX_VALUE / 2) {
                    // close() wakes us through the eventfd; the slice only bounds how late an interrupt is seen.
                    waitMillis = MAX_POLL_MILLIS;
                } else {
                    long now = System.nanoTime();
                    if (!timed) {
                        deadline = now + timeoutNanos;
                        timed = true;
                    }
                    long remaining = deadline - now;
                    if (remaining <= 0) {
                        return 0;
                    }
                    // Round up so a short timeout still waits instead of spinning.
                    long ms = (remaining + 999_999) / 1_000_000;
                    waitMillis = (int) Math.min(ms, MAX_POLL_MILLIS);
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted while waiting for a packet on " + name);
                }
                int r = TunSys.pollIn(fd, wakeFd, waitMillis);
                if (r < 0 && r != -Errno.EINTR) {
                    throw new IOException("poll on TUN device " + name + " failed: " + Errno.describe(-r));
                }
                if (r > 0 && (r & TunSys.POLL_WAKE) != 0) {
                    throw new ClosedChannelException();
                }
            }
        } finally {
            end();
        }
    }

    /** One readv of header + packet into dst (direct) or through the scratch (heap); fills gso. */
    private long readVnet(ByteBuffer dst, GsoInfo gso) {
        VnetScratch io = take(rxScratch);
        try {
            long n;
            int cap = Math.min(dst.capacity(), offload.maxPacketSize());
            if (dst.isDirect()) {
                n = io.vnet.readv(fd, address(dst, false), cap);
            } else {
                ByteBuffer bounce = io.direct();
                n = io.vnet.readv(fd, io.directAddress, cap);
                if (n > 0) {
                    dst.limit(dst.capacity()).put(0, bounce, 0, (int) n);
                }
            }
            if (n > 0) {
                int gsoType = io.vnet.gsoType();
                if ((gsoType & ~GsoInfo.GSO_ECN) != GsoInfo.GSO_NONE) {
                    rxGso.incrementAndGet();
                }
                if (gso != null) {
                    gso.set(io.vnet.flags(), gsoType, io.vnet.hdrLen(), io.vnet.gsoSize(), io.vnet.csumStart(),
                            io.vnet.csumOffset());
                }
            }
            return n;
        } finally {
            rxScratch.set(io);
        }
    }

    private VnetScratch take(AtomicReference<VnetScratch> pool) {
        VnetScratch io = pool.getAndSet(null);
        return io != null ? io : new VnetScratch(vnetHdr);
    }

    /** A readv/writev header+iovec and, for heap buffers, a direct bounce buffer of 64 KiB (made on first use). */
    private static final class VnetScratch {
        final TunSys.VnetIo vnet;
        private ByteBuffer direct;
        long directAddress;

        VnetScratch(int hdrSize) {
            this.vnet = new TunSys.VnetIo(hdrSize);
        }

        ByteBuffer direct() {
            if (direct == null) {
                direct = ByteBuffer.allocateDirect(LinkOffload.MAX_IPV4_PACKET);
                directAddress = TunSys.address(direct);
            }
            return direct;
        }
    }

    private long address(ByteBuffer direct, boolean tx) {
        AddressCache c = tx ? txCache : rxCache;
        if (c.buffer != direct) {
            c = new AddressCache(direct, TunSys.address(direct));
            if (tx) {
                txCache = c;
            } else {
                rxCache = c;
            }
        }
        return c.address;
    }

    private static final class AddressCache {
        static final AddressCache NONE = new AddressCache(null, 0);
        final ByteBuffer buffer;
        final long address;

        AddressCache(ByteBuffer buffer, long address) {
            this.buffer = buffer;
            this.address = address;
        }
    }

    // ------------------------------------------------------------------ close protocol

    private void begin() throws ClosedChannelException {
        for (;;) {
            int s = state.get();
            if (s < 0) {
                throw new ClosedChannelException();
            }
            if (state.compareAndSet(s, s + 1)) {
                return;
            }
        }
    }

    private void end() {
        if (state.decrementAndGet() == CLOSED) {
            release(); // close() ran while we were in flight and we are the last one out
        }
    }

    /** Closes the device; blocked receivers wake with ClosedChannelException. Idempotent. */
    @Override
    public void close() {
        int before = state.getAndUpdate(s -> s | CLOSED);
        if (before < 0) {
            return;
        }
        TunSys.signal(wakeFd);
        if (before == 0) {
            release();
        }
    }

    private void release() {
        if (released.compareAndSet(false, true)) {
            TunSys.close(fd);
            TunSys.close(wakeFd);
            LOG.log(System.Logger.Level.DEBUG, () -> "closed " + name + " (rx " + rxPackets + " packets, tx " + txPackets + ", dropped "
                    + txDropped + ")");
        }
    }

    @Override
    public String toString() {
        return "TunDevice[" + name + ", mtu=" + mtu + (vnetHdr != 0 ? ", " + offload : "") + (config.hasKernelAddress() ? ", kernel " + Ipv4.format(config.kernelAddress())
                + "/" + config.prefixLength() : "") + (created ? ", created" : ", attached") + "]";
    }
}
