package io.usertcp.net;

import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpConnection;
import io.usertcp.tcp.TcpEventListener;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.Seq;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpSegment;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Draws each TCP connection's life from the stack's state changes and the segments on the link,
 * either as one line per event ({@link UserTcp.Trace#SEGMENTS}) or as a ladder diagram per
 * connection when it ends ({@link UserTcp.Trace#LADDER}): usertcp on the left with the states the
 * engine reports, the peer on the right with states <em>inferred</em> from the segments (the
 * kernel's own states are not observable from here), and every segment with its real numbers.
 *
 * <p>Fed from the RX thread (inbound segments) and from the engine (outbound segments, state
 * changes, under the engine lock); {@code lock} here guards the per-connection records and is held
 * only for bookkeeping and printing.
 */
final class Ladder implements TcpEventListener, SegmentTap.Listener {

    static final int TIME_WIDTH = 12;
    private static final int STATE_WIDTH = 14;
    private static final int ARROW_WIDTH = 60;
    private static final int SNIPPET = 28;

    private final UserTcp.Trace mode;
    private final PrintStream out;
    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition quiet = lock.newCondition();
    private final Map<String, Conv> convs = new LinkedHashMap<>(); // guarded by lock; open conversations

    Ladder(UserTcp.Trace mode, PrintStream out, LongSupplier nanoClock) {
        this.mode = mode;
        this.out = out;
        this.nanoClock = nanoClock;
    }

    // ---------------------------------------------------------------- inputs

    @Override
    public void stateChanged(TcpConnection c, TcpState from, TcpState to, TcpSegment cause) {
        ConnectionKey k = c.key();
        if (k == null) {
            return;
        }
        localState(k.localIp(), k.localPort(), k.remoteIp(), k.remotePort(), from, to);
    }

    /** A state change of our side of the connection local → remote. */
    void localState(int localIp, int localPort, int remoteIp, int remotePort, TcpState from, TcpState to) {
        lock.lock();
        try {
            String key = key(localIp, localPort, remoteIp, remotePort);
            Conv cv = convs.get(key);
            if (cv == null) {
                if (to == TcpState.CLOSED || to == TcpState.LISTEN) {
                    return; // a listener, or a connection we never saw
                }
                cv = open(key, localIp, localPort, remoteIp, remotePort, from);
            }
            if (mode == UserTcp.Trace.SEGMENTS) {
                out.println("usertcp " + cv.title + "  " + from + " -> " + to);
            }
            cv.add(Row.left(to.toString()));
            cv.localState = to;
            if (to == TcpState.CLOSED) {
                finish(key, cv);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void segment(boolean outbound, int srcIp, int dstIp, TcpSegment seg) {
        lock.lock();
        try {
            int localIp = outbound ? srcIp : dstIp;
            int remoteIp = outbound ? dstIp : srcIp;
            int localPort = outbound ? seg.srcPort() : seg.dstPort();
            int remotePort = outbound ? seg.dstPort() : seg.srcPort();
            String key = key(localIp, localPort, remoteIp, remotePort);
            Conv cv = convs.get(key);
            if (cv == null) {
                cv = open(key, localIp, localPort, remoteIp, remotePort,
                        outbound || !seg.syn() || seg.hasAck() ? TcpState.CLOSED : TcpState.LISTEN);
            }
            String label = label(seg);
            if (mode == UserTcp.Trace.SEGMENTS) {
                out.println("usertcp " + cv.title + "  " + (outbound ? "-> " : "<- ") + label);
            }
            if (outbound) {
                cv.add(Row.arrow(true, label));
                cv.peerReceives(seg);
            } else {
                cv.peerSends(seg);
                cv.add(Row.arrow(false, label));
            }
        } finally {
            lock.unlock();
        }
    }

    private Conv open(String key, int localIp, int localPort, int remoteIp, int remotePort, TcpState localFrom) {
        Conv cv = new Conv(ip(localIp) + ":" + localPort, ip(remoteIp) + ":" + remotePort, nanoClock);
        cv.add(Row.left(localFrom.toString()));
        // Before anything is seen, the peer is LISTEN when we open actively, else CLOSED.
        cv.peer = localFrom == TcpState.LISTEN ? "CLOSED" : "LISTEN";
        cv.rows.get(0).right = cv.peer;
        convs.put(key, cv);
        return cv;
    }

    private void finish(String key, Conv cv) {
        convs.remove(key);
        if (mode == UserTcp.Trace.LADDER) {
            out.print(cv.render(false));
            out.flush();
        }
        quiet.signalAll();
    }

    // ---------------------------------------------------------------- end of run

    /** Waits until no traced connection is open any more, or {@code max} passes. */
    void awaitQuiet(Duration max) {
        if (mode != UserTcp.Trace.LADDER) {
            return; // nothing is drawn at the end
        }
        long nanos = max.toNanos();
        lock.lock();
        try {
            while (!convs.isEmpty() && nanos > 0) {
                nanos = quiet.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Draws (LADDER mode) every connection still open, marked unfinished, and forgets them. */
    void flush() {
        lock.lock();
        try {
            if (mode == UserTcp.Trace.LADDER) {
                for (Conv cv : convs.values()) {
                    out.print(cv.render(true));
                }
                out.flush();
            }
            convs.clear();
            quiet.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- one connection

    /** One row of the diagram: a local state, an arrow, a peer state; any may be empty. */
    static final class Row {
        long at; // nanos of the row's first event
        String left;
        String label;
        boolean outbound;
        String right;

        static Row left(String s) {
            Row r = new Row();
            r.left = s;
            return r;
        }

        static Row arrow(boolean outbound, String label) {
            Row r = new Row();
            r.label = label;
            r.outbound = outbound;
            return r;
        }

        static Row right(String s) {
            Row r = new Row();
            r.right = s;
            return r;
        }
    }

    /** The record of one connection, plus the peer's inferred state machine. */
    static final class Conv {
        final String local;
        final String remote;
        final String title;
        final List<Row> rows = new ArrayList<>();
        final LongSupplier clock;
        TcpState localState;
        String peer;
        int segments;
        long dataBytes;
        // inference state
        boolean peerFinSent;
        int peerFinSeq;
        boolean ourFinSent;
        int ourFinSeq;

        Conv(String local, String remote, LongSupplier clock) {
            this.local = local;
            this.remote = remote;
            this.title = local + " <-> " + remote;
            this.clock = clock;
        }

        /** Appends, merging into the last row where the order of events allows (see class comment). */
        void add(Row r) {
            Row last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
            if (last != null) {
                if (r.left != null && last.left == null && last.label == null && last.right == null) {
                    last.left = r.left;
                    return;
                }
                if (r.label != null && last.label == null && last.right == null) {
                    last.label = r.label;
                    last.outbound = r.outbound;
                    return;
                }
                if (r.right != null && last.right == null && (last.label == null || last.outbound)) {
                    last.right = r.right;
                    return;
                }
            }
            r.at = clock.getAsLong();
            rows.add(r);
        }

        private void peerState(String s) {
            if (!s.equals(peer)) {
                peer = s;
                add(Row.right(s));
            }
        }

        /** We sent {@code seg}; infer what it does to the peer when it arrives. */
        void peerReceives(TcpSegment seg) {
            count(seg);
            if (seg.fin()) {
                ourFinSent = true;
                ourFinSeq = seg.seq() + seg.payloadLength();
            }
            if (seg.rst()) {
                peerState("CLOSED");
                return;
            }
            if (seg.syn() && !seg.hasAck()) {
                peerState("SYN-RECEIVED");
                return;
            }
            boolean acksPeerFin = peerFinSent && seg.hasAck() && Seq.gt(seg.ack(), peerFinSeq);
            switch (peer) {
                case "SYN-SENT":
                    if (seg.syn() && seg.hasAck()) {
                        peerState("ESTABLISHED");
                    }
                    break;
                case "SYN-RECEIVED":
                    if (seg.hasAck()) {
                        peerState(seg.fin() ? "CLOSE-WAIT" : "ESTABLISHED");
                    }
                    break;
                case "ESTABLISHED":
                    if (seg.fin()) {
                        peerState("CLOSE-WAIT");
                    }
                    break;
                case "FIN-WAIT-1":
                    if (seg.fin()) {
                        peerState(acksPeerFin ? "TIME-WAIT" : "CLOSING");
                    } else if (acksPeerFin) {
                        peerState("FIN-WAIT-2");
                    }
                    break;
                case "FIN-WAIT-2":
                    if (seg.fin()) {
                        peerState("TIME-WAIT");
                    }
                    break;
                case "CLOSING":
                    if (acksPeerFin) {
                        peerState("TIME-WAIT");
                    }
                    break;
                case "LAST-ACK":
                    if (acksPeerFin) {
                        peerState("CLOSED");
                    }
                    break;
                default:
                    break;
            }
        }

        /** The peer sent {@code seg}; infer the state it moved to by sending it. */
        void peerSends(TcpSegment seg) {
            count(seg);
            if (seg.rst()) {
                peerState("CLOSED");
                return;
            }
            if (seg.syn() && !seg.hasAck()) {
                peerState("SYN-SENT");
                return;
            }
            if (seg.fin() && !peerFinSent) {
                peerFinSent = true;
                peerFinSeq = seg.seq() + seg.payloadLength();
                if ("ESTABLISHED".equals(peer) || "SYN-RECEIVED".equals(peer)) {
                    peerState("FIN-WAIT-1");
                } else if ("CLOSE-WAIT".equals(peer)) {
                    peerState("LAST-ACK");
                }
            }
        }

        private void count(TcpSegment seg) {
            segments++;
            dataBytes += seg.payloadLength();
        }

        String render(boolean unfinished) {
            StringBuilder sb = new StringBuilder();
            sb.append('\n').append("TCP connection ").append(title).append(": ").append(segments)
                    .append(" segments, ").append(dataBytes).append(" data bytes")
                    .append(unfinished ? " (still open when the trace ended)" : "").append('\n');
            String leftHead = "usertcp " + local;
            String rightHead = "peer " + remote;
            sb.append(pad("time", TIME_WIDTH)).append(pad(leftHead, STATE_WIDTH + ARROW_WIDTH + 2))
                    .append(rightHead).append('\n');
            sb.append(" ".repeat(TIME_WIDTH)).append(pad("(states from the stack)", STATE_WIDTH + ARROW_WIDTH + 2))
                    .append("(states inferred from segments)").append('\n');
            long start = rows.isEmpty() ? 0 : rows.get(0).at;
            for (Row r : rows) {
                StringBuilder line = new StringBuilder();
                line.append(pad(String.format(Locale.ROOT, "%8.1f ms", (r.at - start) / 1e6), TIME_WIDTH));
                line.append(pad(r.left == null ? "" : r.left, STATE_WIDTH)).append(' ');
                line.append(r.label == null ? " ".repeat(ARROW_WIDTH) : arrow(r.label, r.outbound));
                line.append(' ');
                if (r.right != null) {
                    line.append(r.right);
                }
                sb.append(stripTrailing(line)).append('\n');
            }
            if ("TIME-WAIT".equals(peer)) {
                sb.append(" ".repeat(TIME_WIDTH + STATE_WIDTH + ARROW_WIDTH + 2)).append("(CLOSED after 2*MSL)")
                        .append('\n');
            }
            return sb.toString();
        }
    }

    // ---------------------------------------------------------------- formatting

    /** {@code SYN seq=X <mss 1460>}, {@code ACK seq=X ack=Y}, {@code PSH,ACK seq=X ack=Y len=N "GET / …"}. */
    static String label(TcpSegment seg) {
        StringBuilder sb = new StringBuilder(48);
        sb.append(TcpHeader.flagsToString(seg.flags())).append(" seq=").append(Integer.toUnsignedString(seg.seq()));
        if (seg.hasAck()) {
            sb.append(" ack=").append(Integer.toUnsignedString(seg.ack()));
        }
        int len = seg.payloadLength();
        if (len > 0) {
            sb.append(" len=").append(len);
            sb.append(' ').append(snippet(seg.payload()));
        }
        if (seg.syn() && seg.options().mss() >= 0) {
            sb.append(" <mss ").append(seg.options().mss()).append('>');
        }
        return sb.toString();
    }

    /** The payload's first line, printable ASCII only, quoted and cut. */
    static String snippet(ByteBuffer payload) {
        StringBuilder sb = new StringBuilder("\"");
        int n = Math.min(payload.remaining(), 200);
        int base = payload.position();
        int shown = 0;
        for (int i = 0; i < n && shown < SNIPPET; i++) {
            int b = payload.get(base + i) & 0xFF;
            if (b == '\r' || b == '\n') {
                break;
            }
            sb.append(b >= 0x20 && b < 0x7F ? (char) b : '.');
            shown++;
        }
        if (shown >= SNIPPET || (n > shown && payload.get(base + shown) != '\r' && payload.get(base + shown) != '\n')) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }

    static String arrow(String label, boolean rightwards) {
        String body = " " + label + " ";
        int dashes = Math.max(4, ARROW_WIDTH - body.length() - 1);
        int before = 2;
        int after = dashes - before;
        return rightwards
                ? "-".repeat(before) + body + "-".repeat(after) + ">"
                : "<" + "-".repeat(before) + body + "-".repeat(after);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String stripTrailing(StringBuilder sb) {
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        return sb.substring(0, end);
    }

    private static String key(int localIp, int localPort, int remoteIp, int remotePort) {
        return localIp + ":" + localPort + ":" + remoteIp + ":" + remotePort;
    }

    static String ip(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }
}
