package io.usertcp.observe;

import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.Seq;
import io.usertcp.wire.TcpHeader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ladder diagram of one connection, the one the textbooks draw, with real numbers: the traced
 * side on the left, the peer on the right, time flowing down, one arrow per segment labelled with
 * its flags, {@code (seq,ack)} in the textbook's symbols (X = the initiator's ISN, Y = the
 * responder's), length, window and options; retransmissions marked; the states of both sides
 * beside the arrows. When the recorder holds both ends (loopback, or two stacks traced by one
 * recorder) both columns show the states the stacks reported and a segment sent but never received
 * is drawn lost; otherwise the peer's states are inferred from the segments. Rendered as
 * {@link #text()} or {@link #svg()}.
 */
public final class LadderDiagram {

    private static final int TIME_WIDTH = 11;
    private static final int STATE_WIDTH = 13;
    private static final int ARROW_WIDTH = 66;

    /** One row: a state on either side and/or one arrow. */
    static final class Row {
        String left;
        String right;
        String label;
        boolean rightwards;
        boolean retransmission;
        boolean lost;
        long time = -1;

        boolean hasArrow() {
            return label != null;
        }

        String side(boolean right) {
            return right ? this.right : left;
        }

        void side(boolean right, String s) {
            if (right) {
                this.right = s;
            } else {
                left = s;
            }
        }
    }

    private final String leftName;
    private final String rightName;
    private final boolean peerTraced;
    private final String legend;
    private final List<Row> rows = new ArrayList<>();
    private final long t0;
    private int segments;
    private long dataBytes;
    private int retransmissions;
    private int lost;

    // layout state while building
    private final Row[] receivedIn = new Row[2]; // [0] left side, [1] right side: row of the arrow it just received

    /** The diagram of {@code key} from {@code recorder} (with the peer's events when it holds them). */
    public static LadderDiagram of(TraceRecorder recorder, ConnectionKey key) {
        return of(recorder.events(key), recorder.events(Format.reverse(key)));
    }

    /**
     * The diagram from one side's events and, if known, the peer's (empty list otherwise). The
     * events' keys name the sides.
     */
    public static LadderDiagram of(List<TraceEvent> local, List<TraceEvent> peer) {
        if (local.isEmpty()) {
            throw new IllegalArgumentException("no events");
        }
        return new LadderDiagram(local, peer == null ? List.of() : peer);
    }

    private LadderDiagram(List<TraceEvent> local, List<TraceEvent> peer) {
        ConnectionKey key = local.get(0).key();
        this.leftName = Format.endpoint(key.localIp(), key.localPort());
        this.rightName = Format.endpoint(key.remoteIp(), key.remotePort());
        this.peerTraced = !peer.isEmpty();
        this.t0 = Math.min(local.get(0).timeNanos(), peerTraced ? peer.get(0).timeNanos() : Long.MAX_VALUE);

        // ISNs and who opened: from the SYN without ACK when seen.
        boolean leftInitiates = true;
        long leftIsn = -1, rightIsn = -1;
        for (TraceEvent e : local) {
            if (!e.isSegment()) {
                continue;
            }
            boolean out = e.kind() == TraceEvent.Kind.OUT;
            long isn = Integer.toUnsignedLong((int) (e.seq() - e.relSeq()));
            if (out && leftIsn < 0) {
                leftIsn = isn;
            } else if (!out && rightIsn < 0) {
                rightIsn = isn;
            }
            if (e.has(TcpHeader.FLAG_SYN) && !e.has(TcpHeader.FLAG_ACK)) {
                leftInitiates = out;
            }
        }
        for (TraceEvent e : peer) {
            if (e.kind() == TraceEvent.Kind.OUT && rightIsn < 0) {
                rightIsn = Integer.toUnsignedLong((int) (e.seq() - e.relSeq()));
            }
        }
        String leftSym = leftInitiates ? "X" : "Y";
        String rightSym = leftInitiates ? "Y" : "X";
        this.legend = (leftInitiates ? "X" : "Y") + " = " + (leftIsn < 0 ? "?" : leftIsn) + " (ISN of " + leftName + "), "
                + (leftInitiates ? "Y" : "X") + " = " + (rightIsn < 0 ? "?" : rightIsn) + " (ISN of " + rightName + ")";

        // Initial states.
        Row first = new Row();
        first.left = initialState(local, TcpState.CLOSED).toString();
        if (peerTraced) {
            first.right = initialState(peer, TcpState.CLOSED).toString();
        } else {
            first.right = leftInitiates ? "LISTEN" : "CLOSED";
        }
        rows.add(first);

        if (peerTraced) {
            buildBoth(local, peer, leftSym, rightSym);
        } else {
            buildInferred(local, leftSym, rightSym, first.right);
        }
    }

    /** The state before the first transition, skipping the CLOSED → LISTEN step of a listener's child. */
    private static TcpState initialState(List<TraceEvent> events, TcpState dflt) {
        for (TraceEvent e : events) {
            if (e.kind() == TraceEvent.Kind.STATE) {
                return e.from() == TcpState.CLOSED && e.to() == TcpState.LISTEN ? TcpState.LISTEN : e.from();
            }
        }
        return dflt;
    }

    private static boolean skipState(TraceEvent e) {
        return e.from() == TcpState.CLOSED && e.to() == TcpState.LISTEN;
    }

    private void buildBoth(List<TraceEvent> local, List<TraceEvent> peer, String leftSym, String rightSym) {
        List<TraceEvent> all = new ArrayList<>(local.size() + peer.size());
        all.addAll(local);
        all.addAll(peer);
        all.sort((a, b) -> Long.compare(a.order(), b.order()));
        ConnectionKey leftKey = local.get(0).key();
        // Match each arrival to the latest segment with the same header sent before it by the other
        // side and not matched yet (a retransmission arrives in place of a lost original); segments
        // sent and never matched were lost.
        Map<Long, Long> sentToArrival = new HashMap<>();
        List<TraceEvent> unmatched = new ArrayList<>();
        for (TraceEvent e : all) {
            if (e.kind() == TraceEvent.Kind.OUT) {
                unmatched.add(e);
            } else if (e.kind() == TraceEvent.Kind.IN) {
                for (int i = unmatched.size() - 1; i >= 0; i--) {
                    TraceEvent o = unmatched.get(i);
                    if (!o.key().equals(e.key()) && o.seq() == e.seq() && o.ack() == e.ack() && o.flags() == e.flags()
                            && o.length() == e.length() && o.window() == e.window()) {
                        sentToArrival.put(o.order(), e.order());
                        unmatched.remove(i);
                        break;
                    }
                }
            }
        }
        Map<Long, Row> arrivals = new HashMap<>();
        for (TraceEvent e : all) {
            boolean isLeft = e.key().equals(leftKey);
            switch (e.kind()) {
                case STATE -> {
                    if (!skipState(e)) {
                        addState(!isLeft, e.to().toString(), causedByArrival(e.from(), e.to()));
                    }
                }
                case OUT -> {
                    Row r = addArrow(isLeft, e, isLeft ? leftSym : rightSym, isLeft ? rightSym : leftSym);
                    Long arrival = sentToArrival.get(e.order());
                    if (arrival == null) {
                        r.lost = true;
                        lost++;
                    } else {
                        arrivals.put(arrival, r);
                    }
                    receivedIn[isLeft ? 0 : 1] = null;
                }
                case IN -> receivedIn[isLeft ? 0 : 1] = arrivals.get(e.order());
            }
        }
    }

    private void buildInferred(List<TraceEvent> local, String leftSym, String rightSym, String peerInitial) {
        PeerInference peer = new PeerInference(peerInitial);
        for (TraceEvent e : local) {
            switch (e.kind()) {
                case STATE -> {
                    if (!skipState(e)) {
                        addState(false, e.to().toString(), causedByArrival(e.from(), e.to()));
                    }
                }
                case OUT -> {
                    Row r = addArrow(true, e, leftSym, rightSym);
                    receivedIn[0] = null;
                    receivedIn[1] = r;
                    String s = peer.receives(e);
                    if (s != null) {
                        addState(true, s, true);
                    }
                }
                case IN -> {
                    String s = peer.sends(e);
                    receivedIn[1] = null;
                    if (s != null) {
                        addState(true, s, true);
                    }
                    Row r = addArrow(false, e, rightSym, leftSym);
                    receivedIn[0] = r;
                }
            }
        }
    }

    /**
     * Whether a segment's arrival can make this transition (RFC 9293 §3.3.2 figure 5), as opposed to
     * the application (connect, close) or a timer (TIME-WAIT's end): only then is the state drawn
     * beside the arrow that just arrived; otherwise on its own row, or beside what it sends next.
     */
    static boolean causedByArrival(TcpState from, TcpState to) {
        return switch (to) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_2, CLOSING, TIME_WAIT, SYN_RECEIVED -> true;
            case CLOSED -> from != TcpState.TIME_WAIT; // the last ACK, or a RST; TIME-WAIT ends by its timer
            default -> false; // SYN-SENT, FIN-WAIT-1, LAST-ACK, LISTEN: the application's doing
        };
    }

    private void addState(boolean right, String s, boolean byArrival) {
        Row last = rows.get(rows.size() - 1);
        Row recv = byArrival ? receivedIn[right ? 1 : 0] : null;
        if (recv != null && recv.side(right) == null) {
            recv.side(right, s); // the state the arrival of that segment caused
        } else if (!last.hasArrow() && last.side(right) == null) {
            last.side(right, s);
        } else {
            Row r = new Row();
            r.side(right, s);
            rows.add(r);
        }
        receivedIn[right ? 1 : 0] = null;
    }

    private Row addArrow(boolean rightwards, TraceEvent e, String senderSym, String receiverSym) {
        Row last = rows.get(rows.size() - 1);
        Row r;
        // Share the row of a state the sender just entered (SYN-SENT beside its SYN).
        if (!last.hasArrow() && last.side(rightwards) == null && rows.size() > 1) {
            r = last;
        } else {
            r = new Row();
            rows.add(r);
        }
        r.label = label(e, senderSym, receiverSym);
        r.rightwards = rightwards;
        r.retransmission = e.retransmission();
        r.time = e.timeNanos();
        segments++;
        dataBytes += e.length();
        if (e.retransmission()) {
            retransmissions++;
        }
        return r;
    }

    /** {@code PSH,ACK (X+1,Y+1) len=5 win=65535}. */
    static String label(TraceEvent e, String senderSym, String receiverSym) {
        StringBuilder sb = new StringBuilder(48);
        sb.append(TcpHeader.flagsToString(e.flags())).append(" (").append(sym(senderSym, e.relSeq())).append(',')
                .append(e.has(TcpHeader.FLAG_ACK) ? sym(receiverSym, e.relAck()) : "0").append(')');
        if (e.length() > 0) {
            sb.append(" len=").append(e.length());
        }
        sb.append(" win=").append(e.window());
        if (!e.options().isEmpty()) {
            sb.append(' ').append(e.options());
        }
        if (e.retransmission()) {
            sb.append(" RETRANSMISSION");
        }
        return sb.toString();
    }

    private static String sym(String base, long rel) {
        return rel == 0 ? base : base + "+" + rel;
    }

    // ------------------------------------------------------------------ accessors

    /** Segments drawn. */
    public int segments() {
        return segments;
    }

    /** Retransmitted segments drawn. */
    public int retransmissions() {
        return retransmissions;
    }

    /** Segments sent and never received (known only when both sides were traced). */
    public int lostSegments() {
        return lost;
    }

    /** The ISN legend: {@code X = 123 (ISN of a:1), Y = 456 (ISN of b:2)}. */
    public String legend() {
        return legend;
    }

    // ------------------------------------------------------------------ text

    /** The diagram as text (one line per row, ASCII only). */
    public String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("TCP ").append(leftName).append(" <-> ").append(rightName).append(": ").append(segments)
                .append(" segments, ").append(dataBytes).append(" data bytes");
        if (retransmissions > 0) {
            sb.append(", ").append(retransmissions).append(" retransmitted");
        }
        if (lost > 0) {
            sb.append(", ").append(lost).append(" lost");
        }
        sb.append('\n').append(legend).append('\n');
        int arrowStart = TIME_WIDTH + STATE_WIDTH + 1;
        sb.append(pad(pad("time (ms)", TIME_WIDTH) + leftName, arrowStart + ARROW_WIDTH + 1)).append(rightName).append('\n');
        sb.append(pad(" ".repeat(TIME_WIDTH) + "(stack)", arrowStart + ARROW_WIDTH + 1))
                .append(peerTraced ? "(stack)" : "(inferred from segments)").append('\n');
        for (Row r : rows) {
            StringBuilder line = new StringBuilder();
            line.append(pad(r.time < 0 ? "" : String.format(java.util.Locale.ROOT, "%9.3f", (r.time - t0) / 1e6), TIME_WIDTH));
            line.append(pad(r.left == null ? "" : r.left, STATE_WIDTH)).append(' ');
            line.append(r.hasArrow() ? arrow(r) : " ".repeat(ARROW_WIDTH));
            line.append(' ');
            if (r.right != null) {
                line.append(r.right);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    private static String arrow(Row r) {
        String body = " " + r.label + " ";
        int dashes = Math.max(6, ARROW_WIDTH - body.length() - 1);
        int before = 2;
        int after = dashes - before;
        if (r.lost) {
            // the segment dies on the way: the arrow stops short with an X
            String line = "-".repeat(before) + body + "-".repeat(Math.max(1, after / 2)) + "X";
            return r.rightwards ? pad(line, ARROW_WIDTH) : leftPad("X" + "-".repeat(Math.max(1, after / 2)) + body
                    + "-".repeat(before), ARROW_WIDTH);
        }
        return r.rightwards
                ? "-".repeat(before) + body + "-".repeat(after) + ">"
                : "<" + "-".repeat(after) + body + "-".repeat(before);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String leftPad(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    // ------------------------------------------------------------------ SVG

    /** The diagram as a standalone SVG document. */
    public String svg() {
        int rowH = 36;
        int top = 96;
        int xTime = 12, xL = 190, xR = 790, width = 960;
        int height = top + rows.size() * rowH + 30;
        StringBuilder sb = new StringBuilder(rows.size() * 300 + 2000);
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"monospace\" font-size=\"12\">\n");
        sb.append("<title>").append(Format.xml("TCP ladder " + leftName + " <-> " + rightName)).append("</title>\n");
        sb.append("<defs><marker id=\"head\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\">"
                + "<path d=\"M0,0 L10,4 L0,8 z\" fill=\"context-stroke\"/></marker>"
                + "<marker id=\"headBlue\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\">"
                + "<path d=\"M0,0 L10,4 L0,8 z\" fill=\"#1f4e9a\"/></marker>"
                + "<marker id=\"headRed\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\">"
                + "<path d=\"M0,0 L10,4 L0,8 z\" fill=\"#c62828\"/></marker></defs>\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(sb, width / 2, 20, "middle", "bold", "TCP " + leftName + " \u2194 " + rightName, null);
        text(sb, width / 2, 38, "middle", null, legend, null);
        text(sb, xL, 62, "middle", "bold", leftName, null);
        text(sb, xR, 62, "middle", "bold", rightName, null);
        text(sb, xL, 78, "middle", null, "(states from the stack)", "#555");
        text(sb, xR, 78, "middle", null, peerTraced ? "(states from the stack)" : "(states inferred)", "#555");
        text(sb, xTime, 78, "start", null, "ms", "#555");
        sb.append("<line class=\"timeline\" x1=\"").append(xL).append("\" y1=\"").append(top - 8).append("\" x2=\"")
                .append(xL).append("\" y2=\"").append(height - 10).append("\" stroke=\"#333\" stroke-width=\"2\"/>\n");
        sb.append("<line class=\"timeline\" x1=\"").append(xR).append("\" y1=\"").append(top - 8).append("\" x2=\"")
                .append(xR).append("\" y2=\"").append(height - 10).append("\" stroke=\"#333\" stroke-width=\"2\"/>\n");
        int y = top;
        for (Row r : rows) {
            // a state beside an arrow: at its head when the arrival caused it, else at its tail
            if (r.left != null) {
                stateBox(sb, xL - 8, (r.hasArrow() && !r.rightwards ? y + rowH - 8 : y) + 4, "end", r.left);
            }
            if (r.right != null) {
                stateBox(sb, xR + 8, (r.hasArrow() && r.rightwards ? y + rowH - 8 : y) + 4, "start", r.right);
            }
            if (r.hasArrow()) {
                text(sb, xTime, y + 12, "start", null, String.format(java.util.Locale.ROOT, "%.3f", (r.time - t0) / 1e6), "#555");
                int x1 = r.rightwards ? xL : xR;
                int x2 = r.rightwards ? xR : xL;
                int y1 = y, y2 = y + rowH - 8;
                String color = r.retransmission ? "#c62828" : "#1f4e9a";
                String cls = "segment" + (r.retransmission ? " retransmission" : "") + (r.lost ? " lost" : "");
                if (r.lost) {
                    int xm = (x1 + x2) / 2 + (r.rightwards ? 120 : -120);
                    int ym = y1 + (y2 - y1) * Math.abs(xm - x1) / Math.abs(x2 - x1);
                    sb.append("<line class=\"").append(cls).append("\" x1=\"").append(x1).append("\" y1=\"").append(y1)
                            .append("\" x2=\"").append(xm).append("\" y2=\"").append(ym).append("\" stroke=\"")
                            .append(color).append("\" stroke-width=\"1.5\" stroke-dasharray=\"5,3\"/>\n");
                    text(sb, xm, ym + 6, "middle", "bold", "\u2715", "#c62828"); // lost here
                } else {
                    sb.append("<line class=\"").append(cls).append("\" x1=\"").append(x1).append("\" y1=\"").append(y1)
                            .append("\" x2=\"").append(x2).append("\" y2=\"").append(y2).append("\" stroke=\"")
                            .append(color).append("\" stroke-width=\"1.5\" marker-end=\"url(#")
                            .append(r.retransmission ? "headRed" : "headBlue").append(")\"/>\n");
                }
                // the label rides just above the arrow, turned with it
                int yLeft = r.rightwards ? y1 : y2, yRight = r.rightwards ? y2 : y1;
                double angle = Math.toDegrees(Math.atan2(yRight - yLeft, xR - xL));
                double cx = (xL + xR) / 2.0, cy = (yLeft + yRight) / 2.0 - 4;
                sb.append(String.format(java.util.Locale.ROOT, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" "
                        + "text-anchor=\"middle\" fill=\"%s\" transform=\"rotate(%.2f %.1f %.1f)\">", cx, cy, color,
                        angle, cx, cy)).append(Format.xml(r.label)).append("</text>\n");
            }
            y += rowH;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void stateBox(StringBuilder sb, int x, int y, String anchor, String state) {
        int w = state.length() * 8 + 10;
        int rx = anchor.equals("end") ? x - w + 4 : x - 4;
        sb.append("<rect class=\"state-box\" x=\"").append(rx).append("\" y=\"").append(y - 13).append("\" width=\"")
                .append(w).append("\" height=\"18\" rx=\"4\" fill=\"#fff3c4\" stroke=\"#b08800\"/>\n");
        sb.append("<text class=\"state\" x=\"").append(x).append("\" y=\"").append(y).append("\" text-anchor=\"")
                .append(anchor).append("\">").append(Format.xml(state)).append("</text>\n");
    }

    private static void text(StringBuilder sb, int x, int y, String anchor, String weight, String s, String fill) {
        sb.append("<text x=\"").append(x).append("\" y=\"").append(y).append("\" text-anchor=\"").append(anchor).append('"');
        if (weight != null) {
            sb.append(" font-weight=\"").append(weight).append('"');
        }
        if (fill != null) {
            sb.append(" fill=\"").append(fill).append('"');
        }
        sb.append('>').append(Format.xml(s)).append("</text>\n");
    }

    // ------------------------------------------------------------------ peer inference

    /** The peer's state machine as far as the segments on the wire reveal it (RFC 9293 §3.3.2 figure 5). */
    static final class PeerInference {
        private String state;
        private boolean peerFinSent;
        private int peerFinSeq;

        PeerInference(String initial) {
            this.state = initial;
        }

        /** We sent {@code e}; the peer's new state once it arrives, or null when unchanged. */
        String receives(TraceEvent e) {
            String next = state;
            boolean acksPeerFin = peerFinSent && e.has(TcpHeader.FLAG_ACK) && Seq.gt(e.ack(), peerFinSeq);
            if (e.has(TcpHeader.FLAG_RST)) {
                next = "CLOSED";
            } else if (e.has(TcpHeader.FLAG_SYN) && !e.has(TcpHeader.FLAG_ACK)) {
                next = "SYN-RECEIVED";
            } else {
                boolean fin = e.has(TcpHeader.FLAG_FIN);
                switch (state) {
                    case "SYN-SENT" -> next = e.has(TcpHeader.FLAG_SYN) ? "ESTABLISHED" : state;
                    case "SYN-RECEIVED" -> next = e.has(TcpHeader.FLAG_ACK) ? (fin ? "CLOSE-WAIT" : "ESTABLISHED") : state;
                    case "ESTABLISHED" -> next = fin ? "CLOSE-WAIT" : state;
                    case "FIN-WAIT-1" -> next = fin ? (acksPeerFin ? "TIME-WAIT" : "CLOSING") : acksPeerFin ? "FIN-WAIT-2" : state;
                    case "FIN-WAIT-2" -> next = fin ? "TIME-WAIT" : state;
                    case "CLOSING" -> next = acksPeerFin ? "TIME-WAIT" : state;
                    case "LAST-ACK" -> next = acksPeerFin ? "CLOSED" : state;
                    default -> { }
                }
            }
            return change(next);
        }

        /** The peer sent {@code e}: the state sending it implies, or null when unchanged. */
        String sends(TraceEvent e) {
            String next = state;
            if (e.has(TcpHeader.FLAG_RST)) {
                next = "CLOSED";
            } else if (e.has(TcpHeader.FLAG_SYN) && !e.has(TcpHeader.FLAG_ACK)) {
                next = "SYN-SENT";
            } else if (e.has(TcpHeader.FLAG_FIN) && !peerFinSent) {
                peerFinSent = true;
                peerFinSeq = e.seq() + e.length();
                if (state.equals("ESTABLISHED") || state.equals("SYN-RECEIVED")) {
                    next = "FIN-WAIT-1";
                } else if (state.equals("CLOSE-WAIT")) {
                    next = "LAST-ACK";
                }
            }
            return change(next);
        }

        private String change(String next) {
            if (next.equals(state)) {
                return null;
            }
            state = next;
            return next;
        }
    }
}
