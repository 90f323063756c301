package io.usertcp.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.net.UserTcp;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The application misbehaves (issue 8 "Faults"): 10,000 {@code java.net.Socket}s over usertcp are
 * connected and then dropped without {@code close()}. Once they are unreachable the
 * {@link java.lang.ref.Cleaner} of {@code UserTcpSocketImpl} aborts each connection: the server side of
 * every one of them sees the reset, and the stack's connection table empties.
 */
@Timeout(300)
class UnclosedSocketsTest {
    static final int N = 10_000;

    @Test
    void tenThousandUnclosedSocketsAreReclaimedByTheCleaner() throws Exception {
        try (UserTcp u = UserTcp.loopbackOnly()) {
            InetAddress lo = InetAddress.getLoopbackAddress();
            ServerSocket ss = u.serverSocketFactory().createServerSocket(0, 4096, lo);
            List<Socket> accepted = new ArrayList<>();
            CountDownLatch all = new CountDownLatch(1);
            Thread acceptor = new Thread(() -> {
                try {
                    while (accepted.size() < N) {
                        Socket s = ss.accept();
                        synchronized (accepted) {
                            accepted.add(s);
                        }
                    }
                } catch (IOException e) {
                    System.err.println("acceptor: " + e);
                }
                all.countDown();
            }, "acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            connectAndDrop(u, lo, ss.getLocalPort());
            assertTrue(all.await(120, TimeUnit.SECONDS), "accepted " + accepted.size());
            int tableFull = u.stack().connections().size();

            // Drop every reference (done: connectAndDrop's locals are gone) and let the GC find them.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            int reset = 0;
            boolean[] seen = new boolean[N];
            for (int k = 0; k < 5; k++) {
                System.gc();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
            while (reset < N && System.nanoTime() < deadline) {
                System.gc();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                for (int i = 0; i < N; i++) {
                    if (!seen[i] && isReset(accepted.get(i))) {
                        seen[i] = true;
                        reset++;
                    }
                }
            }
            for (Socket s : accepted) {
                s.close();
            }
            ss.close();
            int left = u.stack().connections().size();
            String figure = String.format("unclosed sockets: %d connected and dropped, table held %d connections; "
                    + "the Cleaner reset %d of them (server side saw the reset); %d connections left after the "
                    + "server closed its ends", N, tableFull, reset, left);
            System.out.println(figure);
            Reliability.record(figure);
            assertEquals(N, reset, "every dropped socket's connection was reset by the Cleaner");
            assertEquals(0, u.stack().stats().internalErrors());
        }
    }

    /** Connects N sockets, writes a byte on each, and lets them go without closing. */
    private static void connectAndDrop(UserTcp u, InetAddress lo, int port) throws IOException {
        for (int i = 0; i < N; i++) {
            Socket s = u.socketFactory().createSocket(lo, port);
            s.getOutputStream().write(i);
        }
    }

    /** True once the peer of {@code s} reset it (read fails with "Connection reset" or ends). */
    private static boolean isReset(Socket s) {
        try {
            s.setSoTimeout(1);
            InputStream in = s.getInputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return "Connection reset".equals(e.getMessage());
        } catch (IOException e) {
            return false;
        }
    }
}
