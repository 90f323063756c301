package io.usertcp.compat.tun;

import io.usertcp.net.UserTcp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * The one usertcp stack on a real TUN (ut0) in this test JVM's private namespace: usertcp is
 * 198.18.0.2/24, the kernel side 198.18.0.1. Started on first use, closed when the JVM exits.
 * Kernel-side servers in this JVM use plain JDK sockets (no global factory is ever installed here).
 */
final class TunStack {
    static final String DEVICE = "ut0";
    static final InetAddress USERTCP = ip("198.18.0.2");
    static final InetAddress KERNEL = ip("198.18.0.1");

    private static UserTcp stack;

    private TunStack() {}

    static synchronized UserTcp get() throws IOException {
        if (stack == null) {
            stack = UserTcp.builder().tun(DEVICE).address(USERTCP, 24).gateway(KERNEL)
                    .msl(Duration.ofSeconds(1)).start();
            UserTcp s = stack;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "usertcp-tun-close"));
        }
        return stack;
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: never resolved
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
