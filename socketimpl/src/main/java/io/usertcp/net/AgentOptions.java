package io.usertcp.net;

import io.usertcp.link.tun.TunConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's options: {@code key=value} pairs separated by commas
 * ({@code -javaagent:usertcp-agent.jar=tun=ut0,address=198.18.0.2/24}), or system properties
 * {@code usertcp.<key>} (the agent argument wins when both are given). Parsed strictly: an unknown
 * key, a repeated key or a malformed value is a {@link BadOptionException} whose message names the
 * option and the valid forms, in one line.
 */
final class AgentOptions {
    private AgentOptions() {}

    static final String PROPERTY_PREFIX = "usertcp.";

    /** The keys and their valid forms, in the order the help shows them. */
    static final Map<String, String> FORMS = forms();

    private static Map<String, String> forms() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("tun", "tun=NAME (TUN interface to attach to, created when absent; without it: loopback only)");
        m.put("address", "address=A.B.C.D/PREFIX (the stack's address, default " + UserTcp.DEFAULT_ADDRESS + ")");
        m.put("gateway", "gateway=A.B.C.D (the kernel side of the TUN, default " + UserTcp.DEFAULT_GATEWAY + ")");
        m.put("mtu", "mtu=576..65535 (default " + UserTcp.DEFAULT_MTU + ")");
        m.put("offload", "offload=auto|on|off (TUN checksum and segmentation offload: auto uses it when the kernel"
                + " offers it, on fails without it; default auto)");
        m.put("pcap", "pcap=FILE (write every packet of the TUN to FILE)");
        m.put("trace", "trace=off|segments|ladder (print segments and state changes, or a ladder per connection)");
        m.put("svg", "svg=DIR (with trace=ladder: also write each ladder as DIR/ladder-LOCAL-REMOTE.svg)");
        m.put("msl", "msl=DURATION like 500ms, 30s or 1m (maximum segment lifetime; TIME-WAIT is 2*MSL)");
        m.put("congestion", "congestion=cubic|reno (congestion control of every socket, default cubic)");
        m.put("pacing", "pacing=on|off (space each window's segments over the RTT, default off)");
        return m;
    }

    /** One line with every valid form, for error messages. */
    static String validForms() {
        StringBuilder sb = new StringBuilder();
        for (String form : FORMS.values()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(form, 0, form.indexOf(' '));
        }
        return sb.toString();
    }

    /** A bad option; the message is the whole story, in one line. */
    static final class BadOptionException extends Exception {
        private static final long serialVersionUID = 1L;

        BadOptionException(String message) {
            super(message, null, false, false);
        }
    }

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern CIDR = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})(?:/(\\d{1,2}))?");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    /**
     * Parses the agent argument (may be null or empty) over the {@code usertcp.*} properties.
     *
     * @throws BadOptionException naming the first bad option and the valid forms
     */
    static UserTcp.Config parse(String agentArgs, Properties properties) throws BadOptionException {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        for (String key : FORMS.keySet()) {
            String v = properties.getProperty(PROPERTY_PREFIX + key);
            if (v != null) {
                values.put(key, v.trim());
                origin.put(key, "-D" + PROPERTY_PREFIX + key + "=" + v);
            }
        }
        Map<String, String> fromArgs = new LinkedHashMap<>();
        if (agentArgs != null && !agentArgs.isBlank()) {
            for (String part : agentArgs.split(",", -1)) {
                String item = part.trim();
                int eq = item.indexOf('=');
                if (eq <= 0) {
                    throw new BadOptionException("bad agent option '" + item + "': expected key=value; valid: "
                            + validForms());
                }
                String key = item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String value = item.substring(eq + 1).trim();
                if (!FORMS.containsKey(key)) {
                    throw new BadOptionException("unknown agent option '" + item + "'; valid: " + validForms());
                }
                if (fromArgs.put(key, value) != null) {
                    throw new BadOptionException("agent option '" + key + "' given twice; valid: " + validForms());
                }
                values.put(key, value);
                origin.put(key, item);
            }
        }

        UserTcp.Builder b = UserTcp.builder();
        String tun = values.get("tun");
        if (tun != null) {
            if (!IFNAME.matcher(tun).matches()) {
                throw bad(origin, "tun", "an interface name of 1 to 15 letters, digits, '_', '.' or '-'");
            }
            b.tun(tun);
        }
        InetAddress address = null;
        int prefix = 24;
        String a = values.get("address");
        if (a != null) {
            Matcher m = CIDR.matcher(a);
            if (!m.matches()) {
                throw bad(origin, "address", "an IPv4 address with a prefix length, like 198.18.0.2/24");
            }
            address = ipv4(m.group(1), origin, "address");
            if (m.group(2) != null) {
                prefix = Integer.parseInt(m.group(2));
                if (prefix < 1 || prefix > 30) {
                    throw bad(origin, "address", "a prefix length from 1 to 30");
                }
            }
        }
        InetAddress gateway = null;
        String g = values.get("gateway");
        if (g != null) {
            gateway = ipv4(g, origin, "gateway");
        }
        if (tun == null && (address != null || gateway != null)) {
            String key = address != null ? "address" : "gateway";
            throw new BadOptionException("agent option '" + origin.get(key)
                    + "' needs tun=NAME (without a TUN the stack has only its loopback); valid: " + validForms());
        }
        if (address != null || gateway != null) {
            UserTcp.Config defaults = b.config();
            InetAddress addr = address != null ? address : defaults.address();
            InetAddress gw = gateway != null ? gateway : defaults.gateway();
            if (!sameSubnet(addr, gw, prefix) || addr.equals(gw)) {
                throw new BadOptionException("gateway " + gw.getHostAddress() + " must be another address on "
                        + addr.getHostAddress() + "/" + prefix + "'s subnet; valid: " + validForms());
            }
            b.address(addr, prefix).gateway(gw);
        }
        String mtu = values.get("mtu");
        if (mtu != null) {
            int v;
            try {
                v = Integer.parseInt(mtu);
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 576 || v > 65535) {
                throw bad(origin, "mtu", "a whole number from 576 to 65535");
            }
            b.mtu(v);
        }
        String offload = values.get("offload");
        if (offload != null) {
            switch (offload.toLowerCase(Locale.ROOT)) {
                case "auto" -> b.offload(TunConfig.Offload.AUTO);
                case "on", "true" -> b.offload(TunConfig.Offload.REQUIRED);
                case "off", "false" -> b.offload(TunConfig.Offload.OFF);
                default -> throw bad(origin, "offload", "auto, on or off");
            }
        }
        String pcap = values.get("pcap");
        if (pcap != null) {
            if (pcap.isEmpty()) {
                throw bad(origin, "pcap", "a file name");
            }
            try {
                b.pcap(Path.of(pcap));
            } catch (InvalidPathException e) {
                throw bad(origin, "pcap", "a file name");
            }
        }
        String trace = values.get("trace");
        if (trace != null) {
            switch (trace.toLowerCase(Locale.ROOT)) {
                case "off":
                case "false":
                    b.trace(UserTcp.Trace.OFF);
                    break;
                case "segments":
                case "on":
                case "true":
                    b.trace(UserTcp.Trace.SEGMENTS);
                    break;
                case "ladder":
                    b.trace(UserTcp.Trace.LADDER);
                    break;
                default:
                    throw bad(origin, "trace", "off, segments (or on) or ladder");
            }
        }
        String svg = values.get("svg");
        if (svg != null) {
            if (svg.isEmpty()) {
                throw bad(origin, "svg", "a directory name");
            }
            try {
                b.ladderSvgDir(Path.of(svg));
            } catch (InvalidPathException e) {
                throw bad(origin, "svg", "a directory name");
            }
        }
        String msl = values.get("msl");
        if (msl != null) {
            Matcher m = DURATION.matcher(msl);
            if (!m.matches()) {
                throw bad(origin, "msl", "a duration with a unit: ms, s or m (like 500ms, 30s, 1m)");
            }
            long n = Long.parseLong(m.group(1));
            Duration d = m.group(2).equals("ms") ? Duration.ofMillis(n)
                    : m.group(2).equals("s") ? Duration.ofSeconds(n) : Duration.ofMinutes(n);
            b.msl(d);
        }
        String cc = values.get("congestion");
        if (cc != null) {
            try {
                b.congestionControl(cc);
            } catch (IllegalArgumentException e) {
                throw bad(origin, "congestion", "cubic or reno");
            }
        }
        String pacing = values.get("pacing");
        if (pacing != null) {
            switch (pacing.toLowerCase(java.util.Locale.ROOT)) {
                case "on", "true" -> b.pacing(true);
                case "off", "false" -> b.pacing(false);
                default -> throw bad(origin, "pacing", "on or off");
            }
        }
        return b.config();
    }

    private static BadOptionException bad(Map<String, String> origin, String key, String want) {
        return new BadOptionException("bad agent option '" + origin.get(key) + "': " + key + " must be " + want
                + "; valid: " + validForms());
    }

    private static InetAddress ipv4(String s, Map<String, String> origin, String key) throws BadOptionException {
        Matcher m = IPV4.matcher(s);
        if (!m.matches()) {
            throw bad(origin, key, "a dotted IPv4 address like " + UserTcp.DEFAULT_GATEWAY);
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            int octet = Integer.parseInt(m.group(i + 1));
            if (octet > 255) {
                throw bad(origin, key, "a dotted IPv4 address like " + UserTcp.DEFAULT_GATEWAY);
            }
            b[i] = (byte) octet;
        }
        try {
            return InetAddress.getByAddress(b); // literal bytes: no name lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean sameSubnet(InetAddress a, InetAddress b, int prefix) {
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return (toInt(a) & mask) == (toInt(b) & mask);
    }

    private static int toInt(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    /** For the help text. */
    static List<String> formLines() {
        return List.copyOf(FORMS.values());
    }
}
