package io.usertcp.net;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import io.usertcp.stack.Stack;
import io.usertcp.stack.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.ref.Cleaner;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import jdk.net.ExtendedSocketOptions;

/**
 * A {@link SocketImpl} over the usertcp engine ({@link TcpSocket}): what {@code java.net.Socket} and
 * {@code java.net.ServerSocket} drive once the usertcp factories are installed. Every outward
 * behaviour mirrors the JDK's own {@code sun.nio.ch.NioSocketImpl} on Linux (JDK-CONTRACT.md §1):
 * messages, exception types, option value types, sticky EOF and reset, the state order.
 *
 * <p><b>Lifecycle.</b> The constructor allocates nothing (the JDK calls factories for sockets it
 * never uses, JDK-CONTRACT §1.2). {@link #create} takes a {@link TcpSocket} from the stack;
 * {@link #accept} fills a never-created impl from the client factory with the accepted connection.
 * {@code address}, {@code port} and {@code localport} stay valid after {@link #close}. A
 * {@link Cleaner} aborts the connection when a Socket is dropped unclosed; the stack never holds
 * this object (only the {@link TcpSocket}), so an unreferenced Socket can be collected.
 *
 * <p><b>Locking.</b> {@code stateLock} guards {@code state}, {@code socket}, {@code closer} and the
 * shutdown flags; it is held only for bookkeeping and for the short, non-blocking option and
 * shutdown calls into the stack, never across a blocking read, write, connect, accept or close.
 * {@code writeLock} serialises writers so that two writes never interleave their bytes. Lock
 * order: writeLock → stateLock → the stack's engine lock. Blocking waits happen inside
 * {@link TcpSocket} on conditions of the engine lock (virtual-thread friendly, JDK-CONTRACT §1.6),
 * and a concurrent {@link #close} wakes them with {@code SocketException("Socket closed")}.
 */
public final class UserTcpSocketImpl extends SocketImpl {

    private static final Cleaner CLEANER = Cleaner.create();

    // One ordered state, as NioSocketImpl's ST_*; every ensure… check compares against it.
    private static final int ST_NEW = 0;
    private static final int ST_UNCONNECTED = 1;
    private static final int ST_CONNECTING = 2;
    private static final int ST_CONNECTED = 3;
    private static final int ST_CLOSED = 4;

    /** NioSocketImpl's option sets on Linux, less the options usertcp does not implement. */
    private static final Set<SocketOption<?>> CLIENT_OPTIONS = Set.of(
            StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.IP_TOS, ExtendedSocketOptions.TCP_KEEPIDLE,
            ExtendedSocketOptions.TCP_KEEPINTERVAL, ExtendedSocketOptions.TCP_KEEPCOUNT,
            UserTcpOptions.TCP_CONGESTION);
    private static final Set<SocketOption<?>> SERVER_OPTIONS = Set.of(
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.IP_TOS, ExtendedSocketOptions.TCP_KEEPIDLE,
            ExtendedSocketOptions.TCP_KEEPINTERVAL, ExtendedSocketOptions.TCP_KEEPCOUNT,
            UserTcpOptions.TCP_CONGESTION);

    private final Stack stack;
    private final boolean server;

    private final ReentrantLock stateLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();

    private int state; // guarded by stateLock
    private TcpSocket socket; // guarded by stateLock; set once by create() or accept()
    private Closer closer; // guarded by stateLock
    private boolean inputShutdown; // guarded by stateLock
    private boolean outputShutdown; // guarded by stateLock

    private volatile int timeout; // SO_TIMEOUT in ms, sampled when a read or accept starts
    private volatile boolean readEof; // sticky: -1 forever after the first -1
    private volatile boolean connectionReset; // sticky: "Connection reset" forever after the first
    private volatile boolean resetReportedByWrite; // a write reported the peer's RST first

