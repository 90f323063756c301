package io.usertcp.stack;

import io.usertcp.ip.FragmentReassembler;
import io.usertcp.ip.Icmp;
import io.usertcp.ip.IcmpError;
import io.usertcp.ip.IpStats;
import io.usertcp.ip.Ipv4Input;
import io.usertcp.ip.Ipv4Output;
import io.usertcp.link.GsoInfo;
import io.usertcp.link.LinkDownException;
import io.usertcp.link.LinkOffload;
import io.usertcp.link.PacketLink;
import io.usertcp.tcp.ConnectionError;
import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.IcmpErrorKind;
import io.usertcp.tcp.IsnGenerator;
import io.usertcp.tcp.Resets;
import io.usertcp.tcp.SegmentSink;
import io.usertcp.tcp.SynCookies;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.tcp.TcpConnection;
import io.usertcp.tcp.TcpEventListener;
import io.usertcp.tcp.TcpInfo;
import io.usertcp.tcp.TcpListener;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.DropReason;
import io.usertcp.wire.IcmpHeader;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.MalformedPacketException;
import io.usertcp.wire.Seq;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpSegment;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A userspace TCP/IPv4 stack: interfaces (any {@link PacketLink}s plus a built-in loopback for
 * 127.0.0.0/8), routing, the connection table, listeners, ephemeral ports, IP input and output,
 * and the timers. Applications use it through {@link TcpSocket}s from {@link #newSocket()}.
 *
 * <h2>Threading and locking</h2>
 * <ul>
 *   <li><b>{@link #lock}, the engine lock</b> — one {@link ReentrantLock} per stack guards every
 *       {@link TcpConnection} and {@link TcpListener}, the connection and listener tables, the port
 *       table, the loopback queue, the dirty queue, the timer target and every mutable field of every
 *       {@link TcpSocket} of this stack. Fields below say "guarded by lock".</li>
 *   <li>Application threads take it for each socket call and block only on {@link Condition}s of it
 *       (one per socket, see {@link TcpSocket}), so virtual threads unmount while they wait.</li>
 *   <li>One platform daemon <b>RX thread per link</b> ({@code usertcp-rx-<link>}) reads a burst of
 *       packets <em>without</em> the lock, then processes the whole burst under one lock hold and
 *       emits once at the end, so one ACK can cover the burst.</li>
 *   <li>One platform daemon <b>timer thread</b> ({@code usertcp-timer}) waits on {@link #timerWake}
 *       until the earliest connection deadline, then runs the due timers.</li>
 *   <li><b>Transmit outside the lock.</b> Packets for a link are queued under the engine lock in the
 *       link's {@link TxRing} (preallocated slots) and handed to {@link PacketLink#send} by the thread
 *       that releases the engine lock, after releasing it ({@link EngineLock#unlock}), under
 *       {@link #drainLock}, in queue order; a thread about to wait on a condition of the engine lock
 *       first releases the lock once to send what is queued (a spurious wake-up for its caller). So
 *       the TUN {@code write(2)}s of the application thread and of the RX thread (its ACKs) run in
 *       parallel with the other's engine work. A full ring is written out by the producer itself,
 *       under the engine lock ({@link StackStats#txQueueFull()}); nothing is dropped.</li>
 *   <li>Lock ordering: the engine lock, then {@link #drainLock}, then the links' internal locks
 *       ({@link PacketLink#send} never blocks for long and never calls back). RX threads call
 *       {@link PacketLink#receive} without any of them.</li>
 *   <li>Every event (packet, timer, application call) marks the connections it touched
 *       <em>dirty</em>; before the lock is released {@link #flush()} polls each dirty connection for
 *       its segments, wakes the threads waiting on its socket, and processes packets that the
 *       loopback queued meanwhile — after the current event, in the same lock hold, never
 *       recursively.</li>
 * </ul>
 * No exception escapes packet or timer processing: it is counted
 * ({@link StackStats#internalErrors()}), logged, the packet dropped, and the stack goes on.
 *
 * <h2>Test mode</h2>
 * {@code Stack.builder().clock(manualClock).manual().build()} starts no thread: the test calls
 * {@link #pump()} after advancing the clock.
 */
public final class Stack implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Stack.class.getName());

    /** Packets an RX thread takes from its link per lock hold. */
    static final int RX_BURST = 64;
    /** How long an RX thread waits for a packet before checking whether the stack closed. */
    static final long RX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /**
     * Receive errors in a row after which an RX thread declares its link dead (every connection
     * over it fails with "Network is down"). With the back-off below that is about 3 s of errors.
     */
    static final int RX_MAX_CONSECUTIVE_FAILURES = 12;
    /** Back-off after the first receive error in a row; it doubles with each further one … */
    static final long RX_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** … up to this. */
    static final long RX_RETRY_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** The longest the timer thread sleeps (it is woken early whenever a deadline moves closer). */
    static final long TIMER_MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Packets the loopback may hold; more are dropped ({@link DropReason#INPUT_QUEUE_FULL}). */
    static final int LOOPBACK_QUEUE_LIMIT = 16_384;
    /** Loopback packets processed in one flush before the rest is left to the timer thread. */
    static final int FLUSH_PACKET_LIMIT = 100_000;

    /** Destinations whose path MTU is remembered. */
    static final int PMTU_CACHE_SIZE = 1024;
    /** How long a learnt path MTU holds (Linux net.ipv4.route.mtu_expires, 600 s; RFC 1191 §6.3). */
    static final long PMTU_EXPIRES_NANOS = TimeUnit.SECONDS.toNanos(600);
    /** The smallest path MTU believed (Linux min_pmtu 552; RFC 1191 §3 allows down to 68). */
    static final int MIN_PMTU = 552;

    /** The engine lock; see the class comment for what it guards. */
    final ReentrantLock lock = new EngineLock();
    /**
     * Held by the one thread at a time that hands queued packets ({@link TxRing}) to the links. Taken
     * without the engine lock (after it was released), or inside it only when a ring is full.
     */
    private final ReentrantLock drainLock = new ReentrantLock();
    /** The transmit queue of each link (not the loopback), and the link it goes to; fixed at construction. */
    private final TxRing[] rings;
    private final PacketLink[] ringLinks;
    /** Signalled when a deadline moved closer or work was left for the timer thread. */
    private final Condition timerWake = lock.newCondition();

    private final Clock clock;
    private final TcpConfig config;
    private final boolean manual;
    private final Routing routing;
    private final InetAddress primaryAddress;
    private final int maxMtu; // largest MTU of any interface
    private final IpStats ipStats = new IpStats();
    private final StackStats stats = new StackStats(ipStats);
    private final StackLimits limits;
    private final FragmentReassembler reassembler;                                      // guarded by lock
    private final Ipv4Input ipInput;                                                   // guarded by lock
    private final Ipv4Output ipOutput;                                                 // guarded by lock
    private final List<TcpEventListener> stateListeners = new CopyOnWriteArrayList<>();
    private final TcpEventListener events = new Events();
    /** Set while tracing (read once per segment: no cost when null). */
    private volatile SegmentTracer tracer;
    /** The connections' sink: emits each segment into a packet before returning, so it takes transient ones. */
    private final SegmentSink sink = new SegmentSink() {
        @Override
        public void send(TcpConnection from, TcpSegment seg) {
            emitSegment(from, seg);
        }

        @Override
        public boolean acceptsTransient() {
            return true;
        }
    };
    /**
     * The received segment being processed (and its options): one reusable holder, refilled per
     * segment, so receiving allocates nothing. Only the existing connection's {@code onSegment} sees it;
     * listeners, tracers and state listeners get a {@link TcpSegment#copy()}.
     */
    private final TcpSegment rxSeg = TcpSegment.newTransient();                 // guarded by lock
    private final TcpOptions rxOpts = TcpOptions.newTransient();                // guarded by lock
    private boolean rxSegBusy;                                                  // guarded by lock
    /** The buffer of the packet being input, and a view of it for payloads (null: slice). */
    private ByteBuffer rxBuf, rxView;                                           // guarded by lock
    private final IsnGenerator isn;
    private final SynCookies synCookies;     // one secret for every listener (RFC 4987 §3.6)

    private final Map<ConnectionKey, Conn> connections = new HashMap<>();       // guarded by lock
    private final Map<TcpConnection, Conn> byTcp = new IdentityHashMap<>();      // guarded by lock
    /** The same connections as {@link #connections}, for the per-segment lookup (no key allocated). */
    private final ConnectionTable<Conn> lookup = new ConnectionTable<>();       // guarded by lock
    private final Map<Integer, List<TcpSocket>> listeners = new HashMap<>();    // guarded by lock; port → LISTEN sockets
    private final PortTable ports;                                              // guarded by lock
    private final ArrayDeque<byte[]> loopbackQueue = new ArrayDeque<>();        // guarded by lock
    private final ArrayDeque<Conn> dirty = new ArrayDeque<>();                  // guarded by lock
    /** Links that refused a send as down or gone since the last flush (their connections fail in flush). */
    private final ArrayDeque<NetInterface> failedLinks = new ArrayDeque<>();    // guarded by lock
    private final ByteBuffer tx = ByteBuffer.allocate(Ipv4Header.MAX_TOTAL_LENGTH); // guarded by lock
    /** Path MTUs learnt from fragmentation-needed (RFC 1191), by destination: {mtu, expiresAt}. */
    private final Map<Integer, long[]> pathMtus = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, long[]> eldest) {
            return size() > PMTU_CACHE_SIZE;
        }
    };                                                                         // guarded by lock
    private final ByteBuffer manualRx;                                          // guarded by lock (manual mode)
    private final ByteBuffer manualRxView;                                      // guarded by lock (manual mode)
    /**
     * Loopback packets never leave the JVM: like Linux's lo (NETIF_F_HW_CSUM), TCP checksums are
     * neither computed (pseudo-header sum only) nor verified on it.
     */
    private final GsoInfo loopbackGso = new GsoInfo().set(GsoInfo.FLAG_NEEDS_CSUM, GsoInfo.GSO_NONE, 0, 0, 0, 0);
    private final GsoInfo manualGso = new GsoInfo();                            // guarded by lock (manual mode)
    /** Offload metadata of outbound packets (filled per packet by sendSegment). */
    private final GsoInfo txGso = new GsoInfo();                                // guarded by lock
    /** The packet being input whose link vouches for its TCP checksum (offload), else null. */
    private ByteBuffer checksumTrusted;                                         // guarded by lock
    private boolean flushing;                                                   // guarded by lock
    private long timerTarget = Long.MAX_VALUE;                                  // guarded by lock
    private long nextConnectionId = 1;                                          // guarded by lock
    private volatile boolean closed;  // written under lock; volatile for the RX threads' error path
    private final List<Thread> threads = new ArrayList<>();

    private Stack(Builder b) {
        this.clock = b.clock;
        this.config = b.tcpConfig;
        this.manual = b.manual;
        this.limits = b.limits;
        this.reassembler = new FragmentReassembler(limits.fragmentBytes(), limits.fragmentDatagrams(),
                limits.fragmentTimeout().toNanos(), ipStats);
        List<NetInterface> links = new ArrayList<>();
        int maxMtu = NetInterface.LOOPBACK_MTU;
        for (Builder.LinkSpec s : b.links) {
            links.add(new NetInterface(s.link.name(), s.link, s.address, s.prefixLength, s.link.mtu()));
            maxMtu = Math.max(maxMtu, s.link.mtu());
        }
        this.maxMtu = maxMtu;
        this.rings = new TxRing[links.size()];
        this.ringLinks = new PacketLink[links.size()];
        for (int k = 0; k < links.size(); k++) {
            NetInterface i = links.get(k);
            // Slots hold the largest packet the link takes: a TSO super-segment when it offloads.
            i.tx = rings[k] = new TxRing(i.link.offload().receiveBufferSize(i.mtu), stats.linkSendErrors);
            ringLinks[k] = i.link;
        }
        this.routing = new Routing(NetInterface.loopback(), links, b.gateway);
        this.primaryAddress = Addresses.toInet(links.isEmpty() ? Addresses.LOOPBACK : links.get(0).address);
        SecureRandom random = new SecureRandom();
        this.ports = new PortTable(random);
        this.ipOutput = new Ipv4Output(ipStats, random.nextInt(0x10000));
        this.ipInput = new Ipv4Input(routing::isLocal, reassembler, ipStats);
        ipInput.setHandler(Ipv4Header.PROTO_TCP, this::tcpDeliver);
        ipInput.setHandler(Ipv4Header.PROTO_ICMP, this::icmpDeliver);
        this.isn = new IsnGenerator(random);
        this.synCookies = new SynCookies(isn);
        int rxSize = maxMtu;
        for (NetInterface i : links) {
            rxSize = Math.max(rxSize, i.link.offload().receiveBufferSize(i.mtu));
        }
        this.manualRx = ByteBuffer.allocate(rxSize);
        this.manualRxView = manualRx.duplicate();
    }

    /** A builder; see {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link Stack}. Every setting is optional. */
    public static final class Builder {
        private record LinkSpec(PacketLink link, int address, int prefixLength) {}

        private Clock clock = SystemClock.INSTANCE;
        private TcpConfig tcpConfig = TcpConfig.DEFAULT;
        private final List<LinkSpec> links = new ArrayList<>();
        private int gateway;
        private boolean manual;
        private StackLimits limits = StackLimits.DEFAULT;

        private Builder() {}

        /** All limits at once (default {@link StackLimits#DEFAULT}); see {@link StackLimits}. */
        public Builder limits(StackLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Connection-table entries (default {@value StackLimits#DEFAULT_MAX_CONNECTIONS}); beyond it
         * connect fails with ENOBUFS and SYNs are dropped, counted. See {@link StackLimits#maxConnections()}.
         */
        public Builder maxConnections(int n) {
            this.limits = limits.withMaxConnections(n);
            return this;
        }

        /** The largest listen backlog (default 4096 as Linux's somaxconn; larger requests are clamped). */
        public Builder maxBacklog(int n) {
            this.limits = limits.withMaxBacklog(n);
            return this;
        }

        /** The largest SO_RCVBUF / SO_SNDBUF an application may set (default 16 MiB; larger is clamped). */
        public Builder maxSocketBufferSize(int bytes) {
            this.limits = limits.withMaxSocketBufferSize(bytes);
            return this;
        }

        /**
         * IP fragment reassembly: bytes and datagrams held at most (the oldest is dropped beyond
         * either), and how long an incomplete datagram waits. Defaults 4 MiB, 256, 30 s.
         */
        public Builder fragmentReassembly(int maxBytes, int maxDatagrams, Duration timeout) {
            this.limits = limits.withFragments(maxBytes, maxDatagrams, timeout);
            return this;
        }

        /** The clock (default {@link SystemClock}). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The TCP configuration of every connection (default {@link TcpConfig.DEFAULT}). */
        public Builder tcpConfig(TcpConfig config) {
            this.tcpConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Adds an interface: {@code link} with IPv4 {@code address}/{@code prefixLength}. The stack
         * owns the link from now on and closes it in {@link Stack#close()}.
         */
        public Builder link(PacketLink link, InetAddress address, int prefixLength) {
            Objects.requireNonNull(link, "link");
            if (prefixLength < 0 || prefixLength > 32) {
                throw new IllegalArgumentException("prefix length " + prefixLength);
            }
            int a;
            try {
                a = Addresses.toInt(address);
            } catch (java.net.SocketException e) {
                throw new IllegalArgumentException("not an IPv4 address: " + address);
            }
            if (a == 0 || Addresses.isLoopback(a)) {
                throw new IllegalArgumentException("not a usable interface address: " + address);
            }
            links.add(new LinkSpec(link, a, prefixLength));
            return this;
        }

        /** The default gateway; it must be on the subnet of a link. */
        public Builder gateway(InetAddress gateway) {
            try {
                this.gateway = Addresses.toInt(Objects.requireNonNull(gateway, "gateway"));
            } catch (java.net.SocketException e) {
                throw new IllegalArgumentException("not an IPv4 address: " + gateway);
            }
            return this;
        }

        /** Test mode: no threads; the caller drives the stack with {@link Stack#pump()}. */
        public Builder manual() {
            this.manual = true;
            return this;
        }

        /** Builds the stack and, unless {@link #manual()}, starts its RX and timer threads. */
        public Stack build() {
            Stack s = new Stack(this);
            if (!manual) {
                s.startThreads();
            }
            return s;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Public API
    // ------------------------------------------------------------------------------------------

    /** The resource limits this stack was built with. */
    public StackLimits limits() {
        return limits;
    }

    /** A new, unbound socket of this stack. */
    public TcpSocket newSocket() {
        return new TcpSocket(this);
    }

    /** Adds a listener told about every state change of every connection (on the engine thread, under the lock). */
    public void addStateListener(TcpEventListener l) {
        stateListeners.add(Objects.requireNonNull(l, "l"));
    }

    /**
     * Removes a listener added with {@link #addStateListener}. Listeners also get the engine's other
     * events ({@link TcpEventListener#retransmitted}, {@code rtoFired}, {@code zeroWindow}).
     */
    public void removeStateListener(TcpEventListener l) {
        stateListeners.remove(l);
    }

    /**
     * Starts ({@code t} non-null) or stops (null) tracing every TCP segment received or sent and
     * every state change to {@code t}; takes effect at the next segment. Off by default.
     */
    public void setTracer(SegmentTracer t) {
        this.tracer = t;
    }

    /** The tracer set with {@link #setTracer}, or null. */
    public SegmentTracer tracer() {
        return tracer;
    }

    /** A snapshot of every connection in the table, by 4-tuple (local side = this stack). */
    public Map<ConnectionKey, TcpInfo> connectionsByKey() {
        lock.lock();
        try {
            Map<ConnectionKey, TcpInfo> m = new java.util.LinkedHashMap<>();
            for (Map.Entry<ConnectionKey, Conn> e : connections.entrySet()) {
                m.put(e.getKey(), e.getValue().tcp.info());
            }
            return m;
        } finally {
            lock.unlock();
        }
    }

    /** The stack's counters. */
    public StackStats stats() {
        return stats;
    }

    /** A snapshot of every connection in the table. */
    public List<TcpInfo> connections() {
        lock.lock();
        try {
            List<TcpInfo> list = new ArrayList<>(connections.size());
            for (Conn c : connections.values()) {
                list.add(c.tcp.info());
            }
            return list;
        } finally {
            lock.unlock();
        }
    }

    /** The clock this stack runs on. */
    public Clock clock() {
        return clock;
    }

    /** The first link's address, or 127.0.0.1 when the stack has no link. */
    public InetAddress primaryAddress() {
        return primaryAddress;
    }

    /**
     * Manual mode: processes every packet waiting on the links, runs the timers due now, and sends
     * what that produces. Harmless (and useless) when threads run.
     */
    public void pump() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            List<NetInterface> links = routing.links();
            for (int k = 0; k < links.size(); k++) { // indexed: no iterator per pump
                NetInterface i = links.get(k);
                for (int n = 0; n < 100_000; n++) {
                    int len;
                    try {
                        manualRx.clear();
                        len = i.link.receive(manualRx, manualGso, 0);
                    } catch (IOException e) {
                        break;
                    }
                    if (len <= 0) {
                        break;
                    }
                    input(manualRx, manualRxView, manualGso, i);
                }
            }
            runTimers(clock.nanoTime());
            flush();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the threads, aborts every connection (threads blocked on its sockets get
     * "Socket closed") and closes the links. Idempotent.
     */
    @Override
    public void close() {
        List<TcpSocket> sockets = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long now = clock.nanoTime();
            for (Conn c : new ArrayList<>(connections.values())) {
                try {
                    if (!c.tcp.state().isClosed()) {
                        c.tcp.abort(now);
                        markDirty(c);
                    }
                } catch (RuntimeException e) {
                    internalError("abort on close", e);
                }
                if (c.socket != null) {
                    sockets.add(c.socket);
                }
            }
            for (List<TcpSocket> l : listeners.values()) {
                sockets.addAll(l);
            }
            flush();
            closed = true;
            for (TcpSocket s : sockets) {
                s.stackClosed();
            }
            timerWake.signalAll();
        } finally {
            lock.unlock();
        }
        for (NetInterface i : routing.links()) {
            try {
                i.link.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing " + i.name, e);
            }
        }
        for (Thread t : threads) {
            if (t != Thread.currentThread()) {
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Stack[" + primaryAddress.getHostAddress() + ", links=" + routing.links() + "]";
    }

    // ------------------------------------------------------------------------------------------
    // Package API for TcpSocket (all with the lock held)
    // ------------------------------------------------------------------------------------------

    Routing routing() {
        return routing;
    }

    TcpConfig config() {
        return config;
    }

    /** The largest MTU of any interface, the loopback included. */
    int maxMtu() {
        return maxMtu;
    }

    PortTable ports() {
        return ports;
    }

    boolean isClosed() {
        return closed;
    }

    /** Whether a connection in the table has local port {@code port} (TIME-WAIT included). */
    boolean portHasConnections(int port) {
        for (ConnectionKey k : connections.keySet()) {
            if (k.localPort() == port) {
                return true;
            }
        }
        return false;
    }

    Conn connFor(TcpConnection tcp) {
        return byTcp.get(tcp);
    }

    /** The connection of a 4-tuple (local side = this stack), or null; lock held (tests). */
    Conn connection(int localIp, int localPort, int remoteIp, int remotePort) {
        return lookup.get(localIp, localPort, remoteIp, remotePort);
    }

    boolean hasConnection(ConnectionKey key) {
        return connections.containsKey(key);
    }

    /** Whether the connection table holds {@link StackLimits#maxConnections()} entries (lock held). */
    boolean atConnectionLimit() {
        return connections.size() >= limits.maxConnections();
    }

    /** The exception of a connect refused by {@link #atConnectionLimit()}, counted (lock held). */
    java.net.SocketException connectionLimitReached() {
        stats.connectsRefusedAtLimit.increment();
        return new java.net.SocketException(Messages.NO_BUFFER_SPACE + " (usertcp: the connection table holds "
                + connections.size() + " connections, the stack's maxConnections is " + limits.maxConnections() + ")");
    }

    /** Creates and registers a connection for an active open (not yet started). */
    Conn newConnection(ConnectionKey key, TcpConfig cfg, int tos) {
        TcpConnection tcp = new TcpConnection(nextConnectionId++, cfg, key, events, isn);
        Conn c = new Conn(tcp, key, tos);
        register(c);
        stats.connectionsOpened.increment();
        return c;
    }

    private void register(Conn c) {
        connections.put(c.key, c);
        lookup.put(c.key.localIp(), c.key.localPort(), c.key.remoteIp(), c.key.remotePort(), c);
        byTcp.put(c.tcp, c);
        // TCP segmentation offload: over a link that cuts super-segments, the connection may send
        // up to 64 KiB per segment (its size goal; every send rule still counts MSS-sized segments).
        Route r = routing.route(c.key.remoteIp());
        if (r != null && !r.iface().isLoopback() && r.iface().link.offload().tso4()) {
            c.tcp.setSegmentationOffload(r.iface().link.offload().maxPacketSize()
                    - Ipv4Header.MIN_LENGTH - TcpHeader.MAX_LENGTH);
        }
    }

    void addListener(TcpSocket s, int port) {
        listeners.computeIfAbsent(port, p -> new ArrayList<>(1)).add(s);
    }

    void removeListener(TcpSocket s, int port) {
        List<TcpSocket> l = listeners.get(port);
        if (l != null) {
            l.remove(s);
            if (l.isEmpty()) {
                listeners.remove(port);
            }
        }
    }

    /** Marks {@code c} to be polled (and its socket woken) before the lock is released. */
    void markDirty(Conn c) {
        if (c != null && !c.dirty) {
            c.dirty = true;
            dirty.addLast(c);
        }
    }

    long now() {
        return clock.nanoTime();
    }

    /** Counts an accepted connection. */
    void accepted() {
        stats.connectionsAccepted.increment();
    }

    /**
     * Polls every dirty connection for its segments, wakes the sockets waiting on it, and
     * processes what the loopback queued meanwhile, until nothing is left (bounded).
     */
    void flush() {
        if (flushing) {
            return; // called from inside an event: the outer flush does the work
        }
        flushing = true;
        try {
            int packets = 0;
            while (true) {
                Conn c;
                while ((c = dirty.pollFirst()) != null) {
                    c.dirty = false;
                    pollConnection(c);
                }
                NetInterface failed = failedLinks.pollFirst();
                if (failed != null) {
                    failConnections(failed); // marks them dirty: the loop polls them next
                    continue;
                }
                byte[] p = loopbackQueue.pollFirst();
                if (p == null) {
                    break;
                }
                if (++packets > FLUSH_PACKET_LIMIT) {
                    loopbackQueue.addFirst(p);
                    timerWake.signal(); // the timer thread (or the next pump) goes on
                    break;
                }
                input(ByteBuffer.wrap(p), loopbackGso, routing.loopback());
            }
        } finally {
            flushing = false;
        }
    }

    private void pollConnection(Conn c) {
        long now = clock.nanoTime();
        try {
            c.tcp.poll(now, sink);
        } catch (RuntimeException e) {
            internalError("poll " + c.key, e);
        }
        if (c.socket != null) {
            c.socket.signal();
        }
        if (c.listener != null) {
            c.listener.signal();
        }
        if (c.tcp.state().isClosed()) {
            remove(c);
        } else {
            long d = c.tcp.nextDeadline();
            if (d < timerTarget) {
                timerTarget = d;
                timerWake.signal();
            }
        }
    }

    private void remove(Conn c) {
        if (c.removed) {
            return;
        }
        c.removed = true;
        if (connections.get(c.key) == c) {
            connections.remove(c.key);
        }
        lookup.remove(c.key.localIp(), c.key.localPort(), c.key.remoteIp(), c.key.remotePort(), c);
        byTcp.remove(c.tcp);
        try {
            stats.retransmits.add(c.tcp.info().retransmits());
        } catch (RuntimeException e) {
            internalError("info " + c.key, e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Threads
    // ------------------------------------------------------------------------------------------

    private void startThreads() {
        for (NetInterface i : routing.links()) {
            Thread t = new Thread(() -> rxLoop(i), "usertcp-rx-" + i.name);
            t.setDaemon(true);
            threads.add(t);
        }
        Thread timer = new Thread(this::timerLoop, "usertcp-timer");
        timer.setDaemon(true);
        threads.add(timer);
        for (Thread t : threads) {
            t.start();
        }
    }

    private void rxLoop(NetInterface iface) {
        ByteBuffer[] burst = new ByteBuffer[RX_BURST];
        GsoInfo[] meta = new GsoInfo[RX_BURST];
        ByteBuffer[] views = new ByteBuffer[RX_BURST]; // payload views of each buffer (no slice per segment)
        // With offload a packet may be a 64 KiB super-segment; direct buffers let the link read
        // into them without a bounce copy (their checksums are not summed by us: the kernel made them).
        LinkOffload offload = iface.link.offload();
        int size = offload.receiveBufferSize(iface.mtu);
        for (int k = 0; k < burst.length; k++) {
            burst[k] = offload.enabled() ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
            meta[k] = new GsoInfo();
            views[k] = burst[k].duplicate();
        }
        int failures = 0;
        long backoff = RX_RETRY_NANOS;
        boolean sparse = false; // the last burst was one packet (request/response traffic)
        while (true) {
            int n = 0;
            int from = 0; // packets before this one are already delivered
            try {
                // Read without the lock: one packet with a wait, then all that are ready (bounded).
                if (iface.link.receive(burst[0], meta[0], RX_WAIT_NANOS) > 0) {
                    n = 1;
                    if (sparse) {
                        // A lone packet after a lone packet: deliver it (and wake its reader) before
                        // asking the link for more, which costs a syscall that finds nothing mostly.
                        if (!deliver(iface, burst, views, meta, 0, 1)) {
                            return;
                        }
                        from = 1;
                    }
                    while (n < burst.length && iface.link.receive(burst[n], meta[n], 0) > 0) {
                        n++;
                    }
                    sparse = n == 1;
                }
                failures = 0;
                backoff = RX_RETRY_NANOS;
                if (n == 0) {
                    checkLinkUp(iface); // idle for RX_WAIT_NANOS: is the interface still up?
                }
            } catch (ClosedChannelException e) {
                if (!isClosed()) {
                    // Closed under the stack (someone else closed the device): the link is dead.
                    stats.linkReceiveErrors.increment();
                    linkDead(iface, "the link was closed");
                }
                return;
            } catch (LinkDownException e) {
                stats.linkReceiveErrors.increment();
                if (e.permanent()) {
                    linkDead(iface, e.getMessage());
                    return;
                }
                LockSupport.parkNanos(RX_RETRY_MAX_NANOS); // down, not gone: wait for it quietly
            } catch (IOException | RuntimeException e) {
                // A failing link must not take the stack down, nor make this thread spin: count,
                // log the first error of a run, retry with a doubling back-off; a link that keeps
                // failing is declared dead (its connections fail) and the thread ends.
                stats.linkReceiveErrors.increment();
                if (isClosed()) {
                    return;
                }
                if (++failures >= RX_MAX_CONSECUTIVE_FAILURES) {
                    LOG.log(System.Logger.Level.ERROR, "usertcp: RX thread of " + iface.name + " stops after "
                            + failures + " consecutive receive errors", e);
                    linkDead(iface, failures + " receive errors in a row, the last: " + e);
                    return;
                }
                if (failures == 1) {
                    LOG.log(System.Logger.Level.WARNING, "usertcp: receive error on " + iface.name + " (retrying)", e);
                }
                LockSupport.parkNanos(backoff);
                backoff = Math.min(RX_RETRY_MAX_NANOS, backoff * 2);
            }
            if (!deliver(iface, burst, views, meta, from, n)) {
                return;
            }
        }
    }

    /** Delivers {@code burst[from..to)} under the lock and flushes; false when the stack is closed. */
    private boolean deliver(NetInterface iface, ByteBuffer[] burst, ByteBuffer[] views, GsoInfo[] meta, int from,
            int to) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            for (int k = from; k < to; k++) {
                input(burst[k], views[k], meta[k], iface);
            }
            flush();
        } catch (RuntimeException e) {
            internalError("RX burst on " + iface.name, e);
        } finally {
            lock.unlock();
        }
        return true;
    }

    private void timerLoop() {
        lock.lock();
        try {
            while (!closed) {
                long wait = TIMER_MAX_WAIT_NANOS;
                try {
                    long now = clock.nanoTime();
                    runTimers(now);
                    flush();
                    long next = reassembler.nextDeadline();
                    for (int k = 0, n = lookup.capacity(); k < n; k++) { // no iterator per wake-up
                        Conn c = lookup.valueAt(k);
                        if (c != null) {
                            next = Math.min(next, c.tcp.nextDeadline());
                        }
                    }
                    timerTarget = next;
                    if (next != Long.MAX_VALUE) {
                        wait = Math.min(TIMER_MAX_WAIT_NANOS, next - clock.nanoTime());
                    }
                    if (!loopbackQueue.isEmpty()) {
                        continue; // a flush stopped at its bound: go on
                    }
                } catch (RuntimeException e) {
                    internalError("timer thread", e);
                }
                if (wait > 0) {
                    timerWake.awaitNanos(wait);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // only close() ends this thread; an interrupt also does
        } finally {
            lock.unlock();
        }
    }

    /** Runs onTimer for every connection with a deadline at or before {@code now}, and reassembly expiry. */
    private void runTimers(long now) {
        if (reassembler.nextDeadline() <= now) {
            try {
                reassembler.expire(now, this::reassemblyExpired);
            } catch (RuntimeException e) {
                internalError("reassembly timer", e);
            }
        }
        // Slot scan of the lookup table: no iterator per call (pump runs this for every batch).
        for (int k = 0, n = lookup.capacity(); k < n; k++) {
            Conn c = lookup.valueAt(k);
            if (c == null) {
                continue;
            }
            try {
                if (c.tcp.nextDeadline() <= now) {
                    c.tcp.onTimer(now);
                    markDirty(c);
                }
            } catch (RuntimeException e) {
                internalError("timer " + c.key, e);
                markDirty(c);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Input
    // ------------------------------------------------------------------------------------------

    /**
     * Processes one received IP packet (buffer position 0, limit = length). Lock held. Validation,
     * reassembly and dispatch are {@link Ipv4Input}'s (C6.1, C6.2); every drop is counted.
     */
    private void input(ByteBuffer pkt, GsoInfo gso, NetInterface in) {
        input(pkt, null, gso, in);
    }

    /**
     * As {@link #input(ByteBuffer, GsoInfo, NetInterface)}; {@code view} is a duplicate of {@code pkt}
     * (made once per receive buffer) that received segments use as their payload view, or null.
     */
    private void input(ByteBuffer pkt, ByteBuffer view, GsoInfo gso, NetInterface in) {
        int len = pkt.limit();
        stats.packetsIn.increment();
        stats.bytesIn.add(len);
        // Offload: a packet the local kernel made (NEEDS_CSUM: its TCP checksum field holds only the
        // pseudo-header sum) or verified (DATA_VALID) is not verified again. Only this very buffer:
        // a datagram reassembled from fragments is a new buffer and is verified as usual.
        checksumTrusted = gso.checksumTrusted() ? pkt : null;
        rxBuf = pkt;
        rxView = view;
        try {
            ipInput.receive(pkt, 0, len, clock.nanoTime());
        } catch (RuntimeException e) {
            internalError("input from " + in.name, e);
        } finally {
            checksumTrusted = null;
            rxBuf = null;
            rxView = null;
        }
    }

    private void tcpDeliver(Ipv4Header ip, ByteBuffer buf, int off, int len, long now) {
        if (rxSegBusy) {
            tcpDeliverAllocating(ip, buf, off, len); // never expected: input does not recurse
            return;
        }
        TcpSegment seg;
        try {
            // Parsed into the reusable holder; the payload is a view of the receive buffer (copied once,
            // into the connection's receive buffer).
            seg = TcpSegment.parseInto(rxSeg, rxOpts, buf, off, len, ip.src(), ip.dst(), buf == rxBuf ? rxView : null,
                    buf != checksumTrusted);
        } catch (MalformedPacketException e) {
            stats.drop(e.reason());
            return;
        }
        rxSegBusy = true;
        try {
            tcpInput(seg, ip.src(), ip.dst());
        } finally {
            rxSegBusy = false;
        }
    }

    private void tcpDeliverAllocating(Ipv4Header ip, ByteBuffer buf, int off, int len) {
        TcpSegment seg;
        try {
            seg = TcpSegment.parse(buf, off, len, ip.src(), ip.dst(), buf != checksumTrusted);
        } catch (MalformedPacketException e) {
            stats.drop(e.reason());
            return;
        }
        tcpInput(seg, ip.src(), ip.dst());
    }

    private void tcpInput(TcpSegment seg, int src, int dst) {
        stats.segmentsIn.increment();
        if (seg.rst()) {
            stats.rstReceived.increment();
        }
        long now = clock.nanoTime();
        SegmentTracer t = tracer;
        if (t != null) {
            trace(t, new ConnectionKey(dst, seg.dstPort(), src, seg.srcPort()), SegmentTracer.Direction.IN, seg.copy(), now);
        }
        // The per-segment lookup: primitive 4-tuple, nothing allocated.
        Conn c = lookup.get(dst, seg.dstPort(), src, seg.srcPort());
        TcpConnection predecessor = null;
        if (c != null) {
            // Only a bare SYN can go to a listener here: look one up for that case alone, not on
            // every segment of an established connection.
            if (seg.syn() && !seg.hasAck() && findListener(dst, seg.dstPort()) != null
                    && c.tcp.acceptsNewSyn(seg)) {
                // RFC 9293 §3.10.7.4 MAY-2 / RFC 6191 (C3.11): a new SYN above the old connection's
                // sequence space ends its TIME-WAIT; the listener takes the SYN.
                predecessor = c.tcp;
                c.tcp.retire();
                remove(c);
            } else {
                // A data segment that is not the next one expected (out of order, or a duplicate)
                // is answered at once: coalescing those ACKs over a burst would turn three
                // duplicate ACKs into one and defeat the peer's fast retransmit (RFC 5681 §4.2: "A
                // TCP receiver SHOULD send an immediate duplicate ACK when an out-of-order segment
                // arrives"). In-order segments and pure ACKs are polled once at the end of the
                // burst, so one ACK (and one batch of data) covers the burst.
                boolean unexpected = seg.payloadLength() > 0 && c.tcp.state().isSynchronized()
                        && seg.seq() != c.tcp.rcvNxt();
                c.tcp.onSegment(seg, now);
                if (unexpected) {
                    pollConnection(c);
                } else {
                    markDirty(c);
                }
                return;
            }
        }
        TcpSocket l = findListener(dst, seg.dstPort());
        if (l != null) {
            // StackLimits.maxConnections: at the limit, what could add a connection (a SYN, or an ACK
            // that completes a handshake statelessly) is dropped without a reply, as a SYN the backlog
            // has no room for (C1.10); the peer retransmits. A TIME-WAIT reopen (predecessor) replaces
            // its entry.
            if (predecessor == null && !seg.rst() && seg.syn() != seg.hasAck() && atConnectionLimit()) {
                stats.drop(DropReason.TCP_CONNECTION_LIMIT);
                return;
            }
            // The listener (SYN queue, cookies, children) may keep what it is given: an immutable copy.
            l.listenerInput(seg.copy(), new ConnectionKey(dst, seg.dstPort(), src, seg.srcPort()), now, predecessor);
            return;
        }
        stats.drop(DropReason.TCP_NO_SOCKET);
        // RFC 9293 §3.10.7.1: "If the state is CLOSED ... An incoming segment not containing a RST
        // causes a RST to be sent in response."
        if (!seg.rst()) {
            sendSegment(Resets.forUnknown(seg.copy()), dst, src, 0);
        }
    }

    /** A listener of this stack (lock held). */
    TcpListener newListener(TcpConfig cfg, int port, int backlog) {
        backlog = Math.min(backlog, limits.maxBacklog()); // StackLimits.maxBacklog, as Linux's somaxconn
        TcpListener l = new TcpListener(cfg, port, backlog, events, isn, () -> nextConnectionId++);
        l.setSynCookies(synCookies);
        return l;
    }

    /** Adds a listener's SYN-cookie counts of one segment to the stack's (lock held). */
    void countSynCookies(long sent, long validated, long failed) {
        if (sent != 0) {
            stats.synCookiesSent.add(sent);
        }
        if (validated != 0) {
            stats.synCookiesValidated.add(validated);
        }
        if (failed != 0) {
            stats.synCookiesFailed.add(failed);
        }
    }

    /** A listener's own reply (a RST), sent from the key's local side. */
    void reply(ConnectionKey key, TcpSegment seg) {
        sendSegment(seg, key.localIp(), key.remoteIp(), 0);
    }

    /** Registers a child that a listener created for a SYN. */
    Conn registerChild(TcpConnection child, ConnectionKey key, TcpSocket listener, int tos) {
        Conn c = new Conn(child, key, tos);
        c.listener = listener;
        // A child rebuilt from a SYN cookie is ESTABLISHED (or beyond) already: its state changes
        // happened before it had a Conn.
        c.wasSynchronized = child.state().isSynchronized();
        c.finReceived = child.finReceived();
        register(c);
        markDirty(c);
        return c;
    }

    /** The listening socket for (dst, port): an exact address match first, then the wildcard. */
    private TcpSocket findListener(int dst, int port) {
        List<TcpSocket> l = listeners.get(port);
        if (l == null) {
            return null;
        }
        TcpSocket wildcard = null;
        for (TcpSocket s : l) {
            int a = s.boundAddress();
            if (a == dst) {
                return s;
            }
            if (a == Addresses.ANY) {
                wildcard = s;
            }
        }
        return wildcard;
    }

    private void icmpDeliver(Ipv4Header ip, ByteBuffer buf, int off, int len, long now) {
        IcmpHeader icmp;
        try {
            icmp = IcmpHeader.parse(buf, off, len);
        } catch (MalformedPacketException e) {
            stats.drop(e.reason());
            return;
        }
        if (icmp.type() == IcmpHeader.TYPE_ECHO_REQUEST) {
            // RFC 1122 §3.2.2.6: "Every host MUST implement an ICMP Echo server function that
            // receives Echo Requests and sends corresponding Echo Replies." (C6.3)
            Route r = routing.route(ip.src());
            if (r == null) {
                stats.drop(DropReason.NO_ROUTE);
                return;
            }
            tx.clear();
            int n = Icmp.echoReply(ip, icmp, tx, 0, ipOutput);
            tx.position(0).limit(n);
            stats.icmpEchoReplies.increment(); // before the reply can arrive anywhere
            ipStats.increment(IpStats.Counter.ICMP_ECHO_REPLIES);
            transmit(r, tx);
            return;
        }
        IcmpError err;
        try {
            err = Icmp.parseError(icmp);
        } catch (MalformedPacketException e) {
            stats.drop(e.reason());
            return;
        }
        ipStats.increment(IpStats.Counter.ICMP_ERRORS_RECEIVED);
        stats.icmpErrorsIn.increment();
        IcmpErrorKind kind = IcmpErrorKind.of(err.type(), err.code());
        if (kind == null || err.quotedProtocol() != Ipv4Header.PROTO_TCP) {
            stats.drop(DropReason.ICMP_UNSUPPORTED);
            return;
        }
        // The quoted datagram is one we sent: its source is our side (C6.4, C6.5).
        ConnectionKey key = new ConnectionKey(err.quotedSrc(), err.quotedSrcPort(), err.quotedDst(), err.quotedDstPort());
        Conn c = connections.get(key);
        if (c == null) {
            stats.drop(DropReason.TCP_NO_SOCKET);
            return;
        }
        // RFC 5927 §4.1: check that the quoted sequence number is in SND.UNA..SND.NXT before acting
        // (Linux tcp_v4_err: between(seq, snd_una, snd_nxt)), so blind ICMP cannot kill connections.
        TcpInfo info = c.tcp.info();
        int q = err.quotedSeq();
        if (Seq.lt(q, info.sndUna()) || Seq.gt(q, info.sndNxt())) {
            stats.drop(DropReason.ICMP_UNSUPPORTED);
            return;
        }
        if (kind == IcmpErrorKind.FRAGMENTATION_NEEDED) {
            // RFC 1191 §3: remember the lowered path MTU for the destination, so that new connections
            // to it start with the right MSS (C6.5); 576 when the router did not say (§5 plateau).
            int mtu = Math.max(MIN_PMTU, err.mtu() > 0 ? err.mtu() : 576);
            long[] old = pathMtus.get(err.quotedDst());
            if (old == null || old[1] <= now || mtu < old[0]) {
                pathMtus.put(err.quotedDst(), new long[] {mtu, now + PMTU_EXPIRES_NANOS});
            }
        }
        c.tcp.onIcmpError(kind, err.mtu(), now);
        markDirty(c);
    }

    /** The MSS a new connection to {@code dst} on {@code route} may use: route MTU or learnt path MTU, minus 40. */
    int pathMss(Route route, int dst) {
        int mss = route.mss();
        long[] p = pathMtus.get(dst);
        if (p != null) {
            if (p[1] <= clock.nanoTime()) {
                pathMtus.remove(dst);
            } else {
                mss = Math.min(mss, (int) p[0] - 40);
            }
        }
        return mss;
    }

    /** A datagram given up by reassembly whose fragment zero arrived: ICMP time exceeded, code 1. */
    private void reassemblyExpired(ByteBuffer quote, long now) {
        // RFC 1122 §3.3.2: "if fragment zero is available, a Time Exceeded ... message SHOULD be sent".
        Ipv4Header orig = Ipv4Header.wrap(quote, 0);
        Route r = routing.route(orig.src());
        if (r == null || !Icmp.mayAnswerWithError(orig)) {
            return;
        }
        tx.clear();
        int n = Icmp.error(IcmpHeader.TYPE_TIME_EXCEEDED, Icmp.CODE_REASSEMBLY_TIME_EXCEEDED, 0, quote, 0,
                orig.dst(), tx, 0, ipOutput);
        tx.position(0).limit(n);
        transmit(r, tx);
        ipStats.increment(IpStats.Counter.ICMP_ERRORS_SENT);
    }

    // ------------------------------------------------------------------------------------------
    // Output
    // ------------------------------------------------------------------------------------------

    /** The connections' sink: wraps a segment in IPv4 and sends it on its route. */
    private void emitSegment(TcpConnection from, TcpSegment seg) {
        ConnectionKey k = from.key();
        Conn c = byTcp.get(from);
        // A segment longer than one MSS is a TSO super-segment (the connection sends them only when
        // its route's link has TSO: see register): the link cuts it into payloads of the send MSS
        // minus this segment's options, the size each cut segment would have had.
        int gsoSize = from.sendMss() - (seg.headerLength() - TcpHeader.MIN_LENGTH);
        sendSegment(seg, k.localIp(), k.remoteIp(), c == null ? 0 : c.tos, gsoSize);
    }

    private void sendSegment(TcpSegment seg, int src, int dst, int tos) {
        sendSegment(seg, src, dst, tos, 0);
    }

    /**
     * Wraps a segment in IPv4 and sends it. With checksum offload on the route's link the TCP
     * checksum is left to the link (pseudo-header sum only); a payload longer than {@code gsoSize}
     * (0: never) goes as one TSO super-segment. Tracing and pcap see it as one segment.
     */
    private void sendSegment(TcpSegment seg, int src, int dst, int tos, int gsoSize) {
        NetInterface iface = routing.egress(dst); // as routing.route(dst).iface(), without a Route
        if (iface == null) {
            stats.drop(DropReason.NO_ROUTE);
            return;
        }
        int hl = Ipv4Header.MIN_LENGTH;
        TxRing ring = iface.tx;
        boolean loopback = iface.isLoopback();
        boolean csumOffload = !loopback && iface.link.offload().checksum();
        if (ring != null && !iface.gone && hl + seg.length() <= ring.maxPacket()) {
            // Emitted straight into the link's transmit queue: the payload is copied once, into the
            // packet, and the link is written after the engine lock is released.
            int base = reserve(ring);
            ByteBuffer out = ring.buffer();
            int tcpLen = seg.emit(out, base + hl, src, dst, csumOffload);
            int total = ipOutput.finish(out, base, tos, Ipv4Header.PROTO_TCP, src, dst, tcpLen);
            if (csumOffload) {
                txGso.tcp4(hl, seg.headerLength(), gsoSize, seg.payloadLength());
            } else {
                txGso.clear();
            }
            countSegmentOut(seg, src, dst);
            if (total > iface.mtu && !txGso.isGso()) {
                stats.drop(DropReason.NO_ROUTE); // never happens: segments are sized to the MSS
            } else {
                stats.packetsOut.increment();
                stats.bytesOut.add(total);
                ring.commit(total, txGso.isPlain() ? null : txGso);
            }
            txGso.clear();
            return;
        }
        tx.clear();
        int tcpLen = seg.emit(tx, hl, src, dst, csumOffload || loopback);
        int total = ipOutput.finish(tx, 0, tos, Ipv4Header.PROTO_TCP, src, dst, tcpLen);
        if (csumOffload) {
            txGso.tcp4(hl, seg.headerLength(), gsoSize, seg.payloadLength());
        } else {
            txGso.clear();
        }
        tx.position(0).limit(total);
        countSegmentOut(seg, src, dst);
        transmit(iface, tx, txGso);
        txGso.clear();
    }

    private void countSegmentOut(TcpSegment seg, int src, int dst) {
        stats.segmentsOut.increment();
        if (seg.rst()) {
            stats.rstSent.increment();
        }
        SegmentTracer t = tracer;
        if (t != null) {
            trace(t, new ConnectionKey(src, seg.srcPort(), dst, seg.dstPort()), SegmentTracer.Direction.OUT, seg.copy(),
                    clock.nanoTime());
        }
    }

    /** A slot of {@code ring} (lock held); a full ring is first written out by this thread. */
    private int reserve(TxRing ring) {
        int off = ring.reserve();
        if (off < 0) {
            stats.txQueueFull.increment();
            drainLock.lock(); // waits at most for one drain in progress (the lock order allows it)
            try {
                drainRings();
            } finally {
                drainLock.unlock();
            }
            handleLinkEvents();
            off = ring.reserve(); // empty now: only the engine-lock holder produces
        }
        return off;
    }

    /** Sends one IP packet (position..limit of {@code pkt}) through the route's interface. */
    private void transmit(Route r, ByteBuffer pkt) {
        txGso.clear();
        transmit(r.iface(), pkt, txGso);
    }

    /** Sends one IP packet with offload metadata ({@code gso} plain unless the link has offload) through {@code iface}. */
    private void transmit(NetInterface iface, ByteBuffer pkt, GsoInfo gso) {
        int len = pkt.remaining();
        if (len > iface.mtu && !(gso.isGso() && len <= iface.link.offload().maxPacketSize())) {
            stats.drop(DropReason.NO_ROUTE); // never happens: segments are sized to the MSS
            return;
        }
        stats.packetsOut.increment();
        stats.bytesOut.add(len);
        if (iface.isLoopback()) {
            if (loopbackQueue.size() >= LOOPBACK_QUEUE_LIMIT) {
                stats.drop(DropReason.INPUT_QUEUE_FULL);
                return;
            }
            byte[] copy = new byte[len];
            pkt.get(pkt.position(), copy, 0, len);
            loopbackQueue.addLast(copy);
            stats.loopbackPackets.increment();
            return;
        }
        if (iface.gone) {
            stats.linkSendErrors.increment();
            linkFailed(iface, null); // a connection that raced the failure (e.g. a SYN) fails too
            return;
        }
        TxRing ring = iface.tx;
        int off = reserve(ring);
        ring.buffer().put(off, pkt, pkt.position(), len);
        ring.commit(len, gso.isPlain() ? null : gso);
    }

    // ------------------------------------------------------------------------------------------
    // Transmit queues (see the class comment)
    // ------------------------------------------------------------------------------------------

    /** True when no link has a packet queued. */
    private boolean txIdle() {
        TxRing[] rs = rings;
        for (int k = 0; k < rs.length; k++) {
            if (!rs[k].isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Drain lock held: hands every queued packet to its link. */
    private void drainRings() {
        for (int k = 0; k < rings.length; k++) {
            rings[k].drainTo(ringLinks[k]);
        }
    }

    /**
     * After a drain (drain lock released): sends that found a link down or working again are
     * handled under the engine lock (taken again, reentrantly if held), as the send path did when it
     * wrote under the lock: {@link #linkFailed}, or "up again".
     */
    private void handleLinkEvents() {
        boolean any = false;
        for (int k = 0; k < rings.length; k++) {
            any |= rings[k].hasLinkEvents();
        }
        if (!any) {
            return;
        }
        lock.lock();
        try {
            List<NetInterface> links = routing.links();
            for (int k = 0; k < links.size(); k++) {
                NetInterface i = links.get(k);
                if (i.tx == null) {
                    continue;
                }
                LinkDownException e = i.tx.takeFailure();
                boolean up = i.tx.takeRecovered(); // a send worked after the last failure
                // A failure followed by a working send, on a link already known down, is stale: it
                // must not fail connections opened since (the original, synchronous path had already
                // reported it before they existed).
                if (e != null && !(up && i.down)) {
                    linkFailed(i, e);
                }
                if (up && i.down && !i.gone) {
                    i.down = false;
                    LOG.log(System.Logger.Level.INFO, "usertcp: link " + i.name + " is up again");
                }
            }
            // Fail the link's connections now, as the synchronous send path did inside its flush —
            // not at some later event, which may be a connect over a link that works again. (Inside
            // an outer flush this returns at once and that flush does it.)
            flush();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends what the rings hold unless another thread is at it. Called after the engine lock was
     * released: whoever holds the drain lock re-checks the rings after releasing it, so no packet is
     * left behind when this thread's {@code tryLock} fails.
     */
    private void drainTx() {
        while (!txIdle()) {
            if (!drainLock.tryLock()) {
                return;
            }
            try {
                drainRings();
            } finally {
                drainLock.unlock();
            }
            handleLinkEvents();
        }
    }

    /**
     * The engine lock: a {@link ReentrantLock} whose outermost {@link #unlock()} writes the packets
     * queued meanwhile to the links, and whose conditions let the lock go once for that before they
     * wait (so queued packets never wait for somebody else's unlock).
     */
    private final class EngineLock extends ReentrantLock {
        private static final long serialVersionUID = 1L;

        @Override
        public void unlock() {
            super.unlock();
            if (getHoldCount() == 0 && !txIdle()) {
                drainTx();
            }
        }

        @Override
        public Condition newCondition() {
            return new DrainingCondition(super.newCondition());
        }

        /**
         * Before parking: if packets are queued and nobody is sending them, release the lock once to
         * send them and return as a spurious wake-up (every caller re-checks its condition in a loop).
         * With the lock held more than once, send them under the lock instead.
         */
        boolean sendQueuedFirst() {
            if (txIdle() || drainLock.isLocked()) {
                return false; // nothing queued, or the thread sending re-checks the rings when done
            }
            if (getHoldCount() == 1) {
                unlock();
                lock();
                return true;
            }
            drainLock.lock();
            try {
                drainRings();
            } finally {
                drainLock.unlock();
            }
            handleLinkEvents();
            return false;
        }
    }

    /** A condition of the {@link EngineLock}: sends queued packets before parking. */
    private final class DrainingCondition implements Condition {
        private final Condition c;

        DrainingCondition(Condition c) {
            this.c = c;
        }

        private boolean sendQueuedFirst() {
            return ((EngineLock) lock).sendQueuedFirst();
        }

        @Override
        public void await() throws InterruptedException {
            if (!sendQueuedFirst()) {
                c.await();
            }
        }

        @Override
        public void awaitUninterruptibly() {
            if (!sendQueuedFirst()) {
                c.awaitUninterruptibly();
            }
        }

        @Override
        public long awaitNanos(long nanosTimeout) throws InterruptedException {
            return sendQueuedFirst() ? nanosTimeout : c.awaitNanos(nanosTimeout);
        }

        @Override
        public boolean await(long time, TimeUnit unit) throws InterruptedException {
            return sendQueuedFirst() || c.await(time, unit);
        }

        @Override
        public boolean awaitUntil(java.util.Date deadline) throws InterruptedException {
            return sendQueuedFirst() || c.awaitUntil(deadline);
        }

        @Override
        public void signal() {
            c.signal();
        }

        @Override
        public void signalAll() {
            c.signalAll();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Link failure
    // ------------------------------------------------------------------------------------------

    /**
     * A send on {@code i} failed because the link is down or gone ({@code e} null: known gone).
     * Lock held. The connections over it fail in the next {@link #flush()} round — not here, which
     * may be deep inside a connection's poll.
     */
    private void linkFailed(NetInterface i, LinkDownException e) {
        if (e != null && e.permanent()) {
            markGone(i, e.getMessage());
        } else if (e != null && !i.down) {
            i.down = true;
            stats.linkFailures.increment();
            LOG.log(System.Logger.Level.WARNING, "usertcp: link " + i.name + " is down (" + e.getMessage()
                    + "): its connections fail with \"Network is down\"");
        }
        if (!failedLinks.contains(i)) {
            failedLinks.addLast(i);
        }
        timerWake.signal(); // an event without flush (none today) still gets its flush from the timer thread
    }

    /** {@code i} is dead for good (lock held): logged once, counted once. */
    private void markGone(NetInterface i, String why) {
        if (!i.gone) {
            i.gone = true;
            i.down = true;
            stats.linkFailures.increment();
            LOG.log(System.Logger.Level.ERROR, "usertcp: link " + i.name + " is dead (" + why
                    + "): every connection over it fails with \"Network is down\"; close the stack and start it again");
        }
    }

    /** Fails every connection whose packets leave through {@code i} (lock held). */
    private void failConnections(NetInterface i) {
        long now = clock.nanoTime();
        for (Conn c : connections.values()) {
            Route r = routing.route(c.key.remoteIp());
            if (r == null || r.iface() != i || c.tcp.state().isClosed() || c.tcp.state() == TcpState.TIME_WAIT) {
                continue;
            }
            try {
                c.tcp.fail(ConnectionError.NETWORK_DOWN, now);
                stats.connectionsFailedByLink.increment();
            } catch (RuntimeException e) {
                internalError("failing " + c.key, e);
            }
            markDirty(c);
        }
    }

    /**
     * Asks an idle link whether its interface is still up ({@link PacketLink#isUp()}; no lock held
     * for the question): a link found down fails its connections now, even those with nothing to
     * send, and one found up again is usable again.
     */
    private void checkLinkUp(NetInterface i) {
        boolean up;
        try {
            up = i.link.isUp();
        } catch (RuntimeException e) {
            return; // cannot tell
        }
        lock.lock();
        try {
            if (closed || i.gone) {
                return;
            }
            if (!up && !i.down) {
                linkFailed(i, new LinkDownException(i.name, false, "the interface is not up"));
                flush();
            } else if (up && i.down) {
                i.down = false;
                LOG.log(System.Logger.Level.INFO, "usertcp: link " + i.name + " is up again");
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The RX thread of {@code i} gives up on it (device gone, link closed under the stack, or
     * endless receive errors): the link is marked dead and its connections fail at once.
     */
    private void linkDead(NetInterface i, String why) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            markGone(i, why);
            if (!failedLinks.contains(i)) {
                failedLinks.addLast(i);
            }
            flush();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Events
    // ------------------------------------------------------------------------------------------

    private void trace(SegmentTracer t, ConnectionKey key, SegmentTracer.Direction dir, TcpSegment seg, long now) {
        try {
            t.segment(key, dir, seg, now);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "segment tracer failed", e);
        }
    }

    /** The engine's listener: state changes to {@link #onStateChanged}, the other events to the listeners. */
    private final class Events implements TcpEventListener {
        @Override
        public void stateChanged(TcpConnection c, TcpState from, TcpState to, TcpSegment cause) {
            onStateChanged(c, from, to, cause);
        }

        @Override
        public void retransmitted(TcpConnection c, int seq, int length, long now) {
            for (TcpEventListener l : stateListeners) {
                try {
                    l.retransmitted(c, seq, length, now);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "event listener failed", e);
                }
            }
        }

        @Override
        public void rtoFired(TcpConnection c, int retries, long rtoNanos, long now) {
            for (TcpEventListener l : stateListeners) {
                try {
                    l.rtoFired(c, retries, rtoNanos, now);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "event listener failed", e);
                }
            }
        }

        @Override
        public void zeroWindow(TcpConnection c, boolean entered, long now) {
            for (TcpEventListener l : stateListeners) {
                try {
                    l.zeroWindow(c, entered, now);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "event listener failed", e);
                }
            }
        }
    }

    private void onStateChanged(TcpConnection tcp, TcpState from, TcpState to, TcpSegment cause) {
        if (cause != null && cause.isTransient()) {
            cause = cause.copy(); // listeners may keep it (rare: one per state change)
        }
        SegmentTracer t = tracer;
        if (t != null && tcp.key() != null) {
            try {
                t.stateChanged(tcp.key(), from, to, clock.nanoTime());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "segment tracer failed", e);
            }
        }
        Conn c = byTcp.get(tcp);
        if (c != null) {
            if (to.isSynchronized()) {
                c.wasSynchronized = true;
            }
            if (to == TcpState.CLOSE_WAIT || to == TcpState.CLOSING || to == TcpState.TIME_WAIT) {
                c.finReceived = true;
            }
            if (to == TcpState.CLOSED && cause != null && cause.rst()) {
                c.resetIn = from;
            }
            markDirty(c);
        }
        for (TcpEventListener l : stateListeners) {
            try {
                l.stateChanged(tcp, from, to, cause);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "state listener failed", e);
            }
        }
    }

    private void internalError(String what, RuntimeException e) {
        stats.internalErrors.increment();
        LOG.log(System.Logger.Level.WARNING, "usertcp: exception in " + what + " (packet dropped)", e);
    }
}
