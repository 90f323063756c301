package io.usertcp.hardening;

import static io.usertcp.hardening.KernelSide.KERNEL;
import static io.usertcp.hardening.KernelSide.US;
import static io.usertcp.hardening.KernelSide.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.tun.RequiresTun;
import io.usertcp.link.tun.TunConfig;
import io.usertcp.link.tun.TunDevice;
import io.usertcp.net.UserTcp;
import io.usertcp.stack.Stack;
import io.usertcp.stack.TcpSocket;
import io.usertcp.tcp.TcpConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8, faults: the peer vanishes. usertcp (198.18.0.2) talks over a real TUN to the Linux
 * kernel (198.18.0.1) in the tun-tests namespace.
 * <ul>
 *   <li>The peer <b>process is killed</b> (SIGKILL; {@link KernelPeer} runs in a child JVM): the
 *       kernel closes its socket (FIN, or RST when data sat unread). Each case runs twice, once
 *       with a plain JDK socket as the client and once with a usertcp {@code java.net.Socket}; the
 *       outcomes (EOF, or the exception's type and message) must be the same.</li>
 *   <li>The kernel side's <b>address is removed</b> ({@code ip addr del}): the peer goes silent.
 *       A blocked read ends by keepalive, a blocked write by TCP_USER_TIMEOUT or by the RTO retry
 *       limit, each with "Connection timed out" (ETIMEDOUT) within its configured bound + 5 s.</li>
 * </ul>
 */
@RequiresTun
@Timeout(180)
class PeerVanishTest {

    /** Slack over a configured bound for a loaded 2-core CI machine. */
    static final long SLACK_MILLIS = 5_000;

    private final KernelSide kernel = new KernelSide();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        kernel.close();
    }

    private UserTcp start(String dev) throws IOException {
        UserTcp ut = UserTcp.builder().tun(dev).address(US, 24).gateway(KERNEL).start();
        toClose.add(0, ut);
        return ut;
    }

    interface Client {
        Socket create() throws IOException;
    }

    /** What one run of a scenario saw. */
    record Seen(String read, String write, long millis) {}

    // ------------------------------------------------------------------------------------------
    // The peer process is killed
    // ------------------------------------------------------------------------------------------

    /**
     * Connects to a fresh peer process, optionally leaves {@code unread} bytes in its receive
     * queue, blocks in read, kills the peer: how the read ended, then how writes end.
     */
    private Seen killWhileReading(Client client, boolean usertcp, int unread) throws Exception {
        try (KernelPeer peer = KernelPeer.start(KERNEL, unread); Socket s = client.create()) {
            s.connect(new InetSocketAddress(KERNEL, peer.port), 10_000);
            peer.expect("ACCEPTED");
            if (unread > 0) {
                s.getOutputStream().write(new byte[unread]);
            }
            peer.expect("QUEUED");
            InputStream in = s.getInputStream();
            Outcome.Watch read = Outcome.start("read", () -> {
                if (in.read() >= 0) {
                    throw new AssertionError("the peer never writes");
                }
            });
            if (usertcp) {
                read.awaitParked();
            } else {
                Thread.sleep(200); // a kernel read blocks in native code (RUNNABLE): no state to wait for
            }
            long t0 = System.nanoTime();
            peer.kill();
            Outcome r = Outcome.await(read.result(), 20, "read after the peer was killed");
            Outcome w = writeUntilFailure(s.getOutputStream());
            return new Seen(r.what(), w.what(), r.millisAfter(t0));
        }
    }

    /** Writes a little every 10 ms until a write fails (bounded to 5 s). */
    private static Outcome writeUntilFailure(OutputStream out) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            try {
                out.write(new byte[100]);
            } catch (IOException e) {
                return Outcome.of(e);
            }
            Thread.sleep(10); // the RST the kernel answers with has to come back first
        }
        return new Outcome("no write failed in 5 s", System.nanoTime());
    }

    /** Fills the peer's receive queue and our send buffer until a write blocks, then kills the peer. */
    private Seen killWhileWriting(Client client, boolean usertcp) throws Exception {
        try (KernelPeer peer = KernelPeer.start(KERNEL, 0); Socket s = client.create()) {
            s.connect(new InetSocketAddress(KERNEL, peer.port), 10_000);
            peer.expect("ACCEPTED");
            peer.expect("QUEUED");
            OutputStream out = s.getOutputStream();
            AtomicLong written = new AtomicLong();
            Outcome.Watch write = Outcome.start("write", () -> {
                byte[] b = new byte[16 * 1024];
                while (true) {
                    out.write(b);
                    written.addAndGet(b.length);
                }
            });
            // Blocked = no progress for 500 ms (and, for usertcp, parked on its condition).
            long last = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (written.get() != last) {
                assertTrue(System.nanoTime() < deadline, "the write never blocked");
                last = written.get();
                Thread.sleep(500); // watching progress of a native-blocked kernel write: nothing to wait on
            }
            if (usertcp) {
                write.awaitParked();
            }
            long t0 = System.nanoTime();
            peer.kill();
            Outcome w = Outcome.await(write.result(), 20, "blocked write after the peer was killed");
            Outcome w2 = writeUntilFailure(out);
            return new Seen(w.what(), w2.what(), w.millisAfter(t0));
        }
    }

    private static void compare(String scenario, Seen jdk, Seen ours) {
        Reliability.record("peer killed, " + scenario + ": JDK socket saw [" + jdk.read + "] then [" + jdk.write + "] ("
                + jdk.millis + " ms); usertcp saw [" + ours.read + "] then [" + ours.write + "] (" + ours.millis + " ms)");
        assertEquals(jdk.read, ours.read, scenario + ": first outcome, JDK vs usertcp");
        assertEquals(jdk.write, ours.write, scenario + ": the write after it, JDK vs usertcp");
        Outcome.assertWithin(ours.millis, SLACK_MILLIS, scenario);
    }

    @Test
    void peerKilledWhileWeReadNothingUnreadGivesEofThenBrokenPipe() throws Exception {
        UserTcp ut = start("utf-kill1");
        Seen jdk = killWhileReading(Socket::new, false, 0);
        Seen ours = killWhileReading(() -> ut.socketFactory().createSocket(), true, 0);
        // Linux closes a socket with nothing unread with a FIN: EOF. Writing then draws a RST; in
        // CLOSE-WAIT tcp_reset() sets EPIPE.
        assertEquals(Outcome.EOF, jdk.read);
        assertEquals(SocketException.class.getName() + ": Broken pipe", jdk.write);
        compare("read blocked, nothing unread at the peer", jdk, ours);
        assertEquals(0, ut.stack().stats().internalErrors());
    }

    @Test
    void peerKilledWithUnreadDataResetsOurBlockedRead() throws Exception {
        UserTcp ut = start("utf-kill2");
        Seen jdk = killWhileReading(Socket::new, false, 1000);
        Seen ours = killWhileReading(() -> ut.socketFactory().createSocket(), true, 1000);
        // RFC 9293 §3.10.4 / RFC 2525 §2.17: closing with unread data sends a RST.
        assertEquals(SocketException.class.getName() + ": Connection reset", jdk.read);
        compare("read blocked, 1000 bytes unread at the peer", jdk, ours);
        assertEquals(0, ut.stack().stats().internalErrors());
    }

    @Test
    void peerKilledWhileOurWriteIsBlockedResetsIt() throws Exception {
        UserTcp ut = start("utf-kill3");
        Seen jdk = killWhileWriting(Socket::new, false);
        Seen ours = killWhileWriting(() -> ut.socketFactory().createSocket(), true);
        compare("write blocked on a full window", jdk, ours);
        assertEquals(0, ut.stack().stats().internalErrors());
    }

    // ------------------------------------------------------------------------------------------
    // The kernel side's address is removed: the peer goes silent
    // ------------------------------------------------------------------------------------------

    /** A kernel peer (in this JVM) that drains everything it receives; returns its port. */
    private int drainingPeer() throws IOException {
        ServerSocket ss = kernel.listen();
        AtomicLong ignored = new AtomicLong();
        kernel.daemon("kernel-drain-accept", () -> {
            Socket k = kernel.closeLater(ss.accept());
            k.setSoTimeout(120_000);
            return KernelSide.drain(k.getInputStream(), ignored);
        });
        return ss.getLocalPort();
    }

    @Test
    void addressRemovedKeepaliveEndsTheBlockedRead() throws Exception {
        String dev = "utf-ka";
        UserTcp ut = start(dev);
        int port = drainingPeer();
        Socket s = ut.socketFactory().createSocket();
        toClose.add(s);
        s.setKeepAlive(true);
        s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 1);
        s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
        s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
        s.connect(new InetSocketAddress(KERNEL, port), 5000);
        InputStream in = s.getInputStream();
        Outcome.Watch read = Outcome.start("keepalive-read", () -> {
            if (in.read() >= 0) {
                throw new AssertionError("the peer never writes");
            }
        }).awaitParked();
        long t0 = System.nanoTime();
        ip("addr", "del", "198.18.0.1/24", "dev", dev);
        Outcome o = Outcome.await(read.result(), 30, "blocked read with keepalive, peer silent");
        long bound = 1000 + 3 * 1000;
        assertEquals(SocketException.class.getName() + ": Connection timed out", o.what());
        Outcome.assertWithin(o.millisAfter(t0), bound + SLACK_MILLIS, "keepalive");
        Reliability.record("kernel address removed, read blocked, keepalive idle 1 s / interval 1 s / 3 probes (bound "
                + bound + " ms): [" + o.what() + "] after " + o.millisAfter(t0) + " ms");
        assertEquals(0, ut.stack().stats().internalErrors());
    }

    /**
     * The keepalive case with a JDK (kernel) client, for comparison: the peer process sits in a
     * second namespace ({@code ip netns}) behind a veth pair, so that removing its address really
     * silences it for the client (in one namespace both ends would be local). Its outcome must be
     * the one {@link #addressRemovedKeepaliveEndsTheBlockedRead} asserts for usertcp.
     */
    @Test
    void addressRemovedKeepaliveJdkClientForComparison() throws Exception {
        String ns = "utf-peer";
        try {
            ip("netns", "add", ns);
        } catch (AssertionError e) {
            // Not a TUN problem but the same rule: fail under CI, skip with the reason locally.
            if (!"true".equals(System.getenv("CI"))) {
                org.junit.jupiter.api.Assumptions.abort("cannot create a second network namespace here: " + e.getMessage());
            }
            throw e;
        }
        try {
            ip("link", "add", "utf-v0", "type", "veth", "peer", "name", "utf-v1", "netns", ns);
            ip("addr", "add", "198.18.9.1/24", "dev", "utf-v0");
            ip("link", "set", "utf-v0", "up");
            ip("-n", ns, "link", "set", "lo", "up");
            ip("-n", ns, "addr", "add", "198.18.9.2/24", "dev", "utf-v1");
            ip("-n", ns, "link", "set", "utf-v1", "up");
            java.net.InetAddress peerAddress = KernelSide.address(198, 18, 9, 2);
            try (KernelPeer peer = KernelPeer.start(List.of("nsenter", "--net=/run/netns/" + ns), peerAddress, 0);
                    Socket s = new Socket()) {
                s.setKeepAlive(true);
                s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 1);
                s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
                s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
                s.connect(new InetSocketAddress(peerAddress, peer.port), 10_000);
                peer.expect("ACCEPTED");
                InputStream in = s.getInputStream();
                Outcome.Watch read = Outcome.start("jdk-keepalive-read", () -> {
                    if (in.read() >= 0) {
                        throw new AssertionError("the peer never writes");
                    }
                });
                Thread.sleep(200); // a kernel read blocks in native code (RUNNABLE): no state to wait for
                long t0 = System.nanoTime();
                ip("-n", ns, "addr", "del", "198.18.9.2/24", "dev", "utf-v1");
                Outcome o = Outcome.await(read.result(), 30, "JDK socket: blocked read with keepalive, peer silent");
                long bound = 1000 + 3 * 1000;
                assertEquals(SocketException.class.getName() + ": Connection timed out", o.what(),
                        "the JDK's outcome, which usertcp's keepalive case asserts too");
                Outcome.assertWithin(o.millisAfter(t0), bound + SLACK_MILLIS, "JDK keepalive");
                Reliability.record("JDK (kernel) client, peer's address removed in its namespace, read blocked, keepalive 1 s / 1 s / 3: ["
                        + o.what() + "] after " + o.millisAfter(t0) + " ms");
            }
        } finally {
            ip("netns", "del", ns); // takes the veth pair with it
        }
    }

    @Test
    void addressRemovedUserTimeoutEndsTheBlockedWrite() throws Exception {
        String dev = "utf-uto";
        UserTcp ut = start(dev);
        int port = drainingPeer();
        TcpSocket u = ut.stack().newSocket();
        int userTimeoutMillis = 3000;
        u.setUserTimeout(userTimeoutMillis);
        u.connect(KERNEL, port, TimeUnit.SECONDS.toNanos(5));
        Outcome.Watch write = Outcome.start("user-timeout-write", () -> {
            byte[] b = new byte[64 * 1024];
            while (true) {
                u.write(b, 0, b.length);
            }
        });
        Thread.sleep(300); // let data flow first: the write blocks only once the peer falls silent
        long t0 = System.nanoTime();
        ip("addr", "del", "198.18.0.1/24", "dev", dev);
        write.awaitParked();
        Outcome o = Outcome.await(write.result(), 30, "blocked write with TCP_USER_TIMEOUT, peer silent");
        assertEquals(SocketException.class.getName() + ": Connection timed out", o.what());
        Outcome.assertWithin(o.millisAfter(t0), userTimeoutMillis + SLACK_MILLIS, "user timeout");
        assertTrue(o.millisAfter(t0) >= userTimeoutMillis / 2, "ended after " + o.millisAfter(t0) + " ms: before the user timeout");
        Reliability.record("kernel address removed, write blocked, TCP_USER_TIMEOUT " + userTimeoutMillis + " ms: ["
                + o.what() + "] after " + o.millisAfter(t0) + " ms");
        u.close();
        assertEquals(0, ut.stack().stats().internalErrors());
    }

    @Test
    void addressRemovedRetransmissionLimitEndsTheBlockedWrite() throws Exception {
        String dev = "utf-rto";
        Duration rtoMin = Duration.ofMillis(200);
        Duration rtoMax = Duration.ofSeconds(1);
        int retries = 5;
        TunDevice tun = TunDevice.open(TunConfig.builder().name(dev).kernelAddress("198.18.0.1/24").mtu(1500).build());
        Stack s = Stack.builder().link(tun, US, 24).tcpConfig(TcpConfig.forMtu(1500).toBuilder()
                .rtoMin(rtoMin).rtoInitial(rtoMin).rtoMax(rtoMax).dataRetries(retries).build()).build();
        toClose.add(0, s);
        int port = drainingPeer();
        TcpSocket u = s.newSocket();
        u.connect(KERNEL, port, TimeUnit.SECONDS.toNanos(5));
        Outcome.Watch write = Outcome.start("rto-write", () -> {
            byte[] b = new byte[64 * 1024];
            while (true) {
                u.write(b, 0, b.length);
            }
        });
        Thread.sleep(300); // data flows first
        long t0 = System.nanoTime();
        ip("addr", "del", "198.18.0.1/24", "dev", dev);
        Outcome o = Outcome.await(write.result(), 60, "blocked write, peer silent, RTO limit");
        // The last RTO expires after the first timeout and `retries` retransmissions, each doubling
        // from RTO min (the measured RTT is far below it) up to RTO max.
        long bound = 0;
        for (int i = 0; i <= retries; i++) {
            bound += Math.min(rtoMax.toMillis(), rtoMin.toMillis() << i);
        }
        assertEquals(SocketException.class.getName() + ": Connection timed out", o.what());
        Outcome.assertWithin(o.millisAfter(t0), bound + SLACK_MILLIS, "RTO retry limit");
        Reliability.record("kernel address removed, write blocked, RTO min 200 ms / max 1 s / " + retries
                + " data retries (bound " + bound + " ms): [" + o.what() + "] after " + o.millisAfter(t0) + " ms");
        u.close();
        assertEquals(0, s.stats().internalErrors());
    }
}
