package io.usertcp.link.tun;

import io.usertcp.link.LinkDownException;
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

/**
 * A Linux TUN device ({@code IFF_TUN | IFF_NO_PI}): every {@link #send} hands one IP packet to the
 * kernel as if it had arrived on the interface, every {@link #receive} takes one IP packet the
 * kernel routed out through it.
 *
 * <p>Open with {@link #open(TunConfig)}. The descriptor is non-blocking; {@code receive} reads
 * first and only when nothing is queued waits in {@code poll(2)} on the TUN descriptor and on an
 * eventfd that {@link #close()} signals, so a blocked receiver wakes at once on close.
 *
 * <p><b>Buffers.</b> Direct buffers go to the kernel without a copy (their native address is
 * cached per buffer). Heap buffers work too, through a copy. {@code receive} needs a buffer of at
 * least {@link #mtu()} bytes; a packet longer than the buffer would be truncated by the kernel,
 * which cannot happen as the kernel never routes a packet longer than the MTU out of a TUN.
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

    private TunDevice(TunConfig config, String name, int mtu, int fd, int wakeFd, boolean created) {
        this.config = config;
        this.name = name;
        this.mtu = mtu;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.created = created;
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

        int fd;
        try {
            fd = TunSys.open(config.devicePath(), TunSys.O_RDWR | TunSys.O_NONBLOCK | TunSys.O_CLOEXEC);
        } catch (ErrnoException e) {
            throw TunErrors.openFailed(config.devicePath(), e);
        }
        int wakeFd = -1;
        try {
            int flags = TunSys.IFF_TUN | TunSys.IFF_NO_PI;
            if (config.mode() == TunConfig.Mode.CREATE) {
                flags |= TunSys.IFF_TUN_EXCL; // EBUSY if it appeared between our check and now
            }
            String name;
            try {
                name = TunSys.tunSetIff(fd, requested == null ? "" : requested, flags);
            } catch (ErrnoException e) {
                throw TunErrors.setIffFailed(config, existed, e);
            }
            int mtu = configureKernelSide(config, name);
            wakeFd = TunSys.eventfd();
            TunDevice d = new TunDevice(config, name, mtu, fd, wakeFd, !existed);
            LOG.log(System.Logger.Level.DEBUG, () -> "opened " + d);
            return d;
        } catch (IOException | RuntimeException | Error e) {
            TunSys.close(fd);
            TunSys.close(wakeFd);
            throw e;
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

    public boolean isOpen() {
        return state.get() >= 0;
    }

    // ------------------------------------------------------------------ data path

    @Override
    public void send(ByteBuffer packet) throws IOException {
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
            if (n == len) {
                txPackets.incrementAndGet();
                txBytes.addAndGet(len);
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
                    + Errno.describe((int) -n) + (n == -Errno.EINVAL ? " — the kernel rejects packets that are not IPv4/IPv6" : ""));
        } finally {
            end();
        }
    }

    @Override
    public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        if (dst.capacity() < mtu) {
            throw new IllegalArgumentException("receive buffer of " + dst.capacity() + " bytes is smaller than the MTU " + mtu + " of " + name);
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer");
        }
        begin();
        try {
            long deadline = 0;
            boolean timed = false;
            for (;;) {
                long n;
                if (dst.isDirect()) {
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

    /** The interface was deleted under our descriptor (tun_chr_read/write_iter: no tun attached, EBADFD). */
    private LinkDownException gone(long n) {
        return new LinkDownException(name, true, "TUN device " + name + " is gone (" + Errno.describe((int) -n)
                + "): the interface was deleted");
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
        return "TunDevice[" + name + ", mtu=" + mtu + (config.hasKernelAddress() ? ", kernel " + Ipv4.format(config.kernelAddress())
                + "/" + config.prefixLength() : "") + (created ? ", created" : ", attached") + "]";
    }
}
