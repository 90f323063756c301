package io.usertcp.observe;

import io.usertcp.net.UserTcp;
import io.usertcp.stack.Stack;
import io.usertcp.stack.TcpSocket;
import java.net.InetAddress;

/**
 * The other process of {@link SsToolTest}: a usertcp stack (loopback only) holding one established
 * connection with 5 unread bytes; prints {@code ready CLIENT_PORT}, then waits until its standard
 * input closes (at most 60 s).
 */
public final class SsTarget {
    private SsTarget() {}

    public static void main(String[] args) throws Exception {
        try (UserTcp ut = UserTcp.loopbackOnly()) {
            Stack stack = ut.stack();
            InetAddress lo = InetAddress.getByName("127.0.0.1");
            TcpSocket l = stack.newSocket();
            l.bind(lo, 7401);
            l.listen(1);
            TcpSocket c = stack.newSocket();
            c.connect(lo, 7401, 10_000_000_000L);
            TcpSocket s = l.accept(10_000_000_000L);
            c.write("hello".getBytes(), 0, 5);
            System.out.println("ready " + c.localPort());
            System.out.flush();
            long end = System.nanoTime() + 60_000_000_000L;
            while (System.in.read() >= 0 && System.nanoTime() < end) {
                // wait for the test to close stdin
            }
            s.close();
            c.close();
            l.close();
        }
    }
}
