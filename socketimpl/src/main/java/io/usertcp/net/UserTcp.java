package io.usertcp.net;

import io.usertcp.link.PacketLink;
import io.usertcp.link.PcapTap;
import io.usertcp.link.tun.Tun;
import io.usertcp.link.tun.TunConfig;
import io.usertcp.link.tun.TunDevice;
import io.usertcp.observe.Observability;
import io.usertcp.stack.Stack;
import io.usertcp.tcp.TcpConfig;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

/**
 * The entry point: configure, {@link #start()} a usertcp stack on a TUN device (or on its loopback
 * only), then either {@link #installFactories()} so that every {@code java.net.Socket} and
 * {@code ServerSocket} of the JVM runs over it, or hand out {@link #socketFactory()} /
 * {@link #serverSocketFactory()} to chosen code only.
 *
 * <pre>{@code
 * UserTcp ut = UserTcp.builder().tun("ut0").address("198.18.0.2/24").gateway("198.18.0.1").start();
 * ut.installFactories();      // from now on new Socket() is usertcp
 * ...
 * ut.close();
 * }</pre>
 *
 * <p>With a TUN name, {@link #start()} attaches to the device when it exists, or creates it when
 * allowed (CAP_NET_ADMIN): the kernel side then gets {@code gateway/prefix}, the MTU, link up.
 * Without one the stack has only its loopback (127.0.0.0/8), which is enough for tests.
 */
public final class UserTcp implements Closeable {

    /** How the stack's traffic is traced. */
    public enum Trace {
        /** Nothing. */
        OFF,
        /** One line per TCP segment and per state change, on the trace stream, as they happen. */
        SEGMENTS,
        /**
         * A {@link io.usertcp.observe.LadderDiagram} per connection, drawn on the trace stream when
         * the connection is CLOSED (and written as SVG when {@link Builder#ladderSvgDir} is set).
         */
        LADDER
    }

    /** The default addresses: the stack at 198.18.0.2/24, the kernel side of the TUN at 198.18.0.1. */
    public static final String DEFAULT_ADDRESS = "198.18.0.2/24";
    public static final String DEFAULT_GATEWAY = "198.18.0.1";
    public static final int DEFAULT_MTU = 1500;

    private final Config config;
    private final Stack stack;
    private final PacketLink link; // null in loopback-only mode
    private final TracePrinter tracePrinter; // null unless tracing
    private final Observability observability;
    private final SocketFactory socketFactory;
    private final ServerSocketFactory serverSocketFactory;
    private volatile boolean closed;

