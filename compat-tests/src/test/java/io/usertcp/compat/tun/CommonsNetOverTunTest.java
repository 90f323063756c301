package io.usertcp.compat.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.usertcp.link.tun.RequiresTun;
import io.usertcp.net.UserTcp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.chargen.CharGenTCPClient;
import org.apache.commons.net.daytime.DaytimeTCPClient;
import org.apache.commons.net.discard.DiscardTCPClient;
import org.apache.commons.net.echo.EchoTCPClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Apache Commons Net clients on usertcp (198.18.0.2) over a real TUN, against kernel-side servers
 * (198.18.0.1): Echo (RFC 862), Daytime (RFC 867), CharGen (RFC 864), Discard (RFC 863).
 */
@RequiresTun
@Timeout(120)
class CommonsNetOverTunTest {
    static UserTcp ut;

    @BeforeAll
    static void stack() throws Exception {
        ut = TunStack.get();
    }

    @Test
    void echo() throws Exception {
        try (KernelServers.Server server = KernelServers.echo(TunStack.KERNEL)) {
            EchoTCPClient client = new EchoTCPClient();
            client.setSocketFactory(ut.socketFactory());
            client.setConnectTimeout(10_000);
            client.connect(TunStack.KERNEL, server.port());
            try {
                assertEquals(TunStack.USERTCP, client.getLocalAddress(), "the client runs on usertcp");
                PrintWriter out = new PrintWriter(client.getOutputStream(), true, StandardCharsets.US_ASCII);
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                        StandardCharsets.US_ASCII));
                for (int i = 0; i < 200; i++) {
                    out.println("line " + i + " " + "x".repeat(i * 7));
                    assertEquals("line " + i + " " + "x".repeat(i * 7), in.readLine());
                }
            } finally {
                client.disconnect();
            }
        }
    }

    @Test
    void daytime() throws Exception {
        String time = "Saturday, November 21, 2026 07:00:00-UTC";
        try (KernelServers.Server server = KernelServers.daytime(TunStack.KERNEL, time)) {
            DaytimeTCPClient client = new DaytimeTCPClient();
            client.setSocketFactory(ut.socketFactory());
            client.setConnectTimeout(10_000);
            for (int i = 0; i < 20; i++) { // repeated: each is a whole connection life over the TUN
                client.connect(TunStack.KERNEL, server.port());
                try {
                    assertEquals(time + "\r\n", client.getTime());
                } finally {
                    client.disconnect();
                }
            }
        }
    }

    @Test
    void chargen() throws Exception {
        try (KernelServers.Server server = KernelServers.chargen(TunStack.KERNEL)) {
            CharGenTCPClient client = new CharGenTCPClient();
            client.setSocketFactory(ut.socketFactory());
            client.setConnectTimeout(10_000);
            client.connect(TunStack.KERNEL, server.port());
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                        StandardCharsets.US_ASCII));
                for (int n = 0; n < 20_000; n++) { // about 1.5 MB
                    String want = KernelServers.chargenLine(n);
                    assertEquals(want.substring(0, want.length() - 2), in.readLine(), "line " + n);
                }
            } finally {
                client.disconnect();
            }
        }
    }

    @Test
    void discard() throws Exception {
        CompletableFuture<Long> got = new CompletableFuture<>();
        try (KernelServers.Server server = KernelServers.discard(TunStack.KERNEL, got)) {
            DiscardTCPClient client = new DiscardTCPClient();
            client.setSocketFactory(ut.socketFactory());
            client.setConnectTimeout(10_000);
            client.connect(TunStack.KERNEL, server.port());
            int total = 4 << 20;
            try {
                OutputStream out = client.getOutputStream();
                byte[] chunk = new byte[32 * 1024];
                for (int sent = 0; sent < total; sent += chunk.length) {
                    out.write(chunk);
                }
            } finally {
                client.disconnect(); // FIN after all data
            }
            assertEquals(total, got.get(60, TimeUnit.SECONDS), "bytes the kernel discard server received");
        }
    }
}
