package io.usertcp.net;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Starts a separate JVM with the usertcp agent. Tests run before {@code package}, so the shaded
 * agent jar does not exist yet: the child gets a manifest-only agent jar (Premain-Class) assembled
 * here, and this JVM's test class path, which holds the compiled classes and JNA.
 */
final class ChildJvm {
    private ChildJvm() {}

    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    static Path agentJar(Path dir) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", Agent.class.getName());
        m.getMainAttributes().putValue("Agent-Class", Agent.class.getName());
        Path jar = dir.resolve("usertcp-test-agent.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        return jar;
    }

    static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs {@code java [jvmArgs] -javaagent:…=agentOptions -cp … mainClass args}, bounded in time. */
    static Result run(Path dir, String agentOptions, List<String> jvmArgs, String mainClass, String... args)
            throws IOException, InterruptedException {
        return run(dir, true, agentOptions, jvmArgs, mainClass, args);
    }

    /** As above; {@code nativeAccessFlag} false leaves out --enable-native-access (the agent must cope). */
    static Result run(Path dir, boolean nativeAccessFlag, String agentOptions, List<String> jvmArgs, String mainClass,
            String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        if (nativeAccessFlag) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.addAll(jvmArgs);
        cmd.add("-javaagent:" + agentJar(dir) + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("the child JVM did not finish in 90 s: " + String.join(" ", cmd) + "\n"
                    + Files.readString(out) + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** A PKCS12 key store with a self-signed EC certificate for 127.0.0.1 and 198.18.0.1, made with keytool. */
    static Path keyStore(Path dir) throws IOException, InterruptedException {
        Path ks = dir.resolve("test.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "usertcp-test", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=usertcp test", "-ext", "SAN=ip:127.0.0.1,ip:198.18.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("keytool failed: " + output);
        }
        return ks;
    }

    static List<String> sslProperties(Path ks) {
        return List.of("-Djavax.net.ssl.keyStore=" + ks, "-Djavax.net.ssl.keyStorePassword=changeit",
                "-Djavax.net.ssl.keyStoreType=PKCS12", "-Djavax.net.ssl.trustStore=" + ks,
                "-Djavax.net.ssl.trustStorePassword=changeit", "-Djavax.net.ssl.trustStoreType=PKCS12");
    }
}