    private UserTcp(Config config, Stack stack, PacketLink link) {
        this.config = config;
        this.stack = stack;
        this.link = link;
        // The MBean io.usertcp:type=Stack,name=<tun or loopback> and the JFR events (issue 9).
        this.observability = Observability.attach(stack, config.tun != null ? config.tun : "loopback");
        // trace= uses the observability layer's one recorder (the MBean's TraceEnabled switches the same).
        if (config.trace != Trace.OFF) {
            this.tracePrinter = new TracePrinter(observability.recorder(), config.trace, config.traceOut,
                    config.ladderSvgDir);
            observability.setTracing(true);
        } else {
            this.tracePrinter = null;
        }
        this.socketFactory = new UserTcpSocketFactory(stack);
        this.serverSocketFactory = new UserTcpServerSocketFactory(stack);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A stack with only its loopback (127.0.0.0/8): no device, no privileges, for tests. */
    public static UserTcp loopbackOnly() throws IOException {
        return builder().start();
    }

    /** The engine. */
    public Stack stack() {
        return stack;
    }

    /** The stack's MBean, JFR events and run-time switchable segment trace. */
    public Observability observability() {
        return observability;
    }

    /** The configuration this instance was started with. */
    public Config config() {
        return config;
    }

    /** The stack's own address (its TUN address, or 127.0.0.1 in loopback-only mode). */
    public InetAddress address() {
        return stack.primaryAddress();
    }

    /** Sockets over this stack, without touching the JVM-wide factories. */
    public SocketFactory socketFactory() {
        return socketFactory;
    }

    /** Server sockets over this stack, without touching the JVM-wide factories. */
    public ServerSocketFactory serverSocketFactory() {
        return serverSocketFactory;
    }

    /**
     * Makes every {@code java.net.Socket} and {@code ServerSocket} created from now on in this JVM
     * use this stack: {@link Socket#setSocketImplFactory} and {@link ServerSocket#setSocketFactory},
     * both (JDK-CONTRACT.md §1.3: a usertcp server impl accepts only into a usertcp impl). Each JDK
     * factory can be set once per JVM; a second call fails with a message saying so.
     */
    public void installFactories() throws IOException {
        install(stack);
    }

    /**
     * Installs both JVM-wide factories for {@code stack}: {@link Socket#setSocketImplFactory} and
     * {@link ServerSocket#setSocketFactory}. Both are needed (JDK-CONTRACT.md §1.3): with only the
     * client factory TLS servers break, with only the server factory every plain accept does.
     */
    @SuppressWarnings("deprecation") // both setters are deprecated (since 17), not for removal
    public static void install(Stack stack) throws IOException {
        try {
            Socket.setSocketImplFactory(UserTcpSocketImplFactory.forSockets(stack));
        } catch (IOException e) {
            throw new SocketException("cannot install the usertcp Socket factory: " + e.getMessage()
                    + " (a SocketImplFactory was already set in this JVM)");
        }
        try {
            ServerSocket.setSocketFactory(UserTcpSocketImplFactory.forServerSockets(stack));
        } catch (IOException e) {
            throw new SocketException("cannot install the usertcp ServerSocket factory: " + e.getMessage()
                    + " (a ServerSocket factory was already set in this JVM)");
        }
    }

    /**
     * Stops the stack and releases the device (a TUN this process created disappears with it).
     * Draws the ladders of connections still being traced. Idempotent. Sockets of this stack fail
     * from now on.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        observability.close();
        stack.close(); // closes the links it owns
        if (tracePrinter != null) {
            tracePrinter.flush();
        }
    }

    /** Waits (bounded) for traced connections to finish, then draws what is left. For shutdown hooks. */
    void finishTrace(Duration max) {
        if (tracePrinter != null) {
            tracePrinter.awaitQuiet(max);
            tracePrinter.flush();
        }
    }

    @Override
    public String toString() {
        return "UserTcp[" + (link == null ? "loopback only" : link.name() + " " + config.address + "/"
                + config.prefixLength + " gw " + config.gateway) + "]";
    }

    /** An immutable configuration; build with {@link UserTcp#builder()}. */
    public static final class Config {
        final String tun; // null = loopback only
        final InetAddress address;
        final int prefixLength;
        final InetAddress gateway;
        final int mtu;
        final Duration msl; // null = the engine's default
        final int sendBufferSize; // 0 = default
        final int receiveBufferSize; // 0 = default
        final int maxSendBufferSize; // 0 = default
        final int maxReceiveBufferSize; // 0 = default
        final Path pcap; // null = none
        final TunConfig.Offload offload;
        final Trace trace;
        final PrintStream traceOut;
        final Path ladderSvgDir; // null = text only
        final boolean createTun;
        final String congestionControl; // null = the engine's default (cubic)
        final boolean pacing;

        private Config(Builder b) {
            this.tun = b.tun;
            this.address = b.address;
            this.prefixLength = b.prefixLength;
            this.gateway = b.gateway;
            this.mtu = b.mtu;
            this.msl = b.msl;
            this.sendBufferSize = b.sendBufferSize;
            this.receiveBufferSize = b.receiveBufferSize;
            this.maxSendBufferSize = b.maxSendBufferSize;
            this.maxReceiveBufferSize = b.maxReceiveBufferSize;
            this.pcap = b.pcap;
            this.offload = b.offload;
            this.trace = b.trace;
            this.traceOut = b.traceOut;
            this.ladderSvgDir = b.ladderSvgDir;
            this.createTun = b.createTun;
            this.congestionControl = b.congestionControl;
            this.pacing = b.pacing;
        }

        public String tun() { return tun; }
        public InetAddress address() { return address; }
        public int prefixLength() { return prefixLength; }
        public InetAddress gateway() { return gateway; }
        public int mtu() { return mtu; }
        public Duration msl() { return msl; }
        public Path pcap() { return pcap; }
        public TunConfig.Offload offload() { return offload; }
        public Trace trace() { return trace; }
        public Path ladderSvgDir() { return ladderSvgDir; }
        /** The stack's congestion control algorithm, or null for the default ("cubic"). */
        public String congestionControl() { return congestionControl; }
        public boolean pacing() { return pacing; }
    }

    /** Configures and starts a {@link UserTcp}. Every setting is optional. */
    public static final class Builder {
        private String tun;
        private InetAddress address;
        private int prefixLength = 24;
        private InetAddress gateway;
        private int mtu = DEFAULT_MTU;
        private Duration msl;
        private int sendBufferSize;
        private int receiveBufferSize;
        private int maxSendBufferSize;
        private int maxReceiveBufferSize;
        private Path pcap;
        private TunConfig.Offload offload = TunConfig.Offload.AUTO;
        private Trace trace = Trace.OFF;
        private PrintStream traceOut = System.err;
        private Path ladderSvgDir;
        private boolean createTun = true;
        private String congestionControl;
        private boolean pacing;

        private Builder() {
            try {
                address = InetAddress.getByName("198.18.0.2");
                gateway = InetAddress.getByName(DEFAULT_GATEWAY);
            } catch (IOException e) {
                throw new AssertionError(e); // literals: never resolved
            }
        }

        /** The TUN interface to attach to (or create, see {@link #createTun}); null = loopback only. */
        public Builder tun(String name) {
            this.tun = name;
            return this;
        }

        /** The stack's own address and prefix on the TUN (default 198.18.0.2/24). */
        public Builder address(InetAddress address, int prefixLength) {
            if (prefixLength < 1 || prefixLength > 30) {
                throw new IllegalArgumentException("prefix length must be 1..30: " + prefixLength);
            }
            this.address = Objects.requireNonNull(address, "address");
            this.prefixLength = prefixLength;
            return this;
        }

        /** The kernel side of the TUN, also the stack's default gateway (default 198.18.0.1). */
        public Builder gateway(InetAddress gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        public Builder mtu(int mtu) {
            if (mtu < 576 || mtu > 65535) {
                throw new IllegalArgumentException("mtu must be 576..65535: " + mtu);
            }
            this.mtu = mtu;
            return this;
        }

        /** The maximum segment lifetime: TIME-WAIT lasts 2 × MSL (RFC 9293 §3.4.2). */
        public Builder msl(Duration msl) {
            if (msl.isNegative()) {
                throw new IllegalArgumentException("msl must not be negative: " + msl);
            }
            this.msl = msl;
            return this;
        }

        /**
         * The congestion control algorithm of every socket ("cubic", the default, or "reno"); each socket
         * can still choose its own with {@link UserTcpOptions#TCP_CONGESTION}.
         * @throws IllegalArgumentException for an unknown algorithm
         */
        public Builder congestionControl(String name) {
            this.congestionControl = TcpConfig.DEFAULT.withCongestionControl(name).congestionControl();
            return this;
        }

        /** Paces every connection's segments over the RTT (TcpConfig.pacing; default off). */
        public Builder pacing(boolean on) {
            this.pacing = on;
            return this;
        }

        /**
         * Initial send buffer of every socket (the SO_SNDBUF default; TcpConfig 256 KiB). Send
         * autotuning grows it up to {@link #maxSendBufferSize} unless a socket sets SO_SNDBUF.
         */
        public Builder sendBufferSize(int bytes) {
            this.sendBufferSize = bytes;
            return this;
        }

        /**
         * Initial receive buffer of every socket (the SO_RCVBUF default; TcpConfig 128 KiB). Receive
         * autotuning grows it up to {@link #maxReceiveBufferSize} unless a socket sets SO_RCVBUF.
         */
        public Builder receiveBufferSize(int bytes) {
            this.receiveBufferSize = bytes;
            return this;
        }

        /** Cap of send-buffer autotuning (TcpConfig default 4 MiB, as Linux tcp_wmem[2]). */
        public Builder maxSendBufferSize(int bytes) {
            this.maxSendBufferSize = bytes;
            return this;
        }

        /**
         * Cap of receive-buffer autotuning (TcpConfig default 6 MiB, as Linux tcp_rmem[2]); the
         * window-scale shift is chosen to cover it. Equal to the initial size turns autotuning off.
         */
        public Builder maxReceiveBufferSize(int bytes) {
            this.maxReceiveBufferSize = bytes;
            return this;
        }

        /**
         * TUN checksum and segmentation offload (IFF_VNET_HDR, TSO): true (the default) uses it
         * when the kernel offers it and falls back to plain packets otherwise; false never.
         */
        public Builder offload(boolean on) {
            return offload(on ? TunConfig.Offload.AUTO : TunConfig.Offload.OFF);
        }

        /** TUN offload: OFF, AUTO (the default) or REQUIRED (starting fails without it). */
        public Builder offload(TunConfig.Offload mode) {
            this.offload = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Writes every packet of the TUN, both directions, to this pcap file (LINKTYPE_RAW). */
        public Builder pcap(Path file) {
            this.pcap = file;
            return this;
        }

        public Builder trace(Trace trace) {
            this.trace = Objects.requireNonNull(trace, "trace");
            return this;
        }

        /** Where traces go (default System.err). */
        public Builder traceOut(PrintStream out) {
            this.traceOut = Objects.requireNonNull(out, "out");
            return this;
        }

        /** With {@link Trace#LADDER}: also write each ladder as {@code DIR/ladder-LOCAL-REMOTE.svg} (null: no). */
        public Builder ladderSvgDir(Path dir) {
            this.ladderSvgDir = dir;
            return this;
        }

        /** Whether {@link #start()} may create the TUN when it does not exist (default true). */
        public Builder createTun(boolean allowed) {
            this.createTun = allowed;
            return this;
        }

        public Config config() {
            return new Config(this);
        }

        /** Opens the device (if any), builds and starts the stack. */
        public UserTcp start() throws IOException {
            return UserTcp.start(config());
        }
    }

    static UserTcp start(Config c) throws IOException {
        TcpConfig.Builder tcp = TcpConfig.forMtu(c.tun != null ? c.mtu : DEFAULT_MTU).toBuilder();
        if (c.msl != null) {
            tcp.msl(c.msl);
        }
        if (c.sendBufferSize > 0) {
            tcp.sendBufferSize(c.sendBufferSize);
        }
        if (c.maxSendBufferSize > 0) {
            tcp.maxSendBufferSize(c.maxSendBufferSize);
        }
        if (c.maxReceiveBufferSize > 0) {
            tcp.maxReceiveBufferSize(c.maxReceiveBufferSize);
        }
        if (c.receiveBufferSize > 0) {
            tcp.receiveBufferSize(c.receiveBufferSize);
        }
        if (c.congestionControl != null) {
            tcp.congestionControl(c.congestionControl);
        }
        tcp.pacing(c.pacing);
        Stack.Builder sb = Stack.builder().tcpConfig(tcp.build());
        PacketLink link = null;
        if (c.tun != null) {
            link = openTun(c);
            try {
                if (c.pcap != null) {
                    link = PcapTap.open(link, c.pcap);
                }
            } catch (IOException | RuntimeException e) {
                link.close();
                throw e;
            }
            sb.link(link, c.address, c.prefixLength).gateway(c.gateway);
        }
        Stack stack;
        try {
            stack = sb.build();
        } catch (RuntimeException e) {
            if (link != null) {
                link.close();
            }
            throw e;
        }
        return new UserTcp(c, stack, link);
    }

    private static PacketLink openTun(Config c) throws IOException {
        boolean exists = java.nio.file.Files.exists(Path.of("/sys/class/net", c.tun));
        if (exists && !Tun.hasNetAdmin()) {
            // Someone else's persistent device (`ip tuntap add dev NAME mode tun user ME`): attach as
            // it is; configuring its kernel side would need CAP_NET_ADMIN.
            return TunDevice.open(TunConfig.builder().name(c.tun).attach().offload(c.offload).build());
        }
        TunConfig.Builder t = TunConfig.builder().name(c.tun).mtu(c.mtu).offload(c.offload);
        if (c.createTun) {
            t.mode(TunConfig.Mode.CREATE_OR_ATTACH);
        } else {
            t.attach();
        }
        // The kernel side of the TUN is the stack's gateway, on the stack's subnet.
        t.kernelAddress(c.gateway.getHostAddress() + "/" + c.prefixLength);
        return TunDevice.open(t.build());
    }
}
