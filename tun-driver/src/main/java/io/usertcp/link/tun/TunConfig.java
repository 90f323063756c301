package io.usertcp.link.tun;

import java.util.Objects;

/**
 * How to open a TUN device: which interface, created or attached, and how to configure the
 * kernel's side of it. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * TunConfig c = TunConfig.builder().name("utcp0").kernelAddress("198.18.0.1/24").mtu(1500).build();
 * try (TunDevice tun = TunDevice.open(c)) { ... }
 * }</pre>
 *
 * <p>The kernel side (address, netmask, MTU, link up) is configured with ioctls on an AF_INET
 * datagram socket, which needs CAP_NET_ADMIN in the device's network namespace. To use a device
 * without privileges, have an administrator create and configure a persistent one
 * ({@code ip tuntap add dev NAME mode tun user USER}) and attach with {@link Mode#ATTACH} and no
 * address or MTU.
 */
public final class TunConfig {

    /** Whether {@link TunDevice#open} may create the interface, must create it, or must find it. */
    public enum Mode {
        /** Create a new interface; fail if one with the name exists (needs CAP_NET_ADMIN). */
        CREATE,
        /** Attach to an existing (persistent) interface; fail if there is none. */
        ATTACH,
        /** Attach when the interface exists, otherwise create it. The default. */
        CREATE_OR_ATTACH
    }

    /** Whether {@link TunDevice#open} turns on checksum and segmentation offload ({@code IFF_VNET_HDR}). */
    public enum Offload {
        /** Plain IP packets, no virtio_net_hdr (the default: what every {@code PacketLink} user expects). */
        OFF,
        /**
         * Offload when the kernel supports it (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6), else plain,
         * with the reason in {@link TunDevice#offloadUnavailableReason()} and a log line.
         */
        AUTO,
        /** Offload or fail to open. */
        REQUIRED
    }

    /** The TUN clone device on Linux. */
    public static final String DEFAULT_DEVICE_PATH = "/dev/net/tun";
    /** Smallest MTU an IPv4 interface may have (RFC 791: "Every internet module must be able to forward a datagram of 68 octets"). */
    public static final int MIN_MTU = 68;
    /** Largest MTU the Linux TUN driver accepts. */
    public static final int MAX_MTU = 65535;

    private final String name;
    private final String devicePath;
    private final Mode mode;
    private final int kernelAddress;
    private final int prefixLength;
    private final int mtu;
    private final boolean up;
    private final boolean upExplicit;
    private final int txQueueLength;
    private final Offload offload;
    private final int extraOffloadFlags;

    private TunConfig(Builder b) {
        this.name = b.name;
        this.devicePath = b.devicePath;
        this.mode = b.mode;
        this.kernelAddress = b.kernelAddress;
        this.prefixLength = b.prefixLength;
        this.mtu = b.mtu;
        this.up = b.up;
        this.upExplicit = b.upExplicit;
        this.txQueueLength = b.txQueueLength;
        this.offload = b.offload;
        this.extraOffloadFlags = b.extraOffloadFlags;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name;
        b.devicePath = devicePath;
        b.mode = mode;
        b.kernelAddress = kernelAddress;
        b.prefixLength = prefixLength;
        b.mtu = mtu;
        b.up = up;
        b.upExplicit = upExplicit;
        b.txQueueLength = txQueueLength;
        b.offload = offload;
        b.extraOffloadFlags = extraOffloadFlags;
        return b;
    }

    /** The interface name, or null to let the kernel choose ("tun0", "tun1", …). May contain "%d". */
    public String name() { return name; }
    public String devicePath() { return devicePath; }
    public Mode mode() { return mode; }
    /** True when {@link #kernelAddress()} and {@link #prefixLength()} are set. */
    public boolean hasKernelAddress() { return prefixLength >= 0; }
    /** The kernel side's IPv4 address as an int (198.18.0.1 = 0xC6120001); meaningful only with {@link #hasKernelAddress()}. */
    public int kernelAddress() { return kernelAddress; }
    /** The kernel side's prefix length, or -1 when no address is configured. */
    public int prefixLength() { return prefixLength; }
    /** The MTU to set, or 0 to leave the interface's MTU as it is (1500 for a new TUN). */
    public int mtu() { return mtu; }
    /** Whether to bring the link up. */
    public boolean up() { return up; }
    /**
     * Whether {@link Builder#up(boolean)} was called. When it was not and an attached device is
     * down, failing to bring it up (no CAP_NET_ADMIN) is logged rather than thrown.
     */
    public boolean upExplicit() { return upExplicit; }
    /** The kernel's transmit queue length (packets waiting for our reads) to set, or 0 to leave it. */
    public int txQueueLength() { return txQueueLength; }

    /** Whether to open with checksum/segmentation offload; see {@link Offload}. */
    public Offload offload() { return offload; }
    /** TUN_F_* bits added to TUNSETOFFLOAD (tests: an unknown bit makes the kernel refuse). */
    int extraOffloadFlags() { return extraOffloadFlags; }

    /** True when opening needs to configure the kernel side (and so needs CAP_NET_ADMIN). */
    boolean configuresKernel() {
        return hasKernelAddress() || mtu != 0 || txQueueLength != 0;
    }

