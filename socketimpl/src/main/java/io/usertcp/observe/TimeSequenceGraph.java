package io.usertcp.observe;

import io.usertcp.link.PcapReader;
import io.usertcp.stack.SegmentTracer;
import io.usertcp.tcp.ConnectionKey;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.MalformedPacketException;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpSegment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A time-sequence graph of one direction of one connection, as tcptrace draws it: time on x,
 * relative sequence number on y; each data segment a vertical I-beam from its first to its last
 * byte (retransmissions red, marked R), the receiver's cumulative ACK as a green step line and the
 * right edge of its advertised window (ACK + window) as a yellow one; SYN and FIN marked. Made from
 * a {@link TraceRecorder}'s events or from a pcap file.
 */
public final class TimeSequenceGraph {

    private record Point(long t, long v) {}

    private record Data(long t, long from, long to, boolean retransmission, String mark) {}

    private final String title;
    private final List<Data> data = new ArrayList<>();
    private final List<Point> acks = new ArrayList<>();
    private final List<Point> windows = new ArrayList<>();
    private long tMin = Long.MAX_VALUE, tMax = Long.MIN_VALUE;
    private long yMax = 1;
    private long windowMax = 0;

    /**
     * The graph of the direction of {@code events} (one connection's, as recorded) that carries
     * more data; the other direction's ACKs and windows.
     */
    public static TimeSequenceGraph of(List<TraceEvent> events) {
        long out = 0, in = 0;
        for (TraceEvent e : events) {
            if (e.kind() == TraceEvent.Kind.OUT) {
                out += e.length();
            } else if (e.kind() == TraceEvent.Kind.IN) {
                in += e.length();
            }
        }
        return new TimeSequenceGraph(events, out >= in ? TraceEvent.Kind.OUT : TraceEvent.Kind.IN);
    }

    /**
     * The graph of the connection {@code key} in {@code recorder}, drawn from the data sender's trace
     * when the recorder holds both ends (only the sender knows every retransmission: the receiver
     * sees the resent copy of a lost segment as new).
     */
    public static TimeSequenceGraph of(TraceRecorder recorder, ConnectionKey key) {
        List<TraceEvent> ev = recorder.events(key);
        if (ev.isEmpty()) {
            throw new IllegalArgumentException("no trace of " + Format.name(key));
        }
        long out = 0, in = 0;
        for (TraceEvent e : ev) {
            if (e.kind() == TraceEvent.Kind.OUT) {
                out += e.length();
            } else if (e.kind() == TraceEvent.Kind.IN) {
                in += e.length();
            }
        }
        if (in > out) {
            List<TraceEvent> sender = recorder.events(Format.reverse(key));
            if (!sender.isEmpty()) {
                return of(sender);
            }
        }
        return of(ev);
    }

    /**
     * The graph of one connection in a pcap file (LINKTYPE_RAW, as {@code PcapTap} writes): the
     * first connection whose SYN is in the file when {@code key} is null, else {@code key} (either
     * way round).
     */
    public static TimeSequenceGraph fromPcap(Path pcap, ConnectionKey key) throws IOException {
        TraceRecorder r = new TraceRecorder(1, Integer.MAX_VALUE);
        ConnectionKey client = key;
        for (PcapReader.Packet p : PcapReader.readAll(pcap)) {
            ByteBuffer buf = ByteBuffer.wrap(p.data());
            TcpSegment seg;
            Ipv4Header ip;
            try {
                ip = Ipv4Header.parse(buf, 0, p.data().length);
                if (ip.protocol() != Ipv4Header.PROTO_TCP || ip.isFragment()) {
                    continue;
                }
                seg = TcpSegment.parse(buf, ip.payloadOffset(), ip.payloadLength(), ip.src(), ip.dst());
            } catch (MalformedPacketException | RuntimeException e) {
                continue;
            }
            ConnectionKey fromSender = new ConnectionKey(ip.src(), seg.srcPort(), ip.dst(), seg.dstPort());
            if (client == null) {
                if (!seg.syn() || seg.hasAck()) {
                    continue;
                }
                client = fromSender;
            }
            boolean out;
            if (fromSender.equals(client)) {
                out = true;
            } else if (Format.reverse(fromSender).equals(client)) {
                out = false;
            } else {
                continue;
            }
            r.segment(client, out ? SegmentTracer.Direction.OUT : SegmentTracer.Direction.IN, seg,
                    p.timestampMicros() * 1000);
        }
        if (client == null || r.events(client).isEmpty()) {
            throw new IOException("no TCP connection" + (key == null ? "" : " " + Format.name(key)) + " in " + pcap);
        }
        return of(r.events(client));
    }

