package io.usertcp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.tcp.SynCookieMode;
import io.usertcp.tcp.TcpConfig;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection that exists only because of a SYN cookie (RFC 4987 §3.6, {@code synCookies=ALWAYS}),
 * through the whole stack on the loopback: the listener keeps no state for the SYN, the client's ACK
 * rebuilds the connection, and 4 MiB then go each way intact. Both ends are usertcp with timestamps,
 * window scale and SACK on, so the options that ride in the cookie's TSval are exercised for real
 * (PAWS and RTT from the continued TSval clock; a TSval that went backwards would stall the transfer).
 */
@Timeout(120)
class SynCookieStackTest {
    static final long MS = 1_000_000L;

    @Test
    void aCookieConnectionCarriesDataBothWays() throws Exception {
        TcpConfig cfg = TcpConfig.DEFAULT.withSynCookies(SynCookieMode.ALWAYS);
        try (Stack stack = Stack.builder().tcpConfig(cfg).build()) {
            InetAddress lo = InetAddress.getByName("127.0.0.1");
            TcpSocket listener = stack.newSocket();
            listener.bind(lo, 7001);
            listener.listen(8);
            TcpSocket client = stack.newSocket();
            client.connect(lo, 7001, 5_000 * MS);
            TcpSocket server = listener.accept(5_000 * MS);
            assertEquals(1, stack.stats().synCookiesSent());
            assertEquals(1, stack.stats().synCookiesValidated());
            assertEquals(0, stack.stats().synCookiesFailed());
            long bytes = 4L << 20;
            CompletableFuture<String> c2s = Transfers.async("client-send", () -> {
                String h = Transfers.send(Transfers.sink(client), bytes, 1);
                client.shutdownOutput();
                return h;
            });
            CompletableFuture<String> s2c = Transfers.async("server-send", () -> {
                String h = Transfers.send(Transfers.sink(server), bytes, 2);
                server.shutdownOutput();
                return h;
            });
            CompletableFuture<String> clientGot = Transfers.async("client-receive",
                    () -> Transfers.receive(Transfers.source(client), bytes));
            String serverGot = Transfers.receive(Transfers.source(server), bytes);
            assertEquals(c2s.get(60, TimeUnit.SECONDS), serverGot, "client → server SHA-256");
            assertEquals(s2c.get(60, TimeUnit.SECONDS), clientGot.get(60, TimeUnit.SECONDS), "server → client SHA-256");
            assertTrue(server.info().srttNanos() > 0, "RTT measured on the cookie connection");
            client.close();
            server.close();
            listener.close();
            assertEquals(0, stack.stats().internalErrors());
        }
    }
}