    @Override
    public String toString() {
        return "TunConfig[name=" + (name == null ? "(kernel-chosen)" : name) + ", devicePath=" + devicePath + ", mode=" + mode
                + (hasKernelAddress() ? ", kernelAddress=" + Ipv4.format(kernelAddress) + "/" + prefixLength : "")
                + (mtu != 0 ? ", mtu=" + mtu : "") + ", up=" + up
                + (txQueueLength != 0 ? ", txQueueLength=" + txQueueLength : "")
                + (offload != Offload.OFF ? ", offload=" + offload : "") + "]";
    }

    /** Builder for {@link TunConfig}. */
    public static final class Builder {
        private String name;
        private String devicePath = DEFAULT_DEVICE_PATH;
        private Mode mode = Mode.CREATE_OR_ATTACH;
        private int kernelAddress;
        private int prefixLength = -1;
        private int mtu;
        private boolean up = true;
        private boolean upExplicit;
        private int txQueueLength;
        private Offload offload = Offload.OFF;
        private int extraOffloadFlags;

        private Builder() {}

        /** The interface name (at most 15 characters; "%d" lets the kernel number it), or null for kernel-chosen. */
        public Builder name(String name) {
            if (name != null) {
                if (name.isEmpty() || name.length() > 15) {
                    throw new IllegalArgumentException("interface name must have 1 to 15 characters, got '" + name + "'");
                }
                for (int i = 0; i < name.length(); i++) {
                    char c = name.charAt(i);
                    if (c <= ' ' || c == '/' || c == ':' || c > '~') {
                        throw new IllegalArgumentException("interface name '" + name + "' contains an invalid character '" + c + "'");
                    }
                }
            }
            this.name = name;
            return this;
        }

        /** The TUN clone device, {@value #DEFAULT_DEVICE_PATH} unless your system puts it elsewhere. */
        public Builder devicePath(String devicePath) {
            this.devicePath = Objects.requireNonNull(devicePath, "devicePath");
            return this;
        }

        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Shorthand for {@code mode(Mode.ATTACH)}. */
        public Builder attach() {
            return mode(Mode.ATTACH);
        }

        /** Shorthand for {@code mode(Mode.CREATE)}. */
        public Builder create() {
            return mode(Mode.CREATE);
        }

        /** The kernel side's address and prefix length, e.g. {@code (0xC6120001, 24)} for 198.18.0.1/24. */
        public Builder kernelAddress(int address, int prefixLength) {
            if (prefixLength < 0 || prefixLength > 32) {
                throw new IllegalArgumentException("prefix length must be 0..32, got " + prefixLength);
            }
            this.kernelAddress = address;
            this.prefixLength = prefixLength;
            return this;
        }

        /** The kernel side's address in CIDR form, e.g. {@code "198.18.0.1/24"}. */
        public Builder kernelAddress(String cidr) {
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("expected address/prefix such as 198.18.0.1/24, got '" + cidr + "'");
            }
            int prefix;
            try {
                prefix = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in '" + cidr + "'");
            }
            return kernelAddress(Ipv4.parse(cidr.substring(0, slash)), prefix);
        }

        /** No kernel-side address (the default). */
        public Builder noKernelAddress() {
            this.prefixLength = -1;
            this.kernelAddress = 0;
            return this;
        }

        /** The MTU to set ({@value TunConfig#MIN_MTU}..{@value TunConfig#MAX_MTU}), or 0 to leave it unchanged. */
        public Builder mtu(int mtu) {
            if (mtu != 0 && (mtu < MIN_MTU || mtu > MAX_MTU)) {
                throw new IllegalArgumentException(TunException.mtuOutOfRangeMessage(mtu, name));
            }
            this.mtu = mtu;
            return this;
        }

        /**
         * Whether to bring the link up (default true). Without an explicit call, an attached device
         * that is down and that this process may not bring up is opened anyway, with a warning.
         */
        public Builder up(boolean up) {
            this.up = up;
            this.upExplicit = true;
            return this;
        }

        /** The kernel's transmit queue length in packets (0 = leave as is; Linux's TUN default is 500). */
        public Builder txQueueLength(int packets) {
            if (packets < 0) {
                throw new IllegalArgumentException("txQueueLength must be >= 0, got " + packets);
            }
            this.txQueueLength = packets;
            return this;
        }

        /**
         * Checksum and TCP segmentation offload (default {@link Offload#OFF}): with it on, reads
         * and writes carry a {@code virtio_net_hdr}, reads may return 64 KiB super-segments and
         * the kernel cuts 64 KiB TSO writes; use {@link TunDevice#receive(java.nio.ByteBuffer,
         * io.usertcp.link.GsoInfo, long)} and 64 KiB buffers (see {@link TunDevice#offload()}).
         */
        public Builder offload(Offload offload) {
            this.offload = Objects.requireNonNull(offload, "offload");
            return this;
        }

        /** Test hook: extra TUN_F_* bits for TUNSETOFFLOAD (an unknown one makes it fail with EINVAL). */
        Builder extraOffloadFlags(int bits) {
            this.extraOffloadFlags = bits;
            return this;
        }

        public TunConfig build() {
            return new TunConfig(this);
        }
    }
}