    private TimeSequenceGraph(List<TraceEvent> events, TraceEvent.Kind sender) {
        ConnectionKey k = events.get(0).key();
        String local = Format.endpoint(k.localIp(), k.localPort());
        String remote = Format.endpoint(k.remoteIp(), k.remotePort());
        this.title = sender == TraceEvent.Kind.OUT ? local + " \u2192 " + remote : remote + " \u2192 " + local;
        for (TraceEvent e : events) {
            if (!e.isSegment()) {
                continue;
            }
            tMin = Math.min(tMin, e.timeNanos());
            tMax = Math.max(tMax, e.timeNanos());
            if (e.kind() == sender) {
                int len = e.seqLength();
                String mark = e.has(TcpHeader.FLAG_SYN) ? "SYN" : e.has(TcpHeader.FLAG_FIN) ? "FIN"
                        : e.has(TcpHeader.FLAG_RST) ? "RST" : null;
                if (len > 0 || mark != null) {
                    data.add(new Data(e.timeNanos(), e.relSeq(), e.relSeq() + len, e.retransmission(), mark));
                    yMax = Math.max(yMax, e.relSeq() + len);
                }
            } else if (e.has(TcpHeader.FLAG_ACK)) {
                acks.add(new Point(e.timeNanos(), e.relAck()));
                windows.add(new Point(e.timeNanos(), e.relAck() + e.window()));
                windowMax = Math.max(windowMax, e.relAck() + e.window());
            }
        }
        yMax = Math.max(yMax, windowMax);
        if (tMin == Long.MAX_VALUE) {
            tMin = tMax = 0;
        }
    }

    /** Data segments drawn. */
    public int dataSegments() {
        return data.size();
    }

    /** Retransmitted data segments drawn. */
    public int retransmissions() {
        return (int) data.stream().filter(Data::retransmission).count();
    }

    /** ACKs drawn. */
    public int acks() {
        return acks.size();
    }

    // ------------------------------------------------------------------ SVG

    private static final int W = 960, H = 560, LEFT = 90, RIGHT = 30, TOP = 50, BOTTOM = 60;

    private double x(long t) {
        long span = Math.max(1, tMax - tMin);
        return LEFT + (double) (t - tMin) * (W - LEFT - RIGHT) / span;
    }

    private double y(long v) {
        return H - BOTTOM - (double) Math.min(v, yMax) * (H - TOP - BOTTOM) / (yMax * 1.05);
    }

    /** The graph as a standalone SVG document. */
    public String svg() {
        StringBuilder sb = new StringBuilder(4096 + data.size() * 200 + acks.size() * 40);
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.append("<title>").append(Format.xml("Time-sequence graph " + title)).append("</title>\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append("<text x=\"").append(W / 2).append("\" y=\"24\" text-anchor=\"middle\" font-weight=\"bold\">")
                .append(Format.xml("Time-sequence graph: " + title)).append("</text>\n");
        axes(sb);
        // window edge and ACK step lines
        sb.append(stepLine("window", windows, "#d4a000"));
        sb.append(stepLine("ack", acks, "#2e7d32"));
        for (Data d : data) {
            double xx = x(d.t);
            double y1 = y(d.from), y2 = y(d.to);
            String color = d.retransmission ? "#c62828" : "#1f3f8f";
            String cls = d.retransmission ? "segment retransmission" : "segment";
            sb.append(String.format(java.util.Locale.ROOT, "<g class=\"%s\" stroke=\"%s\" stroke-width=\"1.5\">"
                    + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                    + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                    + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>%n",
                    cls, color, xx, y1, xx, y2, xx - 3, y1, xx + 3, y1, xx - 3, y2, xx + 3, y2));
            if (d.retransmission) {
                sb.append(String.format(java.util.Locale.ROOT, "<text class=\"retransmission-mark\" x=\"%.1f\" y=\"%.1f\" fill=\"#c62828\" "
                        + "font-size=\"11\" font-weight=\"bold\">R</text>%n", xx + 4, y2 - 2));
            }
            if (d.mark != null) {
                sb.append(String.format(java.util.Locale.ROOT, "<text class=\"flag-mark\" x=\"%.1f\" y=\"%.1f\" fill=\"#333\" font-size=\"10\">%s</text>%n",
                        xx + 4, y2 - 4, d.mark));
            }
        }
        legend(sb);
        sb.append("</svg>\n");
        return sb.toString();
    }

