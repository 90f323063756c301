package io.usertcp.net;

import io.usertcp.link.ImpairedLink;
import io.usertcp.link.MemoryLink;
import io.usertcp.stack.Stack;
import io.usertcp.tcp.TcpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SO_RCVBUF / SO_SNDBUF through java.net with buffer autotuning (issue 7): what the getters report,
 * that a set size is fixed (Linux SOCK_RCVBUF_LOCK / SOCK_SNDBUF_LOCK) and inherited by accepted
 * sockets, and that an unset one grows over a path with delay. Two stacks joined by an in-memory link
 * that delays each direction by 5 ms (10 ms RTT). No timing assertions: only sizes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BufferSizeOptionsTest {
    static final InetAddress CLIENT = address("198.18.0.2");
    static final InetAddress SERVER = address("198.18.0.1");
    static final int INITIAL_RCV = TcpConfig.DEFAULT.receiveBufferSize();
    static final int INITIAL_SND = TcpConfig.DEFAULT.sendBufferSize();

    Stack clientStack;
    Stack serverStack;
    UserTcpSocketFactory sockets;
    UserTcpServerSocketFactory serverSockets;

    static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @BeforeEach
    void start() {
        MemoryLink.Pair pair = MemoryLink.pair(1500);
        TcpConfig cfg = TcpConfig.linuxLike();
        clientStack = Stack.builder().tcpConfig(cfg)
                .link(ImpairedLink.builder(pair.a()).seed(1).delay(Duration.ofMillis(5)).build(), CLIENT, 24).build();
        serverStack = Stack.builder().tcpConfig(cfg)
                .link(ImpairedLink.builder(pair.b()).seed(2).delay(Duration.ofMillis(5)).build(), SERVER, 24).build();
        sockets = new UserTcpSocketFactory(clientStack);
        serverSockets = new UserTcpServerSocketFactory(serverStack);
    }

    @AfterEach
    void stop() {
        clientStack.close();
        serverStack.close();
    }

    /** Sends {@code bytes} from {@code from} to {@code to}, the reader reading as fast as it can. */
    static void transfer(Socket from, Socket to, int bytes) throws Exception {
        CompletableFuture<Long> got = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                InputStream in = to.getInputStream();
                byte[] b = new byte[64 * 1024];
                long n = 0;
                while (n < bytes) {
                    int r = in.read(b);
                    if (r < 0) break;
                    n += r;
                }
                got.complete(n);
            } catch (Throwable t) {
                got.completeExceptionally(t);
            }
        }, "reader");
        reader.setDaemon(true);
        reader.start();
        OutputStream out = from.getOutputStream();
        byte[] chunk = new byte[256 * 1024];
        for (int sent = 0; sent < bytes; sent += chunk.length) out.write(chunk, 0, Math.min(chunk.length, bytes - sent));
        assertEquals(bytes, got.get(50, TimeUnit.SECONDS));
    }

    @Test
    void unsetSizesReportTheConnectionsAutotunedSizes() throws Exception {
        try (ServerSocket ss = serverSockets.createServerSocket(8000, 50, SERVER);
             Socket c = sockets.createSocket()) {
            assertEquals(INITIAL_RCV, c.getReceiveBufferSize(), "before connect: the initial size");
            assertEquals(INITIAL_SND, c.getSendBufferSize());
            c.connect(new InetSocketAddress(SERVER, 8000));
            try (Socket a = ss.accept()) {
                assertEquals(INITIAL_RCV, a.getReceiveBufferSize());
                transfer(c, a, 8 << 20);
                int rcv = a.getReceiveBufferSize();
                int snd = c.getSendBufferSize();
                assertTrue(rcv > INITIAL_RCV && rcv <= TcpConfig.DEFAULT.maxReceiveBufferSize(),
                        "the receiver's buffer grew with the 10 ms path: " + rcv);
                assertTrue(snd >= INITIAL_SND && snd <= TcpConfig.DEFAULT.maxSendBufferSize(), "send buffer " + snd);
                assertEquals(rcv, (int) a.getOption(StandardSocketOptions.SO_RCVBUF));
            }
        }
    }

    @Test
    void setSizesAreFixedAndInheritedByAcceptedSockets() throws Exception {
        try (ServerSocket ss = serverSockets.createServerSocket()) {
            ss.setReceiveBufferSize(48 * 1024);
            ss.bind(new InetSocketAddress(SERVER, 8001));
            try (Socket c = sockets.createSocket()) {
                c.setSendBufferSize(40_000);
                c.setReceiveBufferSize(20_000);
                c.connect(new InetSocketAddress(SERVER, 8001));
                try (Socket a = ss.accept()) {
                    assertEquals(48 * 1024, a.getReceiveBufferSize(), "inherited from the listener");
                    transfer(c, a, 4 << 20);
                    assertEquals(48 * 1024, a.getReceiveBufferSize(), "no autotuning after SO_RCVBUF");
                    assertEquals(40_000, c.getSendBufferSize(), "no autotuning after SO_SNDBUF");
                    assertEquals(20_000, c.getReceiveBufferSize());
                    // Set after the connection is up: takes effect and stays.
                    a.setSendBufferSize(100_000);
                    transfer(a, c, 1 << 20);
                    assertEquals(100_000, a.getSendBufferSize());
                    assertEquals(20_000, c.getReceiveBufferSize());
                }
            }
        }
    }

    @Test
    void userTcpBuilderSetsInitialSizesAndCaps() throws Exception {
        UserTcp.Builder b = UserTcp.builder().receiveBufferSize(64 * 1024).maxReceiveBufferSize(16 << 20)
                .sendBufferSize(32 * 1024).maxSendBufferSize(1 << 20);
        assertEquals(16 << 20, b.config().maxReceiveBufferSize);
        assertEquals(1 << 20, b.config().maxSendBufferSize);
        try (UserTcp ut = b.start()) {
            try (Socket s = ut.socketFactory().createSocket()) {
                assertEquals(64 * 1024, s.getReceiveBufferSize());
                assertEquals(32 * 1024, s.getSendBufferSize());
            }
        }
    }
}