    /**
     * @param stack the stack whose sockets this impl uses
     * @param server true for a ServerSocket's impl (SO_REUSEADDR on by default, the server option set)
     */
    public UserTcpSocketImpl(Stack stack, boolean server) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.server = server;
    }

    // ---------------------------------------------------------------- state checks

    /** NioSocketImpl.ensureOpen: the socket must be created and not closed. */
    private TcpSocket ensureOpen() throws SocketException {
        int s = state;
        if (s == ST_NEW) {
            throw new SocketException(JdkMessages.SOCKET_NOT_CREATED);
        }
        if (s >= ST_CLOSED) {
            throw new SocketException(JdkMessages.SOCKET_CLOSED);
        }
        return socket;
    }

    /** NioSocketImpl.ensureOpenAndConnected. */
    private TcpSocket ensureOpenAndConnected() throws SocketException {
        TcpSocket s = ensureOpen();
        if (state != ST_CONNECTED) {
            throw new SocketException(JdkMessages.NOT_CONNECTED);
        }
        return s;
    }

    private TcpSocket openSocket() throws SocketException {
        stateLock.lock();
        try {
            return ensureOpen();
        } finally {
            stateLock.unlock();
        }
    }

    private TcpSocket openConnectedSocket() throws SocketException {
        stateLock.lock();
        try {
            return ensureOpenAndConnected();
        } finally {
            stateLock.unlock();
        }
    }

    boolean isClosed() {
        stateLock.lock();
        try {
            return state == ST_CLOSED;
        } finally {
            stateLock.unlock();
        }
    }

    // ---------------------------------------------------------------- create, bind, listen

    @Override
    protected void create(boolean stream) throws IOException {
        stateLock.lock();
        try {
            if (state != ST_NEW) {
                throw new IOException(JdkMessages.ALREADY_CREATED);
            }
            if (!stream) {
                // JDK 25 says so too; 17 would make a UDP socket, which usertcp does not have.
                throw new IOException(JdkMessages.DATAGRAM_NOT_SUPPORTED);
            }
            TcpSocket s = stack.newSocket();
            if (server) {
                // NioSocketImpl creates server sockets with SO_REUSEADDR on (Net.serverSocket).
                s.setReuseAddress(true);
            }
            attach(s);
            state = ST_UNCONNECTED;
        } finally {
            stateLock.unlock();
        }
    }

    /** Takes ownership of {@code s} and registers the cleaner. Caller holds stateLock. */
    private void attach(TcpSocket s) {
        socket = s;
        closer = new Closer(s);
        closer.cleanable = CLEANER.register(this, closer);
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        stateLock.lock();
        try {
            TcpSocket s = ensureOpen();
            if (localport != 0) {
                throw new SocketException(JdkMessages.ALREADY_BOUND);
            }
            s.bind(host, port);
            // NioSocketImpl: "set the address field to the given host address to maintain long
            // standing behavior" (ServerSocket.getInetAddress reads it).
            address = host;
            localport = s.localPort();
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    protected void listen(int backlog) throws IOException {
        stateLock.lock();
        try {
            TcpSocket s = ensureOpen();
            if (localport == 0) {
                throw new SocketException(JdkMessages.NOT_BOUND);
            }
            s.listen(backlog < 1 ? 50 : backlog);
        } finally {
            stateLock.unlock();
        }
    }

    // ---------------------------------------------------------------- connect

    @Override
    protected void connect(String host, int port) throws IOException {
        connect(new InetSocketAddress(host, port), 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    @Override
    protected void connect(SocketAddress remote, int millis) throws IOException {
        if (!(remote instanceof InetSocketAddress)) {
            throw new IllegalArgumentException(JdkMessages.UNSUPPORTED_ADDRESS_TYPE);
        }
        InetSocketAddress isa = (InetSocketAddress) remote;
        if (isa.isUnresolved()) {
            throw new UnknownHostException(isa.getHostName());
        }
        InetAddress target = isa.getAddress();
        if (target.isAnyLocalAddress()) {
            // NioSocketImpl connects to InetAddress.getLocalHost(), the kernel's idea of this host.
            // Deviation: the host on the usertcp stack is the stack's own address, so connect there
            // (getLocalHost() can name an address that routes off-stack).
            target = stack.primaryAddress();
        }
        int remotePort = isa.getPort();
        try {
            TcpSocket s = beginConnect(target, remotePort);
            boolean connected = false;
            try {
                s.connect(target, remotePort, millis > 0 ? MILLISECONDS.toNanos(millis) : 0);
                connected = true;
            } finally {
                endConnect(s, connected);
            }
        } catch (IOException e) {
            // JDK-CONTRACT §1.2: the impl closes itself on any connect failure (17 and 25).
            close();
            if (e instanceof SocketTimeoutException) {
                throw e;
            }
            if (e instanceof InterruptedIOException && Threads.currentIsVirtual()) {
                // JDK-CONTRACT §1.6: connect has no Socket-level wrapper; NioSocketImpl closes and
                // turns a virtual thread's interrupt into "Closed by interrupt", keeping the flag set.
                Thread.currentThread().interrupt();
                throw new SocketException(JdkMessages.CLOSED_BY_INTERRUPT);
            }
            if (e instanceof InterruptedIOException) {
                throw e;
            }
            throw asSocketException(e);
        }
    }

    private TcpSocket beginConnect(InetAddress target, int remotePort) throws SocketException {
        stateLock.lock();
        try {
            switch (state) {
                case ST_NEW:
                    throw new SocketException(JdkMessages.NOT_CREATED);
                case ST_UNCONNECTED:
                    break;
                case ST_CONNECTING:
                    throw new SocketException(JdkMessages.CONNECTION_IN_PROGRESS);
                case ST_CONNECTED:
                    throw new SocketException(JdkMessages.ALREADY_CONNECTED);
                default:
                    throw new SocketException(JdkMessages.SOCKET_CLOSED);
            }
            state = ST_CONNECTING;
            address = target;
            port = remotePort;
            return socket;
        } finally {
            stateLock.unlock();
        }
    }

    private void endConnect(TcpSocket s, boolean connected) throws SocketException {
        stateLock.lock();
        try {
            if (connected && state == ST_CONNECTING) {
                state = ST_CONNECTED;
                localport = s.localPort();
            } else if (!connected && state >= ST_CLOSED) {
                throw new SocketException(JdkMessages.SOCKET_CLOSED);
            }
        } finally {
            stateLock.unlock();
        }
    }

    // ---------------------------------------------------------------- accept

    @Override
    protected void accept(SocketImpl si) throws IOException {
        if (!(si instanceof UserTcpSocketImpl)) {
            throw new SocketException("usertcp cannot accept into " + (si == null ? "null" : si.getClass().getName())
                    + ": install both usertcp factories (Socket and ServerSocket)");
        }
        UserTcpSocketImpl target = (UserTcpSocketImpl) si;
        target.stateLock.lock();
        try {
            if (target.state != ST_NEW) {
                throw new SocketException(JdkMessages.NOT_NEWLY_CREATED);
            }
        } finally {
            target.stateLock.unlock();
        }
        TcpSocket listener;
        stateLock.lock();
        try {
            listener = ensureOpen();
            if (localport == 0) {
                throw new SocketException(JdkMessages.NOT_BOUND);
            }
        } finally {
            stateLock.unlock();
        }
        int millis = timeout; // sampled when the accept starts
        TcpSocket child;
        try {
            child = listener.accept(millis > 0 ? MILLISECONDS.toNanos(millis) : 0);
        } catch (InterruptedIOException e) {
            throw e; // SocketTimeoutException("Accept timed out") or an interrupt (§1.6)
        } catch (IOException e) {
            throw asSocketException(e);
        }
        target.attachAccepted(child);
    }

    private void attachAccepted(TcpSocket child) throws IOException {
        stateLock.lock();
        try {
            if (state == ST_NEW) {
                attach(child);
                localport = child.localPort();
                address = child.remoteAddress();
                port = child.remotePort();
                state = ST_CONNECTED; // an accepted impl is never create()d (JDK-CONTRACT §1.2)
                return;
            }
        } finally {
            stateLock.unlock();
        }
        child.abort();
        throw new SocketException(JdkMessages.NOT_NEWLY_CREATED);
    }

    // ---------------------------------------------------------------- streams

    @Override
    protected InputStream getInputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = UserTcpSocketImpl.this.read(one, 0, 1);
                return n > 0 ? one[0] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return UserTcpSocketImpl.this.read(b, off, len);
            }

            @Override
            public int available() throws IOException {
                return UserTcpSocketImpl.this.available();
            }

            @Override
            public void close() throws IOException {
                UserTcpSocketImpl.this.close(); // closing a stream closes the socket
            }
        };
    }

    @Override
    protected OutputStream getOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                UserTcpSocketImpl.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                UserTcpSocketImpl.this.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                UserTcpSocketImpl.this.close();
            }
        };
    }

    private int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0; // before any state check: read(b, 0, 0) on a closed socket returns 0
        }
        // NioSocketImpl: "emulate legacy behavior to return -1, even if socket is closed"
        if (readEof) {
            return -1;
        }
        TcpSocket s;
        stateLock.lock();
        try {
            s = ensureOpenAndConnected();
            if (connectionReset) {
                throw new SocketException(JdkMessages.CONNECTION_RESET);
            }
            if (inputShutdown) {
                readEof = true;
                return -1;
            }
        } finally {
            stateLock.unlock();
        }
        int millis = timeout; // sampled at read start: a later setSoTimeout does not apply
        int n;
        try {
            n = s.read(b, off, len, millis > 0 ? MILLISECONDS.toNanos(millis) : 0);
        } catch (InterruptedIOException e) {
            throw e; // "Read timed out" leaves the socket usable; interrupts per §1.6
        } catch (IOException e) {
            if (JdkMessages.CONNECTION_RESET.equals(e.getMessage())) {
                if (resetReportedByWrite) {
                    // Linux reports a socket error once: a write took it ("Connection reset by
                    // peer"), so the read side only sees the end of the stream.
                    readEof = true;
                    return -1;
                }
                connectionReset = true; // NioSocketImpl's sticky flag: every later read says so too
            }
            throw asSocketException(e);
        }
        if (n < 0) {
            readEof = true;
        }
        return n;
    }

    private void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return; // NioSocketImpl writes nothing and checks nothing for len == 0
        }
        writeLock.lock();
        try {
            TcpSocket s = openConnectedSocket();
            if (connectionReset) {
                // Linux reports a socket error once: a read took it ("Connection reset"), so
                // writes see only the dead connection: EPIPE.
                throw new SocketException(JdkMessages.BROKEN_PIPE);
            }
            // No shutdown check: after shutdownOutput the stack reports "Broken pipe" as the kernel does.
            s.write(b, off, len);
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            if (isClosed()) {
                // NioSocketImpl.endWrite: a write that did not complete because another thread
                // closed the socket reports "Socket closed", whatever the close did on the wire
                // (our close shuts the output down first, which the blocked write sees as EPIPE).
                throw new SocketException(JdkMessages.SOCKET_CLOSED);
            }
            if (JdkMessages.CONNECTION_RESET_BY_PEER.equals(e.getMessage()) && !connectionReset) {
                resetReportedByWrite = true;
            }
            throw asSocketException(e);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    protected int available() throws IOException {
        TcpSocket s;
        stateLock.lock();
        try {
            s = ensureOpenAndConnected();
            if (inputShutdown || connectionReset) {
                return 0;
            }
        } finally {
            stateLock.unlock();
        }
        try {
            return s.available();
        } catch (IOException e) {
            if (isClosed()) {
                throw new SocketException(JdkMessages.SOCKET_CLOSED);
            }
            return 0; // like FIONREAD on a reset socket
        }
    }

    // ---------------------------------------------------------------- shutdown, close

    @Override
    protected void shutdownInput() throws IOException {
        stateLock.lock();
        try {
            TcpSocket s = ensureOpenAndConnected();
            if (!inputShutdown) {
                s.shutdownInput(); // wakes a blocked reader, which then returns -1
                inputShutdown = true;
            }
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    protected void shutdownOutput() throws IOException {
        stateLock.lock();
        try {
            TcpSocket s = ensureOpenAndConnected();
            if (!outputShutdown) {
                s.shutdownOutput();
                outputShutdown = true;
            }
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * Closes the socket: FIN by default, RST with SO_LINGER 0 (the stack does both). Never blocks on
     * in-flight I/O; threads blocked in read, write, accept or connect wake with
     * {@code SocketException("Socket closed")}. Idempotent.
     */
    @Override
    protected void close() throws IOException {
        TcpSocket s;
        Closer c;
        boolean connected;
        boolean shutOutput;
        stateLock.lock();
        try {
            if (state == ST_CLOSED) {
                return;
            }
            connected = state == ST_CONNECTED;
            shutOutput = outputShutdown;
            state = ST_CLOSED;
            s = socket;
            c = closer;
        } finally {
            stateLock.unlock();
        }
        if (s != null && connected && !shutOutput) {
            // NioSocketImpl.close: "shutdown output when linger interval not set to 0", so the peer
            // reads EOF (FIN) even when the close then resets because of unread data (Linux).
            try {
                if (s.getLinger() != 0) {
                    s.shutdownOutput();
                }
            } catch (IOException | RuntimeException ignored) {
                // already reset or closed: close below does the rest
            }
        }
        if (s != null) {
            c.explicitlyClosed = true;
            try {
                s.close(); // FIN, or RST with linger 0; lingers (blocking) with SO_LINGER > 0
            } finally {
                c.cleanable.clean();
            }
        }
    }

    /** The cleanup action: aborts the connection of a Socket dropped unclosed. Holds no impl reference. */
    private static final class Closer implements Runnable {
        private final TcpSocket socket;
        volatile boolean explicitlyClosed;
        Cleaner.Cleanable cleanable;

        Closer(TcpSocket socket) {
            this.socket = socket;
        }

        @Override
        public void run() {
            if (!explicitlyClosed) {
                try {
                    socket.abort();
                } catch (RuntimeException ignored) {
                    // nothing to report to: the owner is gone
                }
            }
        }
    }

    // ---------------------------------------------------------------- urgent data

    @Override
    protected boolean supportsUrgentData() {
        return true;
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        writeLock.lock();
        try {
            openConnectedSocket().sendUrgentData(data);
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw asSocketException(e);
        } finally {
            writeLock.unlock();
        }
    }

    // ---------------------------------------------------------------- legacy int options

    @Override
    public void setOption(int opt, Object value) throws SocketException {
        stateLock.lock();
        try {
            TcpSocket s = ensureOpen();
            switch (opt) {
                case SocketOptions.SO_LINGER:
                    // the value is Boolean.FALSE to disable, or the linger interval to enable
                    if (value instanceof Boolean && !((Boolean) value)) {
                        s.setLinger(-1);
                    } else {
                        s.setLinger(clampLinger(intValue(value, "SO_LINGER")));
                    }
                    break;
                case SocketOptions.SO_TIMEOUT: {
                    int t = intValue(value, "SO_TIMEOUT");
                    if (t < 0) {
                        throw new SocketException(JdkMessages.TIMEOUT_LT_0);
                    }
                    timeout = t;
                    break;
                }
                case SocketOptions.IP_TOS:
                    s.setTrafficClass(checkTos(intValue(value, "IP_TOS")));
                    break;
                case SocketOptions.TCP_NODELAY:
                    s.setNoDelay(booleanValue(value, "TCP_NODELAY"));
                    break;
                case SocketOptions.SO_SNDBUF: {
                    int size = intValue(value, "SO_SNDBUF");
                    if (size <= 0) {
                        throw new SocketException(JdkMessages.SO_SNDBUF_LE_0);
                    }
                    s.setSendBufferSize(size);
                    break;
                }
                case SocketOptions.SO_RCVBUF: {
                    int size = intValue(value, "SO_RCVBUF");
                    if (size <= 0) {
                        throw new SocketException(JdkMessages.SO_RCVBUF_LE_0);
                    }
                    s.setReceiveBufferSize(size);
                    break;
                }
                case SocketOptions.SO_KEEPALIVE:
                    s.setKeepAlive(booleanValue(value, "SO_KEEPALIVE"));
                    break;
                case SocketOptions.SO_OOBINLINE:
                    s.setOobInline(booleanValue(value, "SO_OOBINLINE"));
                    break;
                case SocketOptions.SO_REUSEADDR:
                    s.setReuseAddress(booleanValue(value, "SO_REUSEADDR"));
                    break;
                case SocketOptions.SO_REUSEPORT:
                    throw new SocketException(JdkMessages.SO_REUSEPORT_NOT_SUPPORTED);
                default:
                    throw new SocketException(JdkMessages.unknownOption(opt));
            }
        } catch (SocketException e) {
            throw e;
        } catch (IllegalArgumentException | IOException e) {
            throw asSocketException(e);
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    public Object getOption(int opt) throws SocketException {
        stateLock.lock();
        try {
            TcpSocket s = ensureOpen();
            switch (opt) {
                case SocketOptions.SO_TIMEOUT:
                    return timeout;
                case SocketOptions.TCP_NODELAY:
                    return s.getNoDelay();
                case SocketOptions.SO_OOBINLINE:
                    return s.getOobInline();
                case SocketOptions.SO_LINGER: {
                    int linger = s.getLinger();
                    // NioSocketImpl: return "false" when disabled for compatibility
                    return linger < 0 ? (Object) Boolean.FALSE : (Object) linger;
                }
                case SocketOptions.SO_REUSEADDR:
                    return s.getReuseAddress();
                case SocketOptions.SO_BINDADDR: {
                    InetAddress local = s.localAddress();
                    return local != null ? local : anyLocal();
                }
                case SocketOptions.SO_SNDBUF:
                    return s.getSendBufferSize();
                case SocketOptions.SO_RCVBUF:
                    return s.getReceiveBufferSize();
                case SocketOptions.IP_TOS:
                    return s.getTrafficClass();
                case SocketOptions.SO_KEEPALIVE:
                    return s.getKeepAlive();
                case SocketOptions.SO_REUSEPORT:
                    throw new SocketException(JdkMessages.SO_REUSEPORT_NOT_SUPPORTED);
                default:
                    throw new SocketException(JdkMessages.unknownOption(opt));
            }
        } catch (SocketException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw asSocketException(e);
        } finally {
            stateLock.unlock();
        }
    }

    // ---------------------------------------------------------------- SocketOption API

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return server ? SERVER_OPTIONS : CLIENT_OPTIONS;
    }

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        if (!supportedOptions().contains(name)) {
            throw new UnsupportedOperationException(JdkMessages.notSupported(name));
        }
        if (!name.type().isInstance(value)) {
            throw new IllegalArgumentException(JdkMessages.invalidValue(value));
        }
        stateLock.lock();
        try {
            TcpSocket s = ensureOpen();
            if (name == StandardSocketOptions.TCP_NODELAY) {
                s.setNoDelay((Boolean) value);
            } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
                s.setKeepAlive((Boolean) value);
            } else if (name == StandardSocketOptions.SO_REUSEADDR) {
                s.setReuseAddress((Boolean) value);
            } else if (name == StandardSocketOptions.SO_LINGER) {
                int linger = (Integer) value;
                s.setLinger(linger < 0 ? -1 : clampLinger(linger));
            } else if (name == StandardSocketOptions.SO_RCVBUF) {
                s.setReceiveBufferSize(checkBufferSize((Integer) value));
            } else if (name == StandardSocketOptions.SO_SNDBUF) {
                s.setSendBufferSize(checkBufferSize((Integer) value));
            } else if (name == StandardSocketOptions.IP_TOS) {
                s.setTrafficClass(checkTos((Integer) value));
            } else if (name == ExtendedSocketOptions.TCP_KEEPIDLE) {
                s.setKeepAliveIdle(checkKeepAlive((Integer) value, MAX_TCP_KEEPIDLE));
            } else if (name == ExtendedSocketOptions.TCP_KEEPINTERVAL) {
                s.setKeepAliveInterval(checkKeepAlive((Integer) value, MAX_TCP_KEEPINTVL));
            } else if (name == ExtendedSocketOptions.TCP_KEEPCOUNT) {
                s.setKeepAliveCount(checkKeepAlive((Integer) value, MAX_TCP_KEEPCNT));
            } else if (name == UserTcpOptions.TCP_CONGESTION) {
                s.setCongestionControl((String) value);
            } else {
                throw new UnsupportedOperationException(JdkMessages.notSupported(name));
            }
        } finally {
            stateLock.unlock();
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        if (!supportedOptions().contains(name)) {
            throw new UnsupportedOperationException(JdkMessages.notSupported(name));
        }
        stateLock.lock();
        try {
            TcpSocket s = ensureOpen();
            Object v;
            if (name == StandardSocketOptions.TCP_NODELAY) {
                v = s.getNoDelay();
            } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
                v = s.getKeepAlive();
            } else if (name == StandardSocketOptions.SO_REUSEADDR) {
                v = s.getReuseAddress();
            } else if (name == StandardSocketOptions.SO_LINGER) {
                v = s.getLinger(); // -1 when off, as NioSocketImpl (the legacy API says FALSE)
            } else if (name == StandardSocketOptions.SO_RCVBUF) {
                v = s.getReceiveBufferSize();
            } else if (name == StandardSocketOptions.SO_SNDBUF) {
                v = s.getSendBufferSize();
            } else if (name == StandardSocketOptions.IP_TOS) {
                v = s.getTrafficClass();
            } else if (name == ExtendedSocketOptions.TCP_KEEPIDLE) {
                v = s.getKeepAliveIdle();
            } else if (name == ExtendedSocketOptions.TCP_KEEPINTERVAL) {
                v = s.getKeepAliveInterval();
            } else if (name == ExtendedSocketOptions.TCP_KEEPCOUNT) {
                v = s.getKeepAliveCount();
            } else if (name == UserTcpOptions.TCP_CONGESTION) {
                v = s.getCongestionControl();
            } else {
                throw new UnsupportedOperationException(JdkMessages.notSupported(name));
            }
            return (T) v;
        } finally {
            stateLock.unlock();
        }
    }

    // ---------------------------------------------------------------- value checks

    // Linux limits (include/net/tcp.h): MAX_TCP_KEEPIDLE 32767, MAX_TCP_KEEPINTVL 32767,
    // MAX_TCP_KEEPCNT 127; setsockopt answers EINVAL outside 1..max, which the JDK reports as
    // SocketException("Invalid argument").
    private static final int MAX_TCP_KEEPIDLE = 32767;
    private static final int MAX_TCP_KEEPINTVL = 32767;
    private static final int MAX_TCP_KEEPCNT = 127;

    private static int checkKeepAlive(int value, int max) throws SocketException {
        if (value < 1 || value > max) {
            throw new SocketException(JdkMessages.INVALID_ARGUMENT);
        }
        return value;
    }

    /** Net.setSocketOption: SO_LINGER is clipped to 0..65535. */
    private static int clampLinger(int seconds) {
        return seconds < 0 ? -1 : Math.min(seconds, 65535);
    }

    /** Net.setSocketOption: negative buffer sizes are rejected (0 is the stack's minimum). */
    private static int checkBufferSize(int size) {
        if (size < 0) {
            throw new IllegalArgumentException(JdkMessages.INVALID_BUFFER_SIZE);
        }
        return Math.max(size, 1);
    }

    /**
     * Net.setSocketOption range check, then Linux's rule for TCP sockets: the two ECN bits of the
     * TOS byte belong to the stack, so they are cleared (ip_sockglue.c; {@code setTrafficClass(0x13)}
     * reads back 0x10 on the JDK too).
     */
    private static int checkTos(int tos) {
        if (tos < 0 || tos > 255) {
            throw new IllegalArgumentException(JdkMessages.INVALID_IP_TOS);
        }
        return tos & ~0x3;
    }

    private static int intValue(Object value, String name) throws SocketException {
        if (value instanceof Integer) {
            return (Integer) value;
        }
        throw new SocketException(JdkMessages.badValueFor(name));
    }

    private static boolean booleanValue(Object value, String name) throws SocketException {
        if (value instanceof Boolean) {
            return (Boolean) value;
        }
        throw new SocketException(JdkMessages.badValueFor(name));
    }

    private static InetAddress anyLocal() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Callers see SocketException for every I/O error of a socket, with the same text (NioSocketImpl). */
    private static SocketException asSocketException(Exception e) {
        if (e instanceof SocketException) {
            return (SocketException) e;
        }
        SocketException se = new SocketException(e.getMessage());
        se.initCause(e);
        return se;
    }

    // Re-declared so that this package (and its tests) can read the fields Socket reads.
    @Override
    protected InetAddress getInetAddress() {
        return super.getInetAddress();
    }

    @Override
    protected int getPort() {
        return super.getPort();
    }

    @Override
    protected int getLocalPort() {
        return super.getLocalPort();
    }

    /** The stack this impl's sockets belong to. */
    Stack stack() {
        return stack;
    }
}
