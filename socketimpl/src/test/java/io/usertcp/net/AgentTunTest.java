package io.usertcp.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.usertcp.link.tun.RequiresTun;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent on a real TUN: this JVM runs inside the private namespace of the tun-tests execution
 * and serves HTTP (jdk.httpserver), TLS and echo with the kernel's TCP on 0.0.0.0; a child JVM
 * running an unmodified program under {@code -javaagent:…=tun=…} creates the TUN (kernel side
 * 198.18.0.1/24) and talks to those servers over usertcp at 198.18.0.2.
 */
@RequiresTun
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AgentTunTest {

    @TempDir
    Path dir;

    @Test
    void anUnmodifiedProgramTalksToKernelServersThroughTheTun() throws Exception {
        Path ks = ChildJvm.keyStore(dir);
        HttpServer http = HttpServer.create(new InetSocketAddress(0), 0);
        http.createContext("/", ex -> {
            byte[] body = "hello from the kernel".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        try (SSLServerSocket tls = (SSLServerSocket) sslContext(ks).getServerSocketFactory().createServerSocket(0);
                ServerSocket echo = new ServerSocket(0)) {
            serve(tls);
            serve(echo);
            ChildJvm.Result r = ChildJvm.run(dir, "tun=ut7,address=198.18.0.2/24,gateway=198.18.0.1,trace=ladder,msl=100ms,svg=" + dir.resolve("svg") + ","
                    + "pcap=" + dir.resolve("tun.pcap"), List.of("-Djavax.net.ssl.trustStore=" + ks,
                    "-Djavax.net.ssl.trustStorePassword=changeit", "-Djavax.net.ssl.trustStoreType=PKCS12"),
                    AgentProbe.class.getName(), "remote", "198.18.0.1", String.valueOf(http.getAddress().getPort()),
                    String.valueOf(tls.getLocalPort()), String.valueOf(echo.getLocalPort()));
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stdout().contains("http: 200 hello from the kernel"), r.toString());
            assertTrue(r.stdout().matches("(?s).*tls: TLSv1\\.[23] secret line.*"), r.toString());
            assertTrue(r.stdout().contains("echo: plain line local=198.18.0.2"), r.toString());
            // the observability layer's ladder of the echo connection (closed by the program, so
            // fully drawn): the real ISNs, the textbook handshake, the kernel's states inferred
            assertTrue(r.stderr().contains("TCP 198.18.0.2:"), r.toString());
            assertTrue(r.stderr().contains(" <-> 198.18.0.1:" + echo.getLocalPort() + ": "), r.toString());
            assertTrue(java.util.regex.Pattern.compile("X = \\d+ \\(ISN of 198\\.18\\.0\\.2:\\d+\\), Y = \\d+ "
                    + "\\(ISN of 198\\.18\\.0\\.1:" + echo.getLocalPort() + "\\)").matcher(r.stderr()).find(), r.toString());
            assertTrue(r.stderr().contains(" SYN,ACK (Y,X+1) "), r.toString());
            assertTrue(r.stderr().contains("(inferred from segments)"), r.toString());
            try (java.util.stream.Stream<Path> svgs = Files.list(dir.resolve("svg"))) {
                assertTrue(svgs.anyMatch(p -> p.getFileName().toString().endsWith("-198.18.0.1_" + echo.getLocalPort() + ".svg")),
                        "svg= wrote the echo connection's SVG ladder");
            }
            assertFalse(r.stderr().contains("WARNING"), r.toString());
            assertFalse(r.stderr().contains("Exception"), r.toString());
            assertTrue(Files.size(dir.resolve("tun.pcap")) > 24, "the pcap file holds packets");
        } finally {
            http.stop(0);
        }
    }

    @Test
    void aStackThatCannotStartFailsWithOneLine() throws Exception {
        // Without --enable-native-access: on JDK 22+ the agent grants it itself, so JNA (loaded to
        // open the TUN) adds no warning to the one line.
        ChildJvm.Result r = ChildJvm.run(dir, false, "tun=ut8,pcap=" + dir.resolve("no/such/dir/x.pcap"), List.of(),
                AgentProbe.class.getName(), "loopback", "1");
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("", r.stdout(), "main never ran");
        assertTrue(r.stderr().startsWith("usertcp: cannot start: "), r.toString());
        assertEquals(1, r.stderr().strip().lines().count(), "exactly one line: " + r.stderr());
    }

    static SSLContext sslContext(Path ks) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /** Echoes lines on every accepted connection, on a daemon thread. */
    static void serve(ServerSocket ss) {
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (Socket s = ss.accept()) {
                    s.setSoTimeout(20_000);
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                    OutputStream out = s.getOutputStream();
                    String line;
                    while ((line = in.readLine()) != null) {
                        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                } catch (IOException e) {
                    // closed, or the client went away
                }
            }
        }, "kernel-echo");
        t.setDaemon(true);
        t.start();
    }
}
