package io.usertcp.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent in a separate JVM, loopback only (no device, no privileges, so no namespace needed):
 * an unmodified program's ServerSocket, Socket, HttpURLConnection and SSLServerSocket/SSLSocket
 * all run over usertcp, and the kernel's loopback is out of its reach.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AgentLoopbackTest {

    @TempDir
    Path dir;

    @Test
    void anUnmodifiedProgramRunsOverUsertcpLoopback() throws Exception {
        Path ks = ChildJvm.keyStore(dir);
        // A kernel listener the child must NOT reach: its 127.0.0.1 is usertcp's loopback.
        try (ServerSocket kernel = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            ChildJvm.Result r = ChildJvm.run(dir, "", ChildJvm.sslProperties(ks), AgentProbe.class.getName(),
                    "loopback", String.valueOf(kernel.getLocalPort()));
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stdout().contains("http: 200 hello from the probe server"), r.toString());
            assertTrue(r.stdout().matches("(?s).*tls: TLSv1\\.[23] secret line.*"), r.toString());
            assertTrue(r.stdout().contains("echo: plain line local=127.0.0.1"), r.toString());
            assertTrue(r.stdout().contains("kernel listener: ConnectException: Connection refused"), r.toString());
            assertTrue(r.stdout().contains("probe done"), r.toString());
            assertEquals("", r.stderr(), "no warnings, no stack traces");
        }
    }

    @Test
    void aBadOptionFailsWithOneLineAndExitStatus1() throws Exception {
        ChildJvm.Result r = ChildJvm.run(dir, "mtu=lots", List.of(), AgentProbe.class.getName(), "loopback", "1");
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("", r.stdout(), "main never ran");
        assertTrue(r.stderr().startsWith("usertcp: bad agent option 'mtu=lots': mtu must be a whole number from 576"
                + " to 65535; valid: tun=NAME,"), r.toString());
        assertEquals(1, r.stderr().strip().lines().count(), "exactly one line: " + r.stderr());
    }
}