    private String stepLine(String cls, List<Point> pts, String color) {
        if (pts.isEmpty()) {
            return "";
        }
        StringBuilder p = new StringBuilder();
        Point prev = null;
        for (Point pt : pts) {
            if (prev == null) {
                p.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f", x(pt.t), y(pt.v)));
            } else {
                p.append(String.format(java.util.Locale.ROOT, " %.1f,%.1f %.1f,%.1f", x(pt.t), y(prev.v), x(pt.t), y(pt.v)));
            }
            prev = pt;
        }
        p.append(String.format(java.util.Locale.ROOT, " %.1f,%.1f", x(tMax), y(prev.v)));
        return "<polyline class=\"" + cls + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"1.2\" points=\""
                + p + "\"/>\n";
    }

    private void axes(StringBuilder sb) {
        int x0 = LEFT, y0 = H - BOTTOM;
        sb.append(String.format(java.util.Locale.ROOT, "<g class=\"axes\" stroke=\"#333\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>%n", x0, y0, W - RIGHT, y0, x0, y0, x0, TOP));
        double spanMs = (tMax - tMin) / 1e6;
        for (int i = 0; i <= 5; i++) {
            long t = tMin + (tMax - tMin) * i / 5;
            double xx = x(t);
            sb.append(String.format(java.util.Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    xx, y0, xx, y0 + 5, xx, y0 + 20, ms(spanMs * i / 5)));
        }
        for (int i = 0; i <= 5; i++) {
            long v = Math.round(yMax * 1.05 * i / 5);
            double yy = y(v);
            sb.append(String.format(java.util.Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#333\"/>"
                    + "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n",
                    x0 - 5, yy, x0, yy, x0 + 1, yy, W - RIGHT, yy, x0 - 8, yy + 4, v));
        }
        sb.append(String.format(java.util.Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time (ms)</text>%n", (LEFT + W - RIGHT) / 2, H - 20));
        sb.append(String.format(java.util.Locale.ROOT, "<text x=\"20\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 20 %d)\">"
                + "relative sequence number (bytes)</text>%n", (TOP + H - BOTTOM) / 2, (TOP + H - BOTTOM) / 2));
    }

    private static String ms(double v) {
        return v >= 100 ? String.format(java.util.Locale.ROOT, "%.0f", v) : v >= 10 ? String.format(java.util.Locale.ROOT, "%.1f", v) : String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    private void legend(StringBuilder sb) {
        int x = LEFT + 12, y = TOP + 8;
        sb.append("<g class=\"legend\" font-size=\"11\">");
        sb.append(String.format(java.util.Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#1f3f8f\" stroke-width=\"2\"/>"
                + "<text x=\"%d\" y=\"%d\">data segment</text>", x, y, x + 18, y, x + 24, y + 4));
        y += 16;
        sb.append(String.format(java.util.Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c62828\" stroke-width=\"2\"/>"
                + "<text x=\"%d\" y=\"%d\">retransmission (R)</text>", x, y, x + 18, y, x + 24, y + 4));
        y += 16;
        sb.append(String.format(java.util.Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#2e7d32\" stroke-width=\"2\"/>"
                + "<text x=\"%d\" y=\"%d\">ACK</text>", x, y, x + 18, y, x + 24, y + 4));
        y += 16;
        sb.append(String.format(java.util.Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d4a000\" stroke-width=\"2\"/>"
                + "<text x=\"%d\" y=\"%d\">receive window (ACK + win)</text>", x, y, x + 18, y, x + 24, y + 4));
        sb.append("</g>\n");
    }
}
