package io.usertcp.compat.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.usertcp.compat.harness.KnownBugs;
import io.usertcp.link.tun.RequiresTun;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unmodified program ({@link UnmodifiedClient}) in a separate JVM started with only
 * {@code -javaagent:socketimpl/target/usertcp-agent.jar=tun=ut1,address=198.18.1.2/24,gateway=198.18.1.1}
 * — exactly as a user runs it — talking to kernel-side HTTP, HTTPS and FTP servers in this JVM
 * (bound to all addresses, so reachable at 198.18.1.1 once the agent's TUN is up). The servers
 * answer with the client address they see: 198.18.1.2 proves the child ran on usertcp.
 */
@RequiresTun
@Timeout(180)
class AgentProgramTest {
    static final String CHILD_ADDRESS = "198.18.1.2";
    static final String KERNEL_ADDRESS = "198.18.1.1";
    static final String STOREPASS = "compat-pass";

    @TempDir
    static Path dir;

    static HttpServer http;
    static HttpsServer https;
    static KernelFtpServer ftp;
    static int exit;
    static List<String> out;
    static String err;

    @BeforeAll
    static void runChild() throws Exception {
        Path agent = agentJar();
        Path keystore = dir.resolve("server.p12");
        Path truststore = dir.resolve("trust.p12");
        makeCertificate(keystore, truststore);

        http = HttpServer.create(new InetSocketAddress(0), 0);
        http.createContext("/", AgentProgramTest::hello);
        http.start();
        https = HttpsServer.create(new InetSocketAddress(0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(sslContext(keystore)));
        https.createContext("/", AgentProgramTest::hello);
        https.start();
        Path ftpHome = Files.createDirectories(dir.resolve("ftp"));
        ftp = new KernelFtpServer(null, ftpHome);

        String cp = location(UnmodifiedClient.class) + File.pathSeparator
                + location(org.apache.commons.net.ftp.FTPClient.class);
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + agent + "=tun=ut1,address=" + CHILD_ADDRESS + "/24,gateway=" + KERNEL_ADDRESS,
                "-Djavax.net.ssl.trustStore=" + truststore,
                "-Djavax.net.ssl.trustStorePassword=" + STOREPASS,
                "-cp", cp,
                UnmodifiedClient.class.getName(),
                "http://" + KERNEL_ADDRESS + ":" + http.getAddress().getPort() + "/hello",
                "https://" + KERNEL_ADDRESS + ":" + https.getAddress().getPort() + "/hello",
                KERNEL_ADDRESS, String.valueOf(ftp.port), KernelFtpServer.USER, KernelFtpServer.PASSWORD));
        Path stdout = dir.resolve("child.out");
        Path stderr = dir.resolve("child.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the child JVM did not finish within 120 s; stdout:\n" + Files.readString(stdout) + "\nstderr:\n"
                    + Files.readString(stderr));
        }
        exit = p.exitValue();
        out = Files.readAllLines(stdout);
        err = Files.readString(stderr);
    }

    @AfterAll
    static void stopServers() {
        if (http != null) {
            http.stop(0);
        }
        if (https != null) {
            https.stop(0);
        }
        if (ftp != null) {
            ftp.close();
        }
    }

    /** The agent jar as `mvn -B verify` (or `-DskipTests package`) builds it. */
    static Path agentJar() {
        Path jar = Path.of(System.getProperty("usertcp.agent.jar", "../socketimpl/target/usertcp-agent.jar"))
                .toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            fail("no agent jar at " + jar + ": build it with `mvn -B -DskipTests package` (mvn -B verify does)");
        }
        return jar;
    }

    static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    static void hello(HttpExchange ex) throws IOException {
        byte[] body = ("hello " + ex.getRemoteAddress().getAddress().getHostAddress())
                .getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, body.length);
        try (var os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    /** A self-signed certificate for 198.18.1.1 (keytool of this JDK), and a truststore holding it. */
    static void makeCertificate(Path keystore, Path truststore) throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path cert = keystore.resolveSibling("server.cer");
        run(keytool, "-genkeypair", "-alias", "compat", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + KERNEL_ADDRESS, "-ext", "SAN=ip:" + KERNEL_ADDRESS, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", STOREPASS);
        run(keytool, "-exportcert", "-alias", "compat", "-keystore", keystore.toString(), "-storepass", STOREPASS,
                "-file", cert.toString());
        run(keytool, "-importcert", "-noprompt", "-alias", "compat", "-file", cert.toString(),
                "-storetype", "PKCS12", "-keystore", truststore.toString(), "-storepass", STOREPASS);
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " failed:\n" + output);
        }
    }

    static SSLContext sslContext(Path keystore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore.toFile())) {
            ks.load(in, STOREPASS.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, STOREPASS.toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    String report() {
        return "exit " + exit + "\nstdout:\n" + String.join("\n", out) + "\nstderr:\n" + err;
    }

    String line(String prefix) {
        return out.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
    }

    @Test
    void programExitsCleanly() {
        assertEquals(0, exit, report());
        assertEquals("done", out.isEmpty() ? null : out.get(out.size() - 1), report());
    }

    @Test
    void plainSocketRunsOnUsertcp() {
        assertEquals("socket local=" + CHILD_ADDRESS, line("socket "), report());
    }

    @Test
    void httpUrlConnection() {
        assertEquals("http 200 hello " + CHILD_ADDRESS, line("http "), report());
    }

    @Test
    void httpsUrlConnection() {
        assertEquals("https 200 hello " + CHILD_ADDRESS, line("https "), report());
    }

    @Test
    void commonsNetFtpPassive() {
        assertEquals("ftp passive passive over usertcp", line("ftp passive "), report());
    }

    @Test
    void commonsNetFtpActive() {
        assertEquals("ftp active active over usertcp", line("ftp active "), report());
    }

    @Test
    void noWarningsOnStderr() throws Exception {
        KnownBugs.expectFixed("AgentProgramTest.noWarningsOnStderr", "usertcp-agent",
                () -> assertTrue(err.lines().noneMatch(l -> l.contains("WARNING")), report()));
    }
}
