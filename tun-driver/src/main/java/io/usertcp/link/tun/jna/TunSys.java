package io.usertcp.link.tun.jna;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Everything the TUN code needs from the kernel, as plain Java: file descriptors are {@code int},
 * buffers are {@code ByteBuffer}, failures are {@link ErrnoException} (setup calls) or a negative
 * errno return (per-packet calls, which must not allocate or throw on the common paths).
 *
 * <p>Numbers and layouts are those of Linux on 64-bit targets ({@code <linux/if_tun.h>},
 * {@code <linux/sockios.h>}, {@code <net/if.h>}): {@code struct ifreq} is 40 bytes, the interface
 * name comes first ({@link #IFNAMSIZ} bytes with its terminating NUL), then a 24-byte union.
 */
public final class TunSys {

    // <fcntl.h>
    public static final int O_RDWR = 0x2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    // <sys/socket.h>
    public static final int AF_INET = 2;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_CLOEXEC = 0x80000;
    // <sys/eventfd.h>
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;
    // <poll.h>
    public static final short POLLIN = 0x1;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    // <linux/if_tun.h>: _IOW('T', 202, int) etc.
    public static final long TUNSETIFF = 0x400454caL;
    public static final long TUNSETPERSIST = 0x400454cbL;
    public static final long TUNSETOWNER = 0x400454ccL;
    public static final long TUNGETIFF = 0x800454d2L;
    public static final long TUNGETFEATURES = 0x800454cfL;  // _IOR('T', 207, unsigned int)
    public static final long TUNSETOFFLOAD = 0x400454d0L;   // _IOW('T', 208, unsigned int), argument by value
    public static final long TUNSETVNETHDRSZ = 0x400454d8L; // _IOW('T', 216, int), argument by pointer
    public static final int IFF_TUN = 0x0001;
    /** Every read is preceded, every write must be preceded, by a struct virtio_net_hdr. */
    public static final int IFF_VNET_HDR = 0x4000;
    // TUNSETOFFLOAD bits
    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;
    public static final int TUN_F_TSO_ECN = 0x08;
    public static final int TUN_F_UFO = 0x10;
    public static final int TUN_F_USO4 = 0x20;
    public static final int TUN_F_USO6 = 0x40;
    /** sizeof(struct virtio_net_hdr): flags u8, gso_type u8, hdr_len, gso_size, csum_start, csum_offset (u16 each). */
    public static final int VNET_HDR_SIZE = 10;
    public static final int IFF_NO_PI = 0x1000;
    public static final int IFF_TUN_EXCL = 0x8000;

    // <linux/sockios.h>
    public static final long SIOCGIFFLAGS = 0x8913;
    public static final long SIOCSIFFLAGS = 0x8914;
    public static final long SIOCSIFADDR = 0x8916;
    public static final long SIOCSIFNETMASK = 0x891c;
    public static final long SIOCGIFMTU = 0x8921;
    public static final long SIOCSIFMTU = 0x8922;
    public static final long SIOCGIFINDEX = 0x8933;
    public static final long SIOCGIFTXQLEN = 0x8942;
    public static final long SIOCSIFTXQLEN = 0x8943;

    // <net/if.h>
    public static final int IFNAMSIZ = 16;
    public static final int IFF_UP = 0x1;
    public static final int IFF_RUNNING = 0x40;

    private static final int IFREQ_SIZE = 40;
    private static final int IFR_UNION = IFNAMSIZ; // ifr_flags, ifr_mtu, ifr_ifindex, ifr_addr…

    private static final ThreadLocal<Memory> POLLFDS = ThreadLocal.withInitial(() -> new Memory(16));

    private TunSys() {}

    /** Forces the native library to load; throws {@link LinkageError} (or a JNA error) when it cannot. */
    public static void load() {
        // Touching LibC runs its static initialiser, which binds every native method.
        LibC.close(-1);
    }

    /** errno of the calling thread's last native call through JNA. */
    public static int lastErrno() {
        return Native.getLastError();
    }

    // ---------------------------------------------------------------- descriptors

    /** open(path, flags), retrying on EINTR. */
    public static int open(String path, int flags) throws ErrnoException {
        for (;;) {
            int fd = LibC.open(path, flags);
            if (fd >= 0) {
                return fd;
            }
            int err = lastErrno();
            if (err != Errno.EINTR) {
                throw new ErrnoException("open(" + path + ")", err);
            }
        }
    }

    /** close(fd), ignoring errors (as the JDK does when closing a channel). */
    public static void close(int fd) {
        if (fd >= 0) {
            LibC.close(fd);
        }
    }

    /** socket(AF_INET, SOCK_DGRAM): the handle the SIOC* ioctls configure interfaces through. */
    public static int inetDatagramSocket() throws ErrnoException {
        int fd = LibC.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new ErrnoException("socket(AF_INET, SOCK_DGRAM)", lastErrno());
        }
        return fd;
    }

    /** A non-blocking eventfd used to wake pollers on close. */
    public static int eventfd() throws ErrnoException {
        int fd = LibC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd < 0) {
            throw new ErrnoException("eventfd", lastErrno());
        }
        return fd;
    }

    /** Adds 1 to an eventfd's counter, making it readable for every poller until closed. */
    public static void signal(int eventFd) {
        byte[] one = new byte[8];
        one[java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN ? 0 : 7] = 1;
        LibC.write(eventFd, one, 8);
    }

    // ---------------------------------------------------------------- per-packet path

    /** The native address of a direct buffer's first byte (index 0). */
    public static long address(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    /** read(fd, address, count): bytes read, or -errno. */
    public static long read(int fd, long address, int count) {
        long n = LibC.read(fd, address, count);
        return n >= 0 ? n : -lastErrno();
    }

    /** read(fd, array, count) into array[0..]: bytes read, or -errno. */
    public static long read(int fd, byte[] array, int count) {
        long n = LibC.read(fd, array, count);
        return n >= 0 ? n : -lastErrno();
    }

    /** write(fd, address, count): bytes written, or -errno. */
    public static long write(int fd, long address, int count) {
        long n = LibC.write(fd, address, count);
        return n >= 0 ? n : -lastErrno();
    }

    /** write(fd, array, count) from array[0..]: bytes written, or -errno. */
    public static long write(int fd, byte[] array, int count) {
        long n = LibC.write(fd, array, count);
        return n >= 0 ? n : -lastErrno();
    }

    /**
     * Native scratch for one {@code readv}/{@code writev} of a {@code struct virtio_net_hdr} plus
     * a packet: the header bytes and a two-entry iovec. Not thread-safe: one per reading thread,
     * one per writer at a time. The header's 16-bit fields are in the host's byte order (the
     * kernel's default for TUN, "legacy" virtio, on a little-endian host).
     */
    public static final class VnetIo implements AutoCloseable {
        private static final int IOV = 16; // header at 0 (up to 16 bytes), iovec[2] at 16
        private final Memory mem = new Memory(IOV + 32);
        private final long base = Pointer.nativeValue(mem);
        private final int hdrSize;

        public VnetIo(int hdrSize) {
            if (hdrSize < VNET_HDR_SIZE || hdrSize > IOV) {
                throw new IllegalArgumentException("vnet header size " + hdrSize);
            }
            this.hdrSize = hdrSize;
            mem.clear();
            mem.setLong(IOV, base);        // iov[0].iov_base = header
            mem.setLong(IOV + 8, hdrSize); // iov[0].iov_len
        }

        public int flags() { return mem.getByte(0) & 0xFF; }
        public int gsoType() { return mem.getByte(1) & 0xFF; }
        public int hdrLen() { return mem.getShort(2) & 0xFFFF; }
        public int gsoSize() { return mem.getShort(4) & 0xFFFF; }
        public int csumStart() { return mem.getShort(6) & 0xFFFF; }
        public int csumOffset() { return mem.getShort(8) & 0xFFFF; }

        /** Fills the header for the next {@link #writev}. */
        public void set(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
            mem.setByte(0, (byte) flags);
            mem.setByte(1, (byte) gsoType);
            mem.setShort(2, (short) hdrLen);
            mem.setShort(4, (short) gsoSize);
            mem.setShort(6, (short) csumStart);
            mem.setShort(8, (short) csumOffset);
            for (int i = VNET_HDR_SIZE; i < hdrSize; i++) {
                mem.setByte(i, (byte) 0); // num_buffers (12-byte header): unused by TUN
            }
        }

        /** readv(fd, [header, count bytes at address]): packet bytes read (without the header), or -errno. */
        public long readv(int fd, long address, int count) {
            mem.setLong(IOV + 16, address);
            mem.setLong(IOV + 24, count);
            long n = LibC.readv(fd, base + IOV, 2);
            if (n < 0) {
                return -lastErrno();
            }
            return n < hdrSize ? -Errno.EIO : n - hdrSize;
        }

        /** writev(fd, [header, count bytes at address]): packet bytes written (without the header), or -errno. */
        public long writev(int fd, long address, int count) {
            mem.setLong(IOV + 16, address);
            mem.setLong(IOV + 24, count);
            long n = LibC.writev(fd, base + IOV, 2);
            if (n < 0) {
                return -lastErrno();
            }
            return Math.max(0, n - hdrSize);
        }

        @Override
        public void close() {
            mem.close();
        }
    }

    /** Result bits of {@link #pollIn}. */
    public static final int POLL_FD = 1, POLL_WAKE = 2;

    /**
     * Waits until {@code fd} or {@code wakeFd} is readable, or {@code timeoutMillis} passes (-1 =
     * forever). Returns a mask of {@link #POLL_FD} / {@link #POLL_WAKE} (0 on timeout), or -errno.
     * Error and hang-up conditions on {@code fd} count as readable so the caller's read reports them.
     */
    public static int pollIn(int fd, int wakeFd, int timeoutMillis) {
        Memory fds = POLLFDS.get();
        // struct pollfd { int fd; short events; short revents; } × 2
        fds.setInt(0, fd);
        fds.setShort(4, POLLIN);
        fds.setShort(6, (short) 0);
        fds.setInt(8, wakeFd);
        fds.setShort(12, POLLIN);
        fds.setShort(14, (short) 0);
        int r = LibC.poll(Pointer.nativeValue(fds), 2, timeoutMillis);
        if (r < 0) {
            return -lastErrno();
        }
        int mask = 0;
        if (fds.getShort(6) != 0) {
            mask |= POLL_FD;
        }
        if (fds.getShort(14) != 0) {
            mask |= POLL_WAKE;
        }
        return mask;
    }

    // ---------------------------------------------------------------- TUN set-up

    /**
     * TUNSETIFF: binds the open /dev/net/tun descriptor to the TUN interface {@code name} (created
     * if missing; kernel-chosen when {@code name} is empty or contains "%d"). Returns the
     * interface's actual name.
     */
    public static String tunSetIff(int fd, String name, int flags) throws ErrnoException {
        try (Memory ifr = ifreq(name)) {
            ifr.setShort(IFR_UNION, (short) flags);
            ioctl(fd, TUNSETIFF, ifr, "ioctl(TUNSETIFF)");
            return ifrName(ifr);
        }
    }

    /** TUNGETFEATURES: the IFF_* flags this kernel's TUN driver supports. */
    public static int tunGetFeatures(int fd) throws ErrnoException {
        try (Memory m = new Memory(4)) {
            m.setInt(0, 0);
            ioctl(fd, TUNGETFEATURES, m, "ioctl(TUNGETFEATURES)");
            return m.getInt(0);
        }
    }

    /** TUNSETVNETHDRSZ: the size of the header before each packet (at least {@link #VNET_HDR_SIZE}). */
    public static void tunSetVnetHdrSize(int fd, int size) throws ErrnoException {
        try (Memory m = new Memory(4)) {
            m.setInt(0, size);
            ioctl(fd, TUNSETVNETHDRSZ, m, "ioctl(TUNSETVNETHDRSZ)");
        }
    }

    /**
     * TUNSETOFFLOAD: which TUN_F_* offloads the reader/writer of this device handles. The kernel
     * turns them into the interface's features (TUN_F_CSUM → hw checksum, TUN_F_TSO4 → TSO, …); an
     * unknown bit is EINVAL.
     */
    public static void tunSetOffload(int fd, int tunFlags) throws ErrnoException {
        for (;;) {
            int r = LibC.ioctl(fd, TUNSETOFFLOAD, tunFlags & 0xFFFFFFFFL);
            if (r >= 0) {
                return;
            }
            int err = lastErrno();
            if (err != Errno.EINTR) {
                throw new ErrnoException("ioctl(TUNSETOFFLOAD)", err);
            }
        }
    }

    /** TUNSETPERSIST: keep (1) or drop (0) the interface when the last descriptor closes. */
    public static void tunSetPersist(int fd, boolean persist) throws ErrnoException {
        int r = LibC.ioctl(fd, TUNSETPERSIST, persist ? 1 : 0);
        if (r < 0) {
            throw new ErrnoException("ioctl(TUNSETPERSIST)", lastErrno());
        }
    }

    /** TUNSETOWNER: the uid allowed to attach to a persistent interface. */
    public static void tunSetOwner(int fd, int uid) throws ErrnoException {
        int r = LibC.ioctl(fd, TUNSETOWNER, uid);
        if (r < 0) {
            throw new ErrnoException("ioctl(TUNSETOWNER)", lastErrno());
        }
    }

    // ---------------------------------------------------------------- interface configuration

    /** SIOCSIFADDR: the interface's IPv4 address (an int in network order as a number). */
    public static void setAddress(int sock, String ifname, int ipv4) throws ErrnoException {
        try (Memory ifr = ifreq(ifname)) {
            putSockaddrIn(ifr, ipv4);
            ioctl(sock, SIOCSIFADDR, ifr, "ioctl(SIOCSIFADDR)");
        }
    }

    /** SIOCSIFNETMASK: the interface's IPv4 netmask. */
    public static void setNetmask(int sock, String ifname, int mask) throws ErrnoException {
        try (Memory ifr = ifreq(ifname)) {
            putSockaddrIn(ifr, mask);
            ioctl(sock, SIOCSIFNETMASK, ifr, "ioctl(SIOCSIFNETMASK)");
        }
    }

    /** SIOCSIFMTU. */
    public static void setMtu(int sock, String ifname, int mtu) throws ErrnoException {
        setInt(sock, ifname, SIOCSIFMTU, mtu, "ioctl(SIOCSIFMTU)");
    }

    /** SIOCGIFMTU. */
    public static int getMtu(int sock, String ifname) throws ErrnoException {
        return getInt(sock, ifname, SIOCGIFMTU, "ioctl(SIOCGIFMTU)");
    }

    /** SIOCSIFTXQLEN: the kernel's queue of packets waiting for the reader. */
    public static void setTxQueueLength(int sock, String ifname, int len) throws ErrnoException {
        setInt(sock, ifname, SIOCSIFTXQLEN, len, "ioctl(SIOCSIFTXQLEN)");
    }

    /** SIOCGIFINDEX. */
    public static int getIndex(int sock, String ifname) throws ErrnoException {
        return getInt(sock, ifname, SIOCGIFINDEX, "ioctl(SIOCGIFINDEX)");
    }

    /**
     * True when an interface of that name exists in this thread's network namespace (SIOCGIFINDEX;
     * needs no privileges, unlike /sys, which shows the namespace sysfs was mounted in).
     */
    public static boolean interfaceExists(String ifname) throws ErrnoException {
        int sock = inetDatagramSocket();
        try (Memory ifr = ifreq(ifname)) {
            int r = LibC.ioctl(sock, SIOCGIFINDEX, Pointer.nativeValue(ifr));
            if (r >= 0) {
                return true;
            }
            int err = lastErrno();
            if (err == Errno.ENODEV) {
                return false;
            }
            throw new ErrnoException("ioctl(SIOCGIFINDEX)", err);
        } finally {
            close(sock);
        }
    }

    /** SIOCGIFFLAGS (the low 16 bits: IFF_UP, IFF_RUNNING, …). */
    public static int getFlags(int sock, String ifname) throws ErrnoException {
        try (Memory ifr = ifreq(ifname)) {
            ioctl(sock, SIOCGIFFLAGS, ifr, "ioctl(SIOCGIFFLAGS)");
            return Short.toUnsignedInt(ifr.getShort(IFR_UNION));
        }
    }

    /** SIOCSIFFLAGS. */
    public static void setFlags(int sock, String ifname, int flags) throws ErrnoException {
        try (Memory ifr = ifreq(ifname)) {
            ifr.setShort(IFR_UNION, (short) flags);
            ioctl(sock, SIOCSIFFLAGS, ifr, "ioctl(SIOCSIFFLAGS)");
        }
    }

    private static void setInt(int sock, String ifname, long request, int value, String call) throws ErrnoException {
        try (Memory ifr = ifreq(ifname)) {
            ifr.setInt(IFR_UNION, value);
            ioctl(sock, request, ifr, call);
        }
    }

    private static int getInt(int sock, String ifname, long request, String call) throws ErrnoException {
        try (Memory ifr = ifreq(ifname)) {
            ioctl(sock, request, ifr, call);
            return ifr.getInt(IFR_UNION);
        }
    }

    private static void ioctl(int fd, long request, Memory arg, String call) throws ErrnoException {
        for (;;) {
            int r = LibC.ioctl(fd, request, Pointer.nativeValue(arg));
            if (r >= 0) {
                return;
            }
            int err = lastErrno();
            if (err != Errno.EINTR) {
                throw new ErrnoException(call, err);
            }
        }
    }

    private static Memory ifreq(String name) {
        byte[] n = name == null ? new byte[0] : name.getBytes(StandardCharsets.US_ASCII);
        if (n.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name '" + name + "' is longer than " + (IFNAMSIZ - 1) + " characters");
        }
        Memory ifr = new Memory(IFREQ_SIZE);
        ifr.clear();
        ifr.write(0, n, 0, n.length);
        return ifr;
    }

    private static String ifrName(Memory ifr) {
        byte[] n = ifr.getByteArray(0, IFNAMSIZ);
        int len = 0;
        while (len < n.length && n[len] != 0) {
            len++;
        }
        return new String(n, 0, len, StandardCharsets.US_ASCII);
    }

    /** struct sockaddr_in at ifr_addr: family (host order), port 0, address (network order). */
    private static void putSockaddrIn(Memory ifr, int ipv4) {
        ifr.setShort(IFR_UNION, (short) AF_INET);
        ifr.setShort(IFR_UNION + 2, (short) 0);
        ifr.setByte(IFR_UNION + 4, (byte) (ipv4 >>> 24));
        ifr.setByte(IFR_UNION + 5, (byte) (ipv4 >>> 16));
        ifr.setByte(IFR_UNION + 6, (byte) (ipv4 >>> 8));
        ifr.setByte(IFR_UNION + 7, (byte) ipv4);
    }
}
