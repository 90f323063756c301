package io.usertcp.observe;

import io.usertcp.stack.Stack;
import io.usertcp.stack.StackStats;
import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpInfo;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.DropReason;
import java.util.Map;

/**
 * An {@code ss -tinp}-like listing of a stack's connections, and its counters, as text:
 *
 * <pre>
 * State      Recv-Q Send-Q Local Address:Port    Peer Address:Port     Process
 * ESTAB      0      0      127.0.0.1:40112       127.0.0.1:7007        pid=4242
 *          cubic mss:65495 cwnd:10 ssthresh:- rtt:0.210/0.105 rto:1000 retrans:0 bytes_sent:5 bytes_received:5 snd_wnd:65535 rcv_wnd:65535
 * </pre>
 * Units as {@code ss}: cwnd and ssthresh in segments of {@code mss} bytes ({@code -} when
 * unbounded), rtt/rttvar and rto in milliseconds, queues and bytes in bytes.
 */
public final class SocketTable {
    private SocketTable() {}

    private static final String HEAD_FORMAT = "%-12s %-6s %-6s %-25s %-25s %s%n";

    /** The listing of every connection of {@code stack}. */
    public static String render(Stack stack) {
        return render(stack.connectionsByKey(), ProcessHandle.current().pid());
    }

    /** The listing of {@code connections}, labelled with process {@code pid}. */
    public static String render(Map<ConnectionKey, TcpInfo> connections, long pid) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(java.util.Locale.ROOT, HEAD_FORMAT, "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port",
                "Process"));
        for (Map.Entry<ConnectionKey, TcpInfo> e : connections.entrySet()) {
            ConnectionKey k = e.getKey();
            TcpInfo i = e.getValue();
            sb.append(String.format(java.util.Locale.ROOT, HEAD_FORMAT, Format.ssState(i.state()), i.receiveQueue(), i.sendQueue(),
                    Format.endpoint(k.localIp(), k.localPort()), Format.endpoint(k.remoteIp(), k.remotePort()),
                    "pid=" + pid));
            sb.append("\t ").append(details(i)).append('\n');
        }
        return sb.toString();
    }

    /** The second line of a connection: {@code cubic mss:1460 cwnd:10 ... }. */
    static String details(TcpInfo i) {
        int mss = Math.max(1, i.sndMss());
        StringBuilder sb = new StringBuilder(160);
        // ss prints the algorithm's name first (Linux: "cubic", "reno").
        sb.append(i.congestionControl() == null ? "reno" : i.congestionControl());
        sb.append(" mss:").append(i.sndMss());
        sb.append(" cwnd:").append(ceilDiv(i.cwnd(), mss));
        sb.append(" ssthresh:").append(i.ssthresh() <= 0 || i.ssthresh() >= Integer.MAX_VALUE / 2
                ? "-" : String.valueOf(ceilDiv(i.ssthresh(), mss)));
        sb.append(String.format(java.util.Locale.ROOT, " rtt:%.3f/%.3f", i.srttNanos() / 1e6, i.rttvarNanos() / 1e6));
        sb.append(" rto:").append(Math.round(i.rtoNanos() / 1e6));
        sb.append(" retrans:").append(i.retransmits());
        sb.append(" bytes_sent:").append(i.bytesSent());
        sb.append(" bytes_received:").append(i.bytesReceived());
        sb.append(" snd_wnd:").append(i.sndWnd());
        sb.append(" rcv_wnd:").append(i.rcvWnd());
        if (i.error() != null && !i.error().name().equals("NONE")) {
            sb.append(" error:").append(i.error().name());
        }
        if (i.state() == TcpState.CLOSED) {
            sb.append(" (closing)");
        }
        return sb.toString();
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** The stack's counters, one {@code name value} per line, drops by reason after them. */
    public static String counters(StackStats s) {
        StringBuilder sb = new StringBuilder();
        line(sb, "packets_in", s.packetsIn());
        line(sb, "packets_out", s.packetsOut());
        line(sb, "bytes_in", s.bytesIn());
        line(sb, "bytes_out", s.bytesOut());
        line(sb, "segments_in", s.segmentsIn());
        line(sb, "segments_out", s.segmentsOut());
        line(sb, "resets_sent", s.rstSent());
        line(sb, "resets_received", s.rstReceived());
        line(sb, "checksum_errors", checksumErrors(s));
        line(sb, "connections_opened", s.connectionsOpened());
        line(sb, "connections_accepted", s.connectionsAccepted());
        line(sb, "syn_cookies_sent", s.synCookiesSent());
        line(sb, "syn_cookies_validated", s.synCookiesValidated());
        line(sb, "syn_cookies_failed", s.synCookiesFailed());
        line(sb, "internal_errors", s.internalErrors());
        line(sb, "drops", s.dropped());
        for (Map.Entry<DropReason, Long> d : s.drops().entrySet()) {
            line(sb, "  drop " + d.getKey().name(), d.getValue());
        }
        return sb.toString();
    }

    /** IP header, ICMP and TCP checksum failures. */
    static long checksumErrors(StackStats s) {
        return s.dropped(DropReason.IP_BAD_CHECKSUM) + s.dropped(DropReason.ICMP_BAD_CHECKSUM)
                + s.dropped(DropReason.BAD_TCP_CHECKSUM);
    }

    private static void line(StringBuilder sb, String name, long v) {
        sb.append(String.format(java.util.Locale.ROOT, "%-32s %d%n", name, v));
    }
}
