package io.usertcp.observe;

import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.TcpOptions;

/** Small shared formatting helpers. */
final class Format {
    private Format() {}

    static String ip(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }

    static String endpoint(int ip, int port) {
        return ip(ip) + ":" + port;
    }

    /** {@code 127.0.0.1:40000-127.0.0.1:7}: how connections are named in the MBean and the tools. */
    static String name(ConnectionKey k) {
        return endpoint(k.localIp(), k.localPort()) + "-" + endpoint(k.remoteIp(), k.remotePort());
    }

    static ConnectionKey reverse(ConnectionKey k) {
        return new ConnectionKey(k.remoteIp(), k.remotePort(), k.localIp(), k.localPort());
    }

    /** Parses {@link #name}; null when malformed. */
    static ConnectionKey parseName(String s) {
        String[] p = s.trim().split("-");
        if (p.length != 2) {
            return null;
        }
        int[] a = endpointOf(p[0]);
        int[] b = endpointOf(p[1]);
        return a == null || b == null ? null : new ConnectionKey(a[0], a[1], b[0], b[1]);
    }

    private static int[] endpointOf(String s) {
        int c = s.lastIndexOf(':');
        if (c < 0) {
            return null;
        }
        String[] q = s.substring(0, c).split("\\.");
        if (q.length != 4) {
            return null;
        }
        try {
            int ip = 0;
            for (String x : q) {
                int v = Integer.parseInt(x);
                if (v < 0 || v > 255) {
                    return null;
                }
                ip = ip << 8 | v;
            }
            int port = Integer.parseInt(s.substring(c + 1));
            return port < 0 || port > 65535 ? null : new int[] {ip, port};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@code <mss 1460,wscale 7,sackOK,TS val 1 ecr 0,sack 1:2>}, or "" when there are none. */
    static String options(TcpOptions o) {
        if (o == null || o.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("<");
        if (o.mss() >= 0) {
            sb.append("mss ").append(o.mss()).append(',');
        }
        if (o.windowScale() >= 0) {
            sb.append("wscale ").append(o.windowScale()).append(',');
        }
        if (o.sackPermitted()) {
            sb.append("sackOK,");
        }
        if (o.hasTimestamps()) {
            sb.append("TS val ").append(Integer.toUnsignedString(o.tsVal())).append(" ecr ")
                    .append(Integer.toUnsignedString(o.tsEcr())).append(',');
        }
        int[] s = o.sackBlocks();
        for (int i = 0; i + 1 < s.length; i += 2) {
            sb.append("sack ").append(Integer.toUnsignedString(s[i])).append(':')
                    .append(Integer.toUnsignedString(s[i + 1])).append(',');
        }
        if (sb.length() == 1) {
            return "";
        }
        sb.setLength(sb.length() - 1);
        return sb.append('>').toString();
    }

    /** The state names of {@code ss}. */
    static String ssState(TcpState s) {
        return switch (s) {
            case ESTABLISHED -> "ESTAB";
            case SYN_RECEIVED -> "SYN-RECV";
            case CLOSED -> "UNCONN";
            default -> s.toString();
        };
    }

    static String xml(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> sb.append(c < 0x20 ? ' ' : c);
            }
        }
        return sb.toString();
    }
}
