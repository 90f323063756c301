package io.usertcp.link.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a process without CAP_NET_ADMIN is told: it runs {@link TunProbe} in a child JVM whose
 * capability sets are all empty ({@code setpriv --inh-caps=-all --bounding-set=-all}), in this
 * test's private namespace.
 */
@RequiresTun
class TunPermissionTest {

    static String user() {
        return System.getProperty("user.name");
    }

    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    static String probeWithoutCapabilities(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--inh-caps=-all", "--bounding-set=-all", "--",
                System.getProperty("java.home") + "/bin/java", "-cp", System.getProperty("java.class.path"),
                TunProbe.class.getName()));
        cmd.addAll(List.of(args));
        String out = run(cmd);
        // Keep only our lines (a JDK may print warnings first).
        int i = out.indexOf("OK ");
        int j = out.indexOf("ERR ");
        int start = i < 0 ? j : j < 0 ? i : Math.min(i, j);
        assertTrue(start >= 0, "probe printed no result: " + out);
        return out.substring(start);
    }

    @Test
    void creatingWithoutCapNetAdminNamesTheIpTuntapFix() throws Exception {
        String out = probeWithoutCapabilities("create", "utcp-nocap");
        assertTrue(out.startsWith("ERR NO_PERMISSION\n"), out);
        assertTrue(out.contains("needs CAP_NET_ADMIN"), out);
        assertTrue(out.contains("sudo ip tuntap add dev utcp-nocap mode tun user " + user()), out);
        assertTrue(out.contains(".attach()"), out);

        String can = probeWithoutCapabilities("can-create");
        assertTrue(can.startsWith("ERR NO_PERMISSION\n"), can);
        assertTrue(can.contains("ip tuntap add dev usertcp0 mode tun user " + user()), can);
    }

    @Test
    void unprivilegedProcessAttachesToAPersistentDeviceButCannotConfigureIt() throws Exception {
        String name = "utcp-pers";
        String made = run(List.of("ip", "tuntap", "add", "dev", name, "mode", "tun", "user", user()));
        assertEquals("", made.trim(), "ip tuntap add");
        try {
            String out = probeWithoutCapabilities("attach", name);
            assertEquals("OK " + name + " 1500", out.trim());

            String cfg = probeWithoutCapabilities("attach-config", name, "198.18.5.1/24");
            assertTrue(cfg.startsWith("ERR NO_PERMISSION\n"), cfg);
            assertTrue(cfg.contains("sudo ip addr add 198.18.5.1/24 dev " + name), cfg);
        } finally {
            run(List.of("ip", "tuntap", "del", "dev", name, "mode", "tun"));
        }
        assertTrue(!TunDevice.interfaceExists(name), "persistent device deleted");
    }
}
