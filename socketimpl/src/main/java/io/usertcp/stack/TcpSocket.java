package io.usertcp.stack;

import io.usertcp.tcp.ConnectionError;
import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.tcp.TcpConnection;
import io.usertcp.tcp.TcpInfo;
import io.usertcp.tcp.TcpListener;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.TcpSegment;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A blocking TCP socket of a {@link Stack}: the API the java.net face builds on. It throws the
 * JDK's exceptions with the JDK's (Linux) messages, JDK-CONTRACT.md §1.4, and handles interrupts
 * as §1.6 says (see {@link Blocking}).
 *
 * <h2>Locking</h2>
 * Every mutable field is guarded by the stack's engine lock ({@code stack.lock}); every public
 * method takes it. A blocked call waits on {@link #changed}, a {@link Condition} of that lock,
 * which the stack signals whenever the connection (or, for a listener, one of its children) had
 * an event, and {@link #close()} signals to wake every blocked thread with "Socket closed".
 * Timeouts are deadlines on the stack's {@link Clock}; the remaining time is recomputed after
 * every wake-up.
 *
 * <h2>Sticky outcomes (as NioSocketImpl and Linux)</h2>
 * EOF is sticky (read returns -1 again, even after close). After a peer RST, reads deliver the
 * data queued before it; then Linux reports the error once: if a read takes it, every read throws
 * "Connection reset" (NioSocketImpl's sticky flag) and writes throw "Broken pipe"; if a write takes
 * it ("Connection reset by peer"), later writes throw "Broken pipe" and reads see EOF. A RST that
 * follows the peer's FIN (CLOSE-WAIT) gives EOF to reads and "Broken pipe" to writes, as Linux's
 * {@code tcp_reset} does.
 */
public final class TcpSocket implements Closeable {

    private final Stack stack;
    private final Condition changed;

    // All guarded by stack.lock.
    private boolean closed;
    private boolean stackGone;
    private boolean bound;
    private int boundIp;            // local address bound (ANY = wildcard)
    private int localPort;
    private boolean portRegistered; // holds an entry in the port table
    private Conn conn;              // the connection, once connecting/connected/accepted
    private boolean connecting;
    private TcpListener listener;   // when listening
    private int listenPort;
    private boolean readEof;        // sticky: read returned -1
    private boolean resetRead;      // sticky: read threw "Connection reset"
    private int writeFailures;      // writes failed after the connection died (1st: reset, then pipe)
    private boolean inputShutdown;
    private boolean outputShutdown;

    // Options, settable before connect; guarded by stack.lock.
    private boolean noDelay;
    private boolean keepAlive;
    private int keepAliveIdle;      // seconds
    private int keepAliveInterval;  // seconds
    private int keepAliveCount;
    private int linger = -1;        // seconds, -1 = off
    private int receiveBufferSize;  // the initial size until set; then fixed (autotuning off)
    private int sendBufferSize;
    private boolean receiveBufferSet; // SO_RCVBUF set: Linux SOCK_RCVBUF_LOCK
    private boolean sendBufferSet;    // SO_SNDBUF set: Linux SOCK_SNDBUF_LOCK
    private boolean oobInline;
    private int trafficClass;
    private boolean reuseAddress;
    private int userTimeout;        // milliseconds, 0 = off
    private String congestionControl; // "cubic" | "reno" (TCP_CONGESTION)

    TcpSocket(Stack stack) {
        this.stack = stack;
        this.changed = stack.lock.newCondition();
        TcpConfig c = stack.config();
        this.noDelay = c.noDelay();
        this.keepAlive = c.keepAlive();
        this.keepAliveIdle = (int) c.keepAliveIdle().toSeconds();
        this.keepAliveInterval = (int) c.keepAliveInterval().toSeconds();
        this.keepAliveCount = c.keepAliveCount();
        this.receiveBufferSize = c.receiveBufferSize();
        this.sendBufferSize = c.sendBufferSize();
        this.oobInline = c.oobInline();
        this.userTimeout = (int) c.userTimeout().toMillis();
        this.congestionControl = c.congestionControl();
    }

    /** An accepted socket: the listener's options (Linux inheritance), the child connection. */
    private TcpSocket(TcpSocket parent, Conn child) {
        this.stack = parent.stack;
        this.changed = stack.lock.newCondition();
        this.noDelay = parent.noDelay;
        this.keepAlive = parent.keepAlive;
        this.keepAliveIdle = parent.keepAliveIdle;
        this.keepAliveInterval = parent.keepAliveInterval;
        this.keepAliveCount = parent.keepAliveCount;
        this.linger = parent.linger;
        this.receiveBufferSize = parent.receiveBufferSize;
        this.sendBufferSize = parent.sendBufferSize;
        this.receiveBufferSet = parent.receiveBufferSet; // inherited, as Linux's sk_userlocks
        this.sendBufferSet = parent.sendBufferSet;
        this.oobInline = parent.oobInline;
        this.trafficClass = parent.trafficClass;
        this.reuseAddress = parent.reuseAddress;
        this.userTimeout = parent.userTimeout;
        this.congestionControl = parent.congestionControl;
        this.bound = true;
        this.boundIp = child.key.localIp();
        this.localPort = child.key.localPort();
        this.conn = child;
        child.socket = this;
        child.listener = null;
    }

    // ------------------------------------------------------------------------------------------
    // bind / listen / accept
    // ------------------------------------------------------------------------------------------

    /**
     * Binds to {@code addr} (null or the wildcard: every address) and {@code port} (0: an
     * ephemeral port).
     */
    public void bind(InetAddress addr, int port) throws IOException {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port out of range:" + port);
        }
        int ip = Addresses.toInt(addr);
        lock();
        try {
            ensureOpen();
            if (bound) {
                throw new SocketException(Messages.ALREADY_BOUND);
            }
            if (ip != Addresses.ANY && !stack.routing().isLocal(ip)) {
                throw new BindException(Messages.CANNOT_ASSIGN);
            }
            bindLocked(ip, port);
        } finally {
            unlock();
        }
    }

    private void bindLocked(int ip, int port) throws IOException {
        PortTable ports = stack.ports();
        if (port == 0) {
            port = ports.allocate(p -> ports.available(ip, p, reuseAddress, false, this)
                    && !stack.portHasConnections(p));
            if (port < 0) {
                throw new BindException(Messages.ADDRESS_IN_USE);
            }
        } else if (!ports.available(ip, port, reuseAddress, false, this)
                || (!reuseAddress && stack.portHasConnections(port))) {
            throw new BindException(Messages.ADDRESS_IN_USE);
        }
        boundIp = ip;
        localPort = port;
        bound = true;
        ports.add(port, this);
        portRegistered = true;
    }

    /** Starts listening with an accept queue of {@code backlog} (below 1: 50). Binds first if needed. */
    public void listen(int backlog) throws IOException {
        lock();
        try {
            ensureOpen();
            if (conn != null) {
                throw new SocketException(Messages.INVALID_ARGUMENT);
            }
            if (listener != null) {
                return;
            }
            if (!bound) {
                bindLocked(Addresses.ANY, 0);
            }
            if (!stack.ports().available(boundIp, localPort, reuseAddress, true, this)) {
                throw new BindException(Messages.ADDRESS_IN_USE);
            }
            listener = stack.newListener(listenConfig(), localPort, backlog < 1 ? 50 : backlog);
            listenPort = localPort;
            stack.addListener(this, localPort);
        } finally {
            unlock();
        }
    }

    /**
     * Waits up to {@code timeoutNanos} (0: forever) for an established connection and returns its
     * socket, which inherits this socket's options.
     */
    public TcpSocket accept(long timeoutNanos) throws IOException {
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        lock();
        try {
            ensureOpen();
            if (listener == null) {
                throw new SocketException(Messages.INVALID_ARGUMENT);
            }
            long deadline = deadline(timeoutNanos);
            while (true) {
                ensureOpen();
                TcpConnection child = listener.accept();
                if (child != null) {
                    Conn c = stack.connFor(child);
                    if (c == null) {
                        // It died (e.g. reset) while queued and left the table; Linux still hands it
                        // out, and its first read reports what happened.
                        c = new Conn(child, child.key(), trafficClass);
                        c.removed = true;
                    }
                    TcpSocket s = new TcpSocket(this, c);
                    s.applyOptions();
                    stack.accepted();
                    stack.flush();
                    return s;
                }
                await(deadline, Messages.ACCEPT_TIMED_OUT);
            }
        } finally {
            unlock();
        }
    }

    /**
     * Called by the stack (lock held) with a segment for this listening socket that matched no
     * connection; {@code predecessor} is a TIME-WAIT connection of the same 4-tuple being reopened.
     */
    void listenerInput(TcpSegment seg, ConnectionKey key, long now, TcpConnection predecessor) {
        long sent = listener.cookiesSent(), ok = listener.cookiesValidated(), failed = listener.cookiesFailed();
        TcpConnection child = listener.onSegment(seg, key, now, stack::reply, predecessor);
        stack.countSynCookies(listener.cookiesSent() - sent, listener.cookiesValidated() - ok,
                listener.cookiesFailed() - failed);
        if (child != null) {
            applyOptionsTo(child);
            stack.registerChild(child, key, this, trafficClass);
        }
    }

    // ------------------------------------------------------------------------------------------
    // connect
    // ------------------------------------------------------------------------------------------

    /**
     * Connects to {@code addr}:{@code port}, waiting up to {@code timeoutNanos} (0: forever). The
     * wildcard address means this stack itself. On failure the socket is closed.
     */
    public void connect(InetAddress addr, int port, long timeoutNanos) throws IOException {
        Objects.requireNonNull(addr, "addr");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port out of range:" + port);
        }
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative");
        }
        int dst = Addresses.toInt(addr);
        lock();
        try {
            ensureOpen();
            if (conn != null) {
                throw new SocketException(connecting ? Messages.CONNECTION_IN_PROGRESS : Messages.ALREADY_CONNECTED);
            }
            if (listener != null) {
                throw new SocketException(Messages.INVALID_ARGUMENT);
            }
            if (dst == Addresses.ANY) {
                dst = Addresses.toInt(stack.primaryAddress()); // JDK: the wildcard means the local host
            }
            Route route = stack.routing().route(dst);
            if (route == null || port == 0) {
                closeLocked();
                // No route: Linux connect(2) fails with ENETUNREACH (also for a multicast or broadcast
                // destination), which the JDK throws as a plain SocketException with strerror's text.
                // NoRouteToHostException (EHOSTUNREACH) is for an ICMP host unreachable (connectFailure).
                throw port == 0 ? new ConnectException(Messages.CONNECTION_REFUSED)
                        : new SocketException(Messages.NETWORK_UNREACHABLE);
            }
            int src = boundIp != Addresses.ANY ? boundIp : route.source();
            if (!bound) {
                bindLocked(Addresses.ANY, 0);
            }
            ConnectionKey key = new ConnectionKey(src, localPort, dst, port);
            if (stack.hasConnection(key)) {
                closeLocked();
                throw new BindException(Messages.CANNOT_ASSIGN);
            }
            if (stack.atConnectionLimit()) {
                closeLocked();
                throw stack.connectionLimitReached();
            }
            TcpConfig cfg = configFor(stack.pathMss(route, dst));
            conn = stack.newConnection(key, cfg, trafficClass);
            conn.socket = this;
            connecting = true;
            applyOptionsTo(conn.tcp);
            conn.tcp.connect(stack.now());
            stack.markDirty(conn);
            stack.flush();
            long deadline = deadline(timeoutNanos);
            try {
                while (true) {
                    ensureOpen();
                    TcpState st = conn.tcp.state();
                    if (st.isSynchronized() || conn.wasSynchronized) {
                        // Established (even if it died since: the first read or write reports that).
                        connecting = false;
                        return;
                    }
                    if (st.isClosed()) {
                        ConnectionError e = conn.tcp.error();
                        closeLocked();
                        throw connectFailure(e);
                    }
                    try {
                        await(deadline, Messages.CONNECT_TIMED_OUT);
                    } catch (SocketTimeoutException e) {
                        closeLocked(); // no RST from SYN-SENT (C1.15): abort only forgets it
                        throw e;
                    }
                }
            } catch (InterruptedIOException e) {
                if (e instanceof SocketTimeoutException) {
                    throw e;
                }
                // JDK-CONTRACT §1.6: connect has no wrapper; NioSocketImpl closes and throws this.
                closeLocked();
                throw new SocketException(Messages.CLOSED_BY_INTERRUPT);
            }
        } finally {
            unlock();
        }
    }

    private static IOException connectFailure(ConnectionError e) {
        if (e == null) {
            return new ConnectException(Messages.CONNECTION_REFUSED);
        }
        return switch (e) {
            case REFUSED, NONE, RESET -> new ConnectException(Messages.CONNECTION_REFUSED);
            case TIMED_OUT -> new ConnectException(Messages.CONNECTION_TIMED_OUT);
            case UNREACHABLE -> new NoRouteToHostException(e.jdkMessage());
            case ABORTED -> new SocketException(Messages.SOCKET_CLOSED);
            default -> new SocketException(e.jdkMessage());
        };
    }

    // ------------------------------------------------------------------------------------------
    // read / write
    // ------------------------------------------------------------------------------------------

    /**
     * Reads up to {@code len} bytes, waiting up to {@code timeoutNanos} (0: forever) for the first.
     * Returns -1 at EOF (sticky). A timeout leaves the socket usable.
     */
    public int read(byte[] b, int off, int len, long timeoutNanos) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        if (len == 0) {
            return 0; // NioSocketImpl: the len == 0 check comes first, even when closed
        }
        lock();
        try {
            if (readEof) {
                return -1; // "emulate legacy behavior to return -1, even if socket is closed" (NioSocketImpl)
            }
            ensureOpen();
            ensureConnected();
            long deadline = deadline(timeoutNanos);
            while (true) {
                ensureOpen();
                if (resetRead) {
                    throw new SocketException(Messages.CONNECTION_RESET);
                }
                if (inputShutdown) {
                    readEof = true;
                    return -1;
                }
                TcpConnection tcp = conn.tcp;
                int n = tcp.read(b, off, len, stack.now());
                if (n > 0) {
                    stack.markDirty(conn); // the window may have opened
                    stack.flush();
                    return n;
                }
                ConnectionError err = tcp.error();
                if (err != ConnectionError.NONE) {
                    // Linux: after the peer's FIN a RST no longer turns into a read error (SOCK_DONE).
                    // Linux reports the socket error once: if a write already took it ("Connection
                    // reset by peer"), reads only see the end of the stream.
                    if (err == ConnectionError.RESET && !tcp.finReceived() && writeFailures == 0) {
                        resetRead = true;
                        throw new SocketException(Messages.CONNECTION_RESET);
                    }
                    if (err != ConnectionError.RESET && err != ConnectionError.ABORTED) {
                        throw new SocketException(err.jdkMessage());
                    }
                    readEof = true;
                    return -1;
                }
                if (n < 0) {
                    readEof = true;
                    return -1;
                }
                await(deadline, Messages.READ_TIMED_OUT);
            }
        } finally {
            unlock();
        }
    }

    /** Writes all {@code len} bytes, blocking until the send buffer has taken them. */
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        lock();
        try {
            ensureOpen();
            ensureConnected();
            int end = off + len;
            do {
                ensureOpen();
                if (outputShutdown) {
                    throw new SocketException(Messages.BROKEN_PIPE); // Linux EPIPE after SHUT_WR
                }
                int n = conn.tcp.write(b, off, end - off, stack.now());
                if (n < 0) {
                    throw writeFailure();
                }
                if (n > 0) {
                    off += n;
                    stack.markDirty(conn);
                    stack.flush();
                    continue;
                }
                await(Blocking.FOREVER, null);
            } while (off < end);
        } finally {
            unlock();
        }
    }

    /**
     * The exception for a write the connection refused, with Linux's errno text: tcp_reset() reports
     * ECONNRESET once (EPIPE when the RST came in CLOSE-WAIT), and every later write gets EPIPE.
     */
    private SocketException writeFailure() {
        ConnectionError err = conn.tcp.error();
        // A read that already reported the reset consumed the error: writes get EPIPE.
        if (writeFailures++ == 0 && !resetRead && err != ConnectionError.NONE && err != ConnectionError.ABORTED
                && conn.resetIn != TcpState.CLOSE_WAIT) {
            return new SocketException(err == ConnectionError.RESET ? Messages.CONNECTION_RESET_BY_PEER
                    : err.jdkMessage());
        }
        return new SocketException(Messages.BROKEN_PIPE);
    }

    /** Bytes that can be read without blocking (0 after a reset or EOF). */
    public int available() throws IOException {
        lock();
        try {
            ensureOpen();
            if (conn == null || resetRead || readEof || inputShutdown) {
                return 0;
            }
            return Math.max(0, conn.tcp.readable());
        } finally {
            unlock();
        }
    }

    /** Shuts down the input side: reads return -1, received data is discarded. */
    public void shutdownInput() throws IOException {
        lock();
        try {
            ensureOpen();
            ensureConnected();
            if (!inputShutdown) {
                inputShutdown = true;
                conn.tcp.shutdownInput(stack.now());
                stack.markDirty(conn);
                stack.flush();
                changed.signalAll();
            }
        } finally {
            unlock();
        }
    }

    /** Shuts down the output side: sends FIN after the queued data; later writes fail. */
    public void shutdownOutput() throws IOException {
        lock();
        try {
            ensureOpen();
            ensureConnected();
            if (!outputShutdown) {
                outputShutdown = true;
                conn.tcp.shutdownOutput(stack.now());
                stack.markDirty(conn);
                stack.flush();
                changed.signalAll();
            }
        } finally {
            unlock();
        }
    }

    /** Sends one byte of urgent data (RFC 9293 §3.8.5). */
    public void sendUrgentData(int data) throws IOException {
        lock();
        try {
            ensureOpen();
            ensureConnected();
            if (outputShutdown) {
                throw new SocketException(Messages.BROKEN_PIPE);
            }
            if (!conn.tcp.sendUrgent(data & 0xFF, stack.now())) {
                if (conn.tcp.writableSpace() == 0 && conn.tcp.error() == ConnectionError.NONE
                        && !conn.tcp.state().isClosed()) {
                    throw new SocketException("No buffer space available"); // NioSocketImpl: would block
                }
                throw writeFailure();
            }
            stack.markDirty(conn);
            stack.flush();
        } finally {
            unlock();
        }
    }

    // ------------------------------------------------------------------------------------------
    // close / abort
    // ------------------------------------------------------------------------------------------

    /**
     * Closes the socket. With SO_LINGER off: a graceful close (FIN after the queued data; RST when
     * received data is unread, as Linux). Linger 0: RST at once (C4.1). Linger &gt; 0: blocks up to
     * the linger time for the data and FIN to be acknowledged, then resets (C3.10). Wakes every
     * thread blocked on this socket with "Socket closed". Idempotent.
     */
    @Override
    public void close() {
        lock();
        try {
            if (closed) {
                return;
            }
            Conn c = conn;
            int lingerSeconds = linger;
            closeLocked();
            if (c != null && lingerSeconds > 0 && !c.tcp.state().isClosed()) {
                lingerWait(c, TimeUnit.SECONDS.toNanos(lingerSeconds));
            }
        } finally {
            unlock();
        }
    }

    /** Closes without waiting (lock held): the close protocol of {@link #close()} minus lingering. */
    private void closeLocked() {
        if (closed) {
            return;
        }
        closed = true;
        connecting = false;
        long now = stack.now();
        if (listener != null) {
            stack.removeListener(this, listenPort);
            for (TcpConnection child : listener.close(now)) {
                stack.markDirty(stack.connFor(child));
            }
        }
        if (conn != null && !conn.tcp.state().isClosed()) {
            if (linger == 0 && conn.tcp.state() != TcpState.SYN_SENT) {
                conn.tcp.abort(now); // C4.1, RFC 9293 §3.10.5 ABORT
            } else {
                conn.tcp.close(now); // C1.15: in SYN-SENT this just deletes the TCB, no RST
            }
            stack.markDirty(conn);
        }
        releasePort();
        stack.flush();
        changed.signalAll();
    }

    private void lingerWait(Conn c, long nanos) {
        long deadline = stack.now() + nanos;
        while (true) {
            TcpState st = c.tcp.state();
            if (st.isClosed() || st == TcpState.FIN_WAIT_2 || st == TcpState.TIME_WAIT) {
                return; // everything we sent, FIN included, is acknowledged
            }
            long remaining = deadline - stack.now();
            if (remaining <= 0) {
                c.tcp.abort(stack.now()); // C3.10: the linger time ran out: reset
                stack.markDirty(c);
                stack.flush();
                return;
            }
            try {
                Blocking.await(changed, remaining);
            } catch (InterruptedIOException e) {
                return; // virtual thread interrupted: stop lingering; the FIN goes on in the background
            }
        }
    }

    /** Aborts: RST to the peer (if connected), closed at once. */
    public void abort() {
        lock();
        try {
            if (!closed) {
                linger = 0;
                closeLocked();
            }
        } finally {
            unlock();
        }
    }

    private void releasePort() {
        if (portRegistered) {
            stack.ports().remove(localPort, this);
            portRegistered = false;
        }
    }

    /** The stack closed (lock held): this socket is dead; wake its threads. */
    void stackClosed() {
        stackGone = true;
        closed = true;
        releasePort();
        changed.signalAll();
    }

    /** Wakes every thread blocked on this socket (lock held). */
    void signal() {
        changed.signalAll();
    }

    // ------------------------------------------------------------------------------------------
    // Addresses and state
    // ------------------------------------------------------------------------------------------

    /** The local address: the connection's when connected, else the bound one (null when unbound). */
    public InetAddress localAddress() {
        lock();
        try {
            if (conn != null) {
                return Addresses.toInet(conn.key.localIp());
            }
            return bound ? Addresses.toInet(boundIp) : null;
        } finally {
            unlock();
        }
    }

    /** The local port, 0 when unbound (kept after close). */
    public int localPort() {
        lock();
        try {
            return localPort;
        } finally {
            unlock();
        }
    }

    /** The remote address, null when not connected (kept after close). */
    public InetAddress remoteAddress() {
        lock();
        try {
            return conn == null ? null : Addresses.toInet(conn.key.remoteIp());
        } finally {
            unlock();
        }
    }

    /** The remote port, 0 when not connected (kept after close). */
    public int remotePort() {
        lock();
        try {
            return conn == null ? 0 : conn.key.remotePort();
        } finally {
            unlock();
        }
    }

    /** The connection's state; LISTEN for a listening socket; CLOSED before connect. */
    public TcpState state() {
        lock();
        try {
            if (listener != null && !closed) {
                return TcpState.LISTEN;
            }
            return conn == null ? TcpState.CLOSED : conn.tcp.state();
        } finally {
            unlock();
        }
    }

    public boolean isListening() {
        lock();
        try {
            return listener != null && !closed;
        } finally {
            unlock();
        }
    }

    public boolean isClosed() {
        lock();
        try {
            return closed;
        } finally {
            unlock();
        }
    }

    public boolean isConnected() {
        lock();
        try {
            return conn != null && !connecting;
        } finally {
            unlock();
        }
    }

    /** A snapshot of the connection's variables, or null without a connection. */
    public TcpInfo info() {
        lock();
        try {
            return conn == null ? null : conn.tcp.info();
        } finally {
            unlock();
        }
    }

    /** The stack this socket belongs to. */
    public Stack stack() {
        return stack;
    }

    // For PortTable (lock held).
    int boundAddress() {
        return boundIp;
    }

    boolean reuseAddressForBind() {
        return reuseAddress;
    }

    boolean listeningForBind() {
        return listener != null;
    }

    // ------------------------------------------------------------------------------------------
    // Options
    // ------------------------------------------------------------------------------------------

    /**
     * The configuration of a listener's children. One listener serves every interface, so its MSS
     * is that of the interface of the bound address, or for the wildcard the largest of all; the MSS actually used per child is still bounded by the peer's MSS option, which
     * reflects the link it came over. (Deviation: Linux advertises the MSS of each SYN's route.)
     */
    private TcpConfig listenConfig() {
        NetInterface i = boundIp == Addresses.ANY ? null : stack.routing().interfaceOf(boundIp);
        int mtu = i != null ? i.mtu : stack.maxMtu();
        return configFor(mtu - 40);
    }

    private TcpConfig configFor(int routeMss) {
        TcpConfig base = stack.config();
        // A size the application set is fixed: autotuning's cap is the size itself.
        return base.toBuilder()
                .maxReceiveBufferSize(receiveBufferSet ? receiveBufferSize : base.maxReceiveBufferSize())
                .maxSendBufferSize(sendBufferSet ? sendBufferSize : base.maxSendBufferSize())
                .mss(Math.max(64, Math.min(65495, routeMss)))
                .noDelay(noDelay)
                .keepAlive(keepAlive)
                .keepAliveIdle(Duration.ofSeconds(keepAliveIdle))
                .keepAliveInterval(Duration.ofSeconds(keepAliveInterval))
                .keepAliveCount(keepAliveCount)
                .receiveBufferSize(receiveBufferSize)
                .sendBufferSize(sendBufferSize)
                .oobInline(oobInline)
                .userTimeout(Duration.ofMillis(userTimeout))
                .congestionControl(congestionControl)
                .build();
    }

    /** Applies the options to this socket's connection, if any (lock held). */
    private void applyOptions() {
        if (conn != null && !conn.tcp.state().isClosed()) {
            applyOptionsTo(conn.tcp);
            stack.markDirty(conn);
        }
    }

    private void applyOptionsTo(TcpConnection tcp) {
        long now = stack.now();
        tcp.setNoDelay(noDelay);
        tcp.setKeepAliveParams(TimeUnit.SECONDS.toNanos(keepAliveIdle), TimeUnit.SECONDS.toNanos(keepAliveInterval),
                keepAliveCount, now);
        if (tcp.keepAlive() != keepAlive) {
            tcp.setKeepAlive(keepAlive, now);
        }
        tcp.setUserTimeout(TimeUnit.MILLISECONDS.toNanos(userTimeout));
        tcp.setOobInline(oobInline);
        // Only sizes the application set are pushed down (and lock autotuning); otherwise the
        // connection's autotuned sizes stand.
        if (receiveBufferSet && (!tcp.receiveBufferLocked() || tcp.receiveBufferSize() != receiveBufferSize)) {
            tcp.setReceiveBufferSize(receiveBufferSize);
        }
        if (sendBufferSet && (!tcp.sendBufferLocked() || tcp.sendBufferSize() != sendBufferSize)) {
            tcp.setSendBufferSize(sendBufferSize);
        }
        tcp.setCongestionControl(congestionControl); // no-op when unchanged
    }

    private interface LockedAction {
        void run() throws SocketException;
    }

    private void setOption(LockedAction a) throws SocketException {
        lock();
        try {
            ensureOpen();
            a.run();
            applyOptions();
            stack.flush();
        } finally {
            unlock();
        }
    }

    private int getInt(java.util.function.IntSupplier s) throws SocketException {
        lock();
        try {
            ensureOpen();
            return s.getAsInt();
        } finally {
            unlock();
        }
    }

    private boolean getBool(java.util.function.BooleanSupplier s) throws SocketException {
        lock();
        try {
            ensureOpen();
            return s.getAsBoolean();
        } finally {
            unlock();
        }
    }

    /** TCP_NODELAY: on disables Nagle's algorithm. */
    public void setNoDelay(boolean on) throws SocketException { setOption(() -> noDelay = on); }
    public boolean getNoDelay() throws SocketException { return getBool(() -> noDelay); }

    /** SO_KEEPALIVE. */
    public void setKeepAlive(boolean on) throws SocketException { setOption(() -> keepAlive = on); }
    public boolean getKeepAlive() throws SocketException { return getBool(() -> keepAlive); }

    /** TCP_KEEPIDLE in seconds (1..32767, as Linux). */
    public void setKeepAliveIdle(int seconds) throws SocketException {
        checkRange(seconds, 1, 32767, "TCP_KEEPIDLE");
        setOption(() -> keepAliveIdle = seconds);
    }
    public int getKeepAliveIdle() throws SocketException { return getInt(() -> keepAliveIdle); }

    /** TCP_KEEPINTVL in seconds (1..32767). */
    public void setKeepAliveInterval(int seconds) throws SocketException {
        checkRange(seconds, 1, 32767, "TCP_KEEPINTVL");
        setOption(() -> keepAliveInterval = seconds);
    }
    public int getKeepAliveInterval() throws SocketException { return getInt(() -> keepAliveInterval); }

    /** TCP_KEEPCNT (1..127). */
    public void setKeepAliveCount(int count) throws SocketException {
        checkRange(count, 1, 127, "TCP_KEEPCNT");
        setOption(() -> keepAliveCount = count);
    }
    public int getKeepAliveCount() throws SocketException { return getInt(() -> keepAliveCount); }

    /** SO_LINGER in seconds; -1 turns it off; 0 makes close send a RST. */
    public void setLinger(int seconds) throws SocketException {
        if (seconds < -1) {
            throw new IllegalArgumentException("linger " + seconds);
        }
        setOption(() -> linger = Math.min(seconds, 65535));
    }
    public int getLinger() throws SocketException { return getInt(() -> linger); }

    /**
     * SO_RCVBUF in bytes (&gt; 0), at most the stack's {@link StackLimits#maxSocketBufferSize()} (larger is
     * clamped): fixes the receive buffer and turns receive autotuning off for this socket (and the
     * sockets a listener accepts), as Linux's SOCK_RCVBUF_LOCK. Set it before connect or listen for it
     * to shape the first window (the window-scale shift always covers at least 6 MiB, so a later
     * increase still takes effect).
     */
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new SocketException("SO_RCVBUF <= 0");
        }
        int clamped = Math.min(size, stack.limits().maxSocketBufferSize()); // as Linux's rmem_max
        setOption(() -> {
            receiveBufferSize = clamped;
            receiveBufferSet = true;
        });
    }

    /**
     * The size set, or else the connection's current (autotuned) size, or before a connection the
     * initial size. (The JDK on Linux reports the kernel's value halved, which is the size set, or the
     * autotuned size, in the same way.)
     */
    public int getReceiveBufferSize() throws SocketException {
        return getInt(() -> receiveBufferSet || !hasConn() ? receiveBufferSize : conn.tcp.receiveBufferSize());
    }

    /** SO_SNDBUF in bytes (&gt; 0): fixes the send buffer, send autotuning off (Linux SOCK_SNDBUF_LOCK). */
    public void setSendBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new SocketException("SO_SNDBUF <= 0");
        }
        int clamped = Math.min(size, stack.limits().maxSocketBufferSize()); // as Linux's wmem_max
        setOption(() -> {
            sendBufferSize = clamped;
            sendBufferSet = true;
        });
    }

    /** The size set, or else the connection's current (autotuned) size, or the initial size. */
    public int getSendBufferSize() throws SocketException {
        return getInt(() -> sendBufferSet || !hasConn() ? sendBufferSize : conn.tcp.sendBufferSize());
    }

    private boolean hasConn() {
        return conn != null;
    }

    /** SO_OOBINLINE: deliver received urgent bytes inline (else they are dropped, as JDK sockets). */
    public void setOobInline(boolean on) throws SocketException { setOption(() -> oobInline = on); }
    public boolean getOobInline() throws SocketException { return getBool(() -> oobInline); }

    /** IP_TOS (0..255): the TOS byte of the packets of connections made after this call. */
    public void setTrafficClass(int tc) throws SocketException {
        if (tc < 0 || tc > 255) {
            throw new IllegalArgumentException("tc is not in range 0 -- 255");
        }
        setOption(() -> trafficClass = tc);
    }
    public int getTrafficClass() throws SocketException { return getInt(() -> trafficClass); }

    /** SO_REUSEADDR: share a local port with sockets that also set it (and do not listen), or with TIME-WAIT. */
    public void setReuseAddress(boolean on) throws SocketException { setOption(() -> reuseAddress = on); }
    public boolean getReuseAddress() throws SocketException { return getBool(() -> reuseAddress); }

    /** TCP_USER_TIMEOUT in milliseconds; 0 = off (RFC 9293 §3.8.4). */
    public void setUserTimeout(int millis) throws SocketException {
        if (millis < 0) {
            throw new IllegalArgumentException("user timeout " + millis);
        }
        setOption(() -> userTimeout = millis);
    }
    public int getUserTimeout() throws SocketException { return getInt(() -> userTimeout); }

    /**
     * TCP_CONGESTION: the congestion control algorithm, {@code "cubic"} (default) or {@code "reno"}
     * ({@code "newreno"} accepted), case-insensitive. Before or after connect: a connection switches at
     * once and keeps its cwnd and ssthresh, as Linux; a listener's children inherit it.
     * @throws IllegalArgumentException for an unknown algorithm (Linux: ENOENT)
     */
    public void setCongestionControl(String name) throws SocketException {
        String n = io.usertcp.tcp.CongestionControl.canonicalName(name);
        if (!io.usertcp.tcp.CongestionControl.ALGORITHMS.contains(n)) {
            throw new IllegalArgumentException("Invalid value for TCP_CONGESTION: '" + name
                    + "' (available: " + String.join(", ", io.usertcp.tcp.CongestionControl.ALGORITHMS) + ")");
        }
        setOption(() -> congestionControl = n);
    }

    public String getCongestionControl() throws SocketException {
        lock();
        try {
            ensureOpen();
            return congestionControl;
        } finally {
            unlock();
        }
    }

    private static void checkRange(int v, int lo, int hi, String name) {
        if (v < lo || v > hi) {
            throw new IllegalArgumentException("Invalid value for " + name + ": " + v);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Helpers (lock held)
    // ------------------------------------------------------------------------------------------

    private void lock() {
        stack.lock.lock();
    }

    private void unlock() {
        stack.lock.unlock();
    }

    private void ensureOpen() throws SocketException {
        if (closed || stack.isClosed()) {
            throw new SocketException(Messages.SOCKET_CLOSED);
        }
    }

    private void ensureConnected() throws SocketException {
        if (conn == null || connecting) {
            throw new SocketException(Messages.NOT_CONNECTED);
        }
    }

    private long deadline(long timeoutNanos) {
        if (timeoutNanos == 0) {
            return Long.MAX_VALUE;
        }
        long d = stack.now() + timeoutNanos;
        return d < 0 && timeoutNanos > 0 ? Long.MAX_VALUE : d; // overflow: forever
    }

    /**
     * One wait on {@link #changed}: until signalled, the deadline (then SocketTimeoutException with
     * {@code timeoutMessage}), or an interrupt on a virtual thread (InterruptedIOException).
     */
    private void await(long deadline, String timeoutMessage) throws InterruptedIOException {
        if (deadline == Long.MAX_VALUE) {
            Blocking.await(changed, Blocking.FOREVER);
            return;
        }
        long remaining = deadline - stack.now();
        if (remaining <= 0) {
            throw new SocketTimeoutException(timeoutMessage);
        }
        Blocking.await(changed, remaining);
    }

    @Override
    public String toString() {
        lock();
        try {
            String s = "TcpSocket[";
            if (conn != null) {
                s += conn.key + " " + conn.tcp.state();
            } else if (bound) {
                s += Addresses.format(boundIp) + ":" + localPort + (listener != null ? " LISTEN" : "");
            } else {
                s += "unbound";
            }
            return s + (closed ? " closed" : "") + "]";
        } finally {
            unlock();
        }
    }
}
