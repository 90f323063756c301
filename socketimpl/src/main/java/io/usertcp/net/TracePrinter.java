package io.usertcp.net;

import io.usertcp.observe.LadderDiagram;
import io.usertcp.observe.TraceRecorder;
import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The agent's {@code trace=} option, drawn by the observability layer from the stack's one
 * {@link TraceRecorder} (the same recorder the MBean's {@code TraceEnabled} switches):
 * {@link UserTcp.Trace#SEGMENTS} prints each trace line as it happens
 * ({@link TraceRecorder#printTo}); {@link UserTcp.Trace#LADDER} prints a {@link LadderDiagram} per
 * connection when it is CLOSED (on the loopback, once both ends are: one diagram shows both), and,
 * when a directory is set, also writes it there as SVG. At exit {@link #flush} draws what is still
 * open, marked unfinished.
 *
 * <p>{@link #closed} runs on the stack's thread under its engine lock (it only reads the recorder);
 * {@code lock} here guards the set of drawn connections.
 */
final class TracePrinter {

    private final TraceRecorder recorder;
    private final UserTcp.Trace mode;
    private final PrintStream out;
    private final Path svgDir; // null: text only
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition quiet = lock.newCondition();
    private final Set<ConnectionKey> drawn = new HashSet<>(); // guarded by lock
    private boolean svgFailed; // guarded by lock

    TracePrinter(TraceRecorder recorder, UserTcp.Trace mode, PrintStream out, Path svgDir) {
        this.recorder = recorder;
        this.mode = mode;
        this.out = out;
        this.svgDir = svgDir;
        if (mode == UserTcp.Trace.SEGMENTS) {
            recorder.printTo(out);
        } else if (mode == UserTcp.Trace.LADDER) {
            recorder.onClosed(this::closed);
        }
    }

    /** A connection reached CLOSED: draw it, unless its other end (loopback) is still open. */
    void closed(ConnectionKey key) {
        ConnectionKey peer = reverse(key);
        boolean peerTraced = !recorder.events(peer).isEmpty();
        if (peerTraced && recorder.state(peer) != TcpState.CLOSED) {
            return; // drawn when the other end closes, with both columns whole
        }
        // the left column is the end that was traced first (the one that connected)
        List<ConnectionKey> all = recorder.connections();
        ConnectionKey left = peerTraced && all.indexOf(peer) >= 0 && all.indexOf(peer) < all.indexOf(key) ? peer : key;
        lock.lock();
        try {
            draw(left, false);
            quiet.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every traced connection is drawn (all CLOSED), or {@code max} passes. LADDER only. */
    void awaitQuiet(Duration max) {
        if (mode != UserTcp.Trace.LADDER) {
            return;
        }
        long deadline = System.nanoTime() + max.toNanos();
        lock.lock();
        try {
            long left;
            while (stillOpen() && (left = deadline - System.nanoTime()) > 0) {
                quiet.awaitNanos(Math.min(left, 50_000_000L)); // re-check now and then: a recorder may forget
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Draws (LADDER) every connection not drawn yet, marked unfinished. Stops the live lines. */
    void flush() {
        if (mode == UserTcp.Trace.SEGMENTS) {
            recorder.printTo(null);
            out.flush();
            return;
        }
        lock.lock();
        try {
            for (ConnectionKey k : undrawn()) {
                if (!drawn.contains(k)) {
                    draw(k, true);
                }
            }
            quiet.signalAll();
        } finally {
            lock.unlock();
        }
        recorder.onClosed(null);
    }

    /** Whether a traced connection has not reached CLOSED yet. */
    private boolean stillOpen() {
        for (ConnectionKey k : undrawn()) {
            TcpState s = recorder.state(k);
            if (s != null && s != TcpState.CLOSED) {
                return true;
            }
        }
        return false;
    }

    /** Connections recorded and not drawn (either end of a drawn pair counts as drawn). */
    private List<ConnectionKey> undrawn() {
        List<ConnectionKey> list = new ArrayList<>();
        for (ConnectionKey k : recorder.connections()) {
            if (!drawn.contains(k) && !recorder.events(k).isEmpty()) {
                list.add(k);
            }
        }
        return list;
    }

    private void draw(ConnectionKey left, boolean unfinished) {
        if (!drawn.add(left)) {
            return;
        }
        drawn.add(reverse(left));
        LadderDiagram d;
        try {
            d = LadderDiagram.of(recorder, left);
        } catch (IllegalArgumentException e) {
            return; // no events
        }
        StringBuilder sb = new StringBuilder().append('\n').append(d.text());
        if (unfinished) {
            sb.append("(still open when the trace ended)\n");
        }
        if (svgDir != null && !svgFailed) {
            Path file = svgDir.resolve("ladder-" + fileName(left) + ".svg");
            try {
                Files.createDirectories(svgDir);
                Files.writeString(file, d.svg(), StandardCharsets.UTF_8);
                sb.append("SVG: ").append(file).append('\n');
            } catch (IOException | RuntimeException e) {
                svgFailed = true;
                sb.append("usertcp: cannot write the SVG ladder ").append(file).append(": ").append(Agent.oneLine(e))
                        .append('\n');
            }
        }
        out.print(sb);
        out.flush();
    }

    /** {@code 198.18.0.2_40000-198.18.0.1_8080}. */
    static String fileName(ConnectionKey k) {
        return ip(k.localIp()) + "_" + k.localPort() + "-" + ip(k.remoteIp()) + "_" + k.remotePort();
    }

    private static String ip(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }

    private static ConnectionKey reverse(ConnectionKey k) {
        return new ConnectionKey(k.remoteIp(), k.remotePort(), k.localIp(), k.localPort());
    }
}
