package io.usertcp.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.tun.TunConfig;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AgentOptionsTest {

    static UserTcp.Config parse(String args) throws Exception {
        return AgentOptions.parse(args, new Properties());
    }

    @Test
    void everyOption() throws Exception {
        UserTcp.Config c = parse("tun=ut0,address=198.18.0.2/24,gateway=198.18.0.1,mtu=1400,pcap=/tmp/x.pcap,"
                + "trace=ladder,svg=/tmp/ladders,msl=500ms,offload=off");
        assertEquals("ut0", c.tun());
        assertEquals(InetAddress.getByName("198.18.0.2"), c.address());
        assertEquals(24, c.prefixLength());
        assertEquals(InetAddress.getByName("198.18.0.1"), c.gateway());
        assertEquals(1400, c.mtu());
        assertEquals(Path.of("/tmp/x.pcap"), c.pcap());
        assertEquals(UserTcp.Trace.LADDER, c.trace());
        assertEquals(Path.of("/tmp/ladders"), c.ladderSvgDir());
        assertEquals(Duration.ofMillis(500), c.msl());
        assertEquals(TunConfig.Offload.OFF, c.offload());
    }

    @Test
    void offloadIsAutoUnlessSaid() throws Exception {
        assertEquals(TunConfig.Offload.AUTO, parse("tun=ut0").offload());
        assertEquals(TunConfig.Offload.AUTO, parse("tun=ut0,offload=auto").offload());
        assertEquals(TunConfig.Offload.REQUIRED, parse("tun=ut0,offload=on").offload());
        assertEquals(TunConfig.Offload.OFF, AgentOptions.parse(null, props("usertcp.offload", "off")).offload());
    }

    @Test
    void congestionControlAndPacing() throws Exception {
        assertNull(parse("tun=ut0").congestionControl());
        assertFalse(parse("tun=ut0").pacing());
        UserTcp.Config c = parse("congestion=NewReno,pacing=on");
        assertEquals("reno", c.congestionControl());
        assertTrue(c.pacing());
        assertEquals("cubic", AgentOptions.parse(null, props("usertcp.congestion", "cubic")).congestionControl());
        try (UserTcp ut = UserTcp.start(c); java.net.Socket s = ut.socketFactory().createSocket()) {
            assertEquals("reno", s.getOption(UserTcpOptions.TCP_CONGESTION)); // the stack's default now
        }
    }

    @Test
    void noOptionsMeansLoopbackOnly() throws Exception {
        UserTcp.Config c = parse(null);
        assertNull(c.tun());
        assertEquals(UserTcp.Trace.OFF, c.trace());
        assertNull(parse("").tun());
    }

    @Test
    void systemPropertiesAndTheAgentArgumentWins() throws Exception {
        Properties p = new Properties();
        p.setProperty("usertcp.tun", "a0");
        p.setProperty("usertcp.msl", "2s");
        p.setProperty("usertcp.unrelated", "ignored");
        UserTcp.Config c = AgentOptions.parse("tun=b0", p);
        assertEquals("b0", c.tun());
        assertEquals(Duration.ofSeconds(2), c.msl());
        assertEquals(UserTcp.DEFAULT_MTU, c.mtu());
        assertEquals("usertcp: bad agent option '-Dusertcp.mtu=9': mtu must be a whole number from 576 to 65535",
                "usertcp: " + first(assertThrows(AgentOptions.BadOptionException.class,
                        () -> AgentOptions.parse(null, props("usertcp.mtu", "9"))).getMessage()));
    }

    static Properties props(String k, String v) {
        Properties p = new Properties();
        p.setProperty(k, v);
        return p;
    }

    static String first(String message) {
        return message.substring(0, message.indexOf("; valid: "));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "mtu=abc                     | bad agent option 'mtu=abc': mtu must be a whole number from 576 to 65535",
        "mtu=100                     | bad agent option 'mtu=100': mtu must be a whole number from 576 to 65535",
        "foo=1                       | unknown agent option 'foo=1'",
        "tun                         | bad agent option 'tun': expected key=value",
        "tun=ut0,tun=ut1             | agent option 'tun' given twice",
        "tun=this-name-is-too-long   | bad agent option 'tun=this-name-is-too-long': tun must be an interface name of 1 to 15 letters, digits, '_', '.' or '-'",
        "tun=ut0,address=1.2.3       | bad agent option 'address=1.2.3': address must be an IPv4 address with a prefix length, like 198.18.0.2/24",
        "tun=ut0,address=1.2.3.4/31  | bad agent option 'address=1.2.3.4/31': address must be a prefix length from 1 to 30",
        "tun=ut0,address=1.2.3.400/8 | bad agent option 'address=1.2.3.400/8': address must be a dotted IPv4 address like 198.18.0.1",
        "tun=ut0,gateway=example.com | bad agent option 'gateway=example.com': gateway must be a dotted IPv4 address like 198.18.0.1",
        "tun=ut0,gateway=10.0.0.1    | gateway 10.0.0.1 must be another address on 198.18.0.2/24's subnet",
        "tun=ut0,gateway=198.18.0.2  | gateway 198.18.0.2 must be another address on 198.18.0.2/24's subnet",
        "address=198.18.0.2/24       | agent option 'address=198.18.0.2/24' needs tun=NAME (without a TUN the stack has only its loopback)",
        "trace=loud                  | bad agent option 'trace=loud': trace must be off, segments (or on) or ladder",
        "msl=30                      | bad agent option 'msl=30': msl must be a duration with a unit: ms, s or m (like 500ms, 30s, 1m)",
        "pcap=                       | bad agent option 'pcap=': pcap must be a file name",
        "svg=                        | bad agent option 'svg=': svg must be a directory name",
        "offload=yes                 | bad agent option 'offload=yes': offload must be auto, on or off",
        "congestion=bbr              | bad agent option 'congestion=bbr': congestion must be cubic or reno",
        "pacing=maybe                | bad agent option 'pacing=maybe': pacing must be on or off",
    })
    void badOptionsNameTheOptionAndTheValidForms(String args, String expected) {
        AgentOptions.BadOptionException e = assertThrows(AgentOptions.BadOptionException.class, () -> parse(args));
        assertEquals(expected, first(e.getMessage()));
        assertTrue(e.getMessage().endsWith("; valid: " + AgentOptions.validForms()), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line");
        assertEquals(0, e.getStackTrace().length, "no stack trace is even recorded");
    }

    @Test
    void oneLineJoinsCauses() {
        Exception e = new java.io.IOException("cannot open TUN ut0", new IllegalStateException("EPERM\nmore"));
        assertEquals("cannot open TUN ut0: EPERM more", Agent.oneLine(e));
        assertEquals("NullPointerException", Agent.oneLine(new NullPointerException()));
    }
}
