package io.usertcp.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code bin/usertcp ss PID}: the listing of another JVM's usertcp stack, through attach and JMX. */
class SsToolTest {

    @Test
    void listsTheConnectionsAndCountersOfAnotherJvm() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", cp, SsTarget.class.getName()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String ready = in.readLine();
            assertNotNull(ready, "the target JVM ended early");
            assertTrue(ready.startsWith("ready "), ready);
            String clientPort = ready.substring(6).trim();

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int rc = SsTool.run(new String[] {"--counters", String.valueOf(p.pid())},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            String o = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, rc, o + err.toString(StandardCharsets.UTF_8));
            assertTrue(o.contains("usertcp stack loopback (pid " + p.pid() + ")"), o);
            // the server side of the connection holds the 5 unread bytes
            assertTrue(Pattern.compile("(?m)^ESTAB\\s+5\\s+0\\s+127\\.0\\.0\\.1:7401\\s+127\\.0\\.0\\.1:" + clientPort
                    + "\\s+pid=" + p.pid() + "$").matcher(o).find(), o);
            assertTrue(Pattern.compile("(?m)^ESTAB\\s+0\\s+0\\s+127\\.0\\.0\\.1:" + clientPort + "\\s+127\\.0\\.0\\.1:7401")
                    .matcher(o).find(), o);
            assertTrue(Pattern.compile("(?m)^\\t cubic mss:\\d+ cwnd:\\d+ .* bytes_sent:5 ").matcher(o).find(), o);
            assertTrue(Pattern.compile("(?m)^packets_in\\s+[1-9]\\d*$").matcher(o).find(), o);

            // bad usage: status 2
            assertEquals(2, SsTool.run(new String[] {"--trace", "maybe", "1"}, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(new ByteArrayOutputStream())));
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
