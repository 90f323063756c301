package io.usertcp.tcp;

import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Packet-in/packet-out driver for one {@link TcpConnection} on virtual time (STYLE.md §8, after
 * smoltcp's socket tests and gVisor's checker). The test plays the remote peer: {@link #deliver}
 * hands it a segment, {@link #expect} asserts that exactly one segment came out and that it matches,
 * {@link #expectNothing} that none did. Sequence numbers in templates are relative: ours to our ISS
 * ({@link #LOCAL}), the peer's to its ISS ({@link #REMOTE}); failure messages print them the same way.
 */
final class TcpHarness {
    static final int LOCAL = 0;
    static final int REMOTE = 0;
    static final int LOCAL_IP = 0xC6120001;   // 198.18.0.1
    static final int REMOTE_IP = 0xC6120002;  // 198.18.0.2
    static final int LOCAL_PORT = 40000;
    static final int REMOTE_PORT = 80;
    static final int DEFAULT_REMOTE_ISS = 0x3000_0000;
    static final int MSS = 1460;
    static final long START = 1_000_000_000_000L; // virtual clock start (ns)

    final TcpConfig config;
    final ConnectionKey key = new ConnectionKey(LOCAL_IP, LOCAL_PORT, REMOTE_IP, REMOTE_PORT);
    IsnGenerator isn = new IsnGenerator(0x0123456789ABCDEFL, 0x0FEDCBA987654321L);
    final List<String> transitions = new ArrayList<>();
    final List<TcpSegment> outbox = new ArrayList<>();
    TcpConnection c;
    TcpListener listener;
    long now = START;
    int localIss;
    int remoteIss = DEFAULT_REMOTE_ISS;

    TcpHarness(TcpConfig config) {
        this.config = config;
    }

    // ------------------------------------------------------------------ fixtures (one per state)

    static TcpConfig testConfig() {
        return TcpConfig.DEFAULT;
    }

    /** A fresh active connection in CLOSED. */
    static TcpHarness closed() {
        return closed(testConfig());
    }

    static TcpHarness closed(TcpConfig config) {
        return closed(config, null);
    }

    /** With our ISN forced to {@code localIss} when not null (C2.16). */
    static TcpHarness closed(TcpConfig config, Integer localIss) {
        TcpHarness h = new TcpHarness(config);
        if (localIss != null) h.isn = new MemoryNet.FixedIsn(localIss);
        h.c = new TcpConnection(1, config, h.key, h::record, h.isn);
        return h;
    }

    /** connect() issued and the SYN taken off the wire. */
    static TcpHarness synSent() {
        return synSent(testConfig());
    }

    static TcpHarness synSent(TcpConfig config) {
        return synSent(config, null);
    }

    static TcpHarness synSent(TcpConfig config, Integer localIss) {
        TcpHarness h = closed(config, localIss);
        h.c.connect(h.now);
        h.localIss = h.c.info().sndUna();
        h.poll();
        h.expect(seg().syn().seq(LOCAL).mss(config.mss()));
        return h;
    }

    /** Active open completed: SYN, SYN-ACK (peer MSS 1460, window 65535), ACK. */
    static TcpHarness established() {
        return established(testConfig());
    }

    static TcpHarness established(TcpConfig config) {
        return established(config, DEFAULT_REMOTE_ISS, MSS, 65535);
    }

    static TcpHarness established(TcpConfig config, int remoteIss, int peerMss, int peerWindow) {
        return established(config, null, remoteIss, peerMss, peerWindow);
    }

    static TcpHarness established(TcpConfig config, Integer localIss, int remoteIss, int peerMss, int peerWindow) {
        TcpHarness h = synSent(config, localIss);
        h.remoteIss = remoteIss;
        h.deliver(seg().syn().ack(LOCAL + 1).seq(REMOTE).window(peerWindow).mss(peerMss));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 1));
        assertEquals(TcpState.ESTABLISHED, h.state());
        return h;
    }

    /** A listener on LOCAL_PORT with a child in SYN-RECEIVED whose SYN-ACK was taken off the wire. */
    static TcpHarness synReceived() {
        return synReceived(testConfig());
    }

    static TcpHarness synReceived(TcpConfig config) {
        TcpHarness h = new TcpHarness(config);
        h.listener = new TcpListener(config, LOCAL_PORT, 8, h::record, h.isn, new java.util.concurrent.atomic.AtomicLong(1)::getAndIncrement);
        h.c = h.listener.onSegment(h.build(seg().syn().seq(REMOTE).mss(MSS).window(65535)), h.key, h.now,
                (k, s) -> h.outbox.add(copy(s)));
        h.localIss = h.c.info().sndUna();
        h.poll();
        h.expect(seg().syn().ack(REMOTE + 1).seq(LOCAL).mss(config.mss()));
        assertEquals(TcpState.SYN_RECEIVED, h.state());
        return h;
    }

    /** Passive open completed (the child is in the listener's accept queue). */
    static TcpHarness establishedPassive() {
        TcpHarness h = synReceived();
        h.deliver(seg().ack(LOCAL + 1).seq(REMOTE + 1));
        h.expectNothing();
        assertEquals(TcpState.ESTABLISHED, h.state());
        return h;
    }

    /** close() from ESTABLISHED: our FIN (u = LOCAL + 1) is out. */
    static TcpHarness finWait1() {
        TcpHarness h = established();
        h.c.close(h.now);
        h.poll();
        h.expect(seg().ack().fin().seq(LOCAL + 1).ack(REMOTE + 1));
        assertEquals(TcpState.FIN_WAIT_1, h.state());
        return h;
    }

    static TcpHarness finWait2() {
        TcpHarness h = finWait1();
        h.deliver(seg().ack(LOCAL + 2).seq(REMOTE + 1));
        h.expectNothing();
        assertEquals(TcpState.FIN_WAIT_2, h.state());
        return h;
    }

    static TcpHarness timeWait() {
        TcpHarness h = finWait2();
        h.deliver(seg().ack(LOCAL + 2).fin().seq(REMOTE + 1));
        h.expect(seg().ack().seq(LOCAL + 2).ack(REMOTE + 2));
        assertEquals(TcpState.TIME_WAIT, h.state());
        return h;
    }

    static TcpHarness closeWait() {
        TcpHarness h = established();
        h.deliver(seg().ack(LOCAL + 1).fin().seq(REMOTE + 1));
        h.expect(seg().ack().seq(LOCAL + 1).ack(REMOTE + 2));
        assertEquals(TcpState.CLOSE_WAIT, h.state());
        return h;
    }

    static TcpHarness lastAck() {
        TcpHarness h = closeWait();
        h.c.close(h.now);
        h.poll();
        h.expect(seg().ack().fin().seq(LOCAL + 1).ack(REMOTE + 2));
        assertEquals(TcpState.LAST_ACK, h.state());
        return h;
    }

    // ------------------------------------------------------------------ driving

    private void record(TcpConnection conn, TcpState from, TcpState to, TcpSegment cause) {
        transitions.add(from + "->" + to);
    }

    TcpState state() {
        return c.state();
    }

    /** Hands the connection one segment from the peer, then collects what it sends. */
    TcpHarness deliver(Seg s) {
        c.onSegment(build(s), now);
        poll();
        return this;
    }

    /** Collects what the connection sends now (after an application call). */
    TcpHarness poll() {
        c.poll(now, (from, seg) -> outbox.add(copy(seg)));
        return this;
    }

    /** Moves virtual time forward, firing every timer on the way (and collecting output). */
    TcpHarness advance(Duration d) {
        long target = now + d.toNanos();
        for (int guard = 0; guard < 100_000; guard++) {
            long next = c.nextDeadline();
            if (next > target) break;
            now = Math.max(now, next);
            c.onTimer(now);
            poll();
        }
        now = target;
        poll();
        return this;
    }

    /** Time until the next timer fires. */
    Duration untilNextDeadline() {
        return Duration.ofNanos(c.nextDeadline() - now);
    }

    TcpSegment build(Seg s) {
        int flags = s.flags;
        int seq = s.seqAbsolute != null ? s.seqAbsolute : remoteIss + s.seq;
        int ack = (flags & TcpHeader.FLAG_ACK) != 0 ? localIss + s.ack : 0;
        ByteBuffer payload = s.payload == null ? ByteBuffer.allocate(0) : ByteBuffer.wrap(s.payload.clone());
        TcpOptions opts = s.options != null ? s.options : TcpOptions.NONE;
        if (s.mss != null) opts = opts.withMss(s.mss);
        return new TcpSegment(REMOTE_PORT, LOCAL_PORT, seq, ack, flags, s.window == null ? 65535 : s.window,
                s.urgent == null ? 0 : s.urgent, opts, payload);
    }

    static TcpSegment copy(TcpSegment s) {
        ByteBuffer p = s.payload();
        byte[] b = new byte[p.remaining()];
        p.duplicate().get(b);
        return new TcpSegment(s.srcPort(), s.dstPort(), s.seq(), s.ack(), s.flags(), s.window(), s.urgentPointer(),
                s.options(), ByteBuffer.wrap(b));
    }

    /** Removes and returns everything sent so far. */
    List<TcpSegment> drain() {
        List<TcpSegment> l = new ArrayList<>(outbox);
        outbox.clear();
        return l;
    }

    /** Asserts exactly one segment was sent and that it matches; returns it. */
    TcpSegment expect(Seg want) {
        if (outbox.size() != 1) {
            fail("want exactly one segment " + describe(want) + ", got " + outbox.size() + ": " + describeAll(outbox));
        }
        TcpSegment got = outbox.remove(0);
        check(got, want);
        return got;
    }

    /** Asserts the next segment (of possibly several) matches; returns it. */
    TcpSegment expectNext(Seg want) {
        if (outbox.isEmpty()) fail("want " + describe(want) + ", got nothing");
        TcpSegment got = outbox.remove(0);
        check(got, want);
        return got;
    }

    void expectNothing() {
        if (!outbox.isEmpty()) fail("want nothing, got " + describeAll(outbox));
    }

    private void check(TcpSegment got, Seg want) {
        List<String> bad = new ArrayList<>();
        if (got.srcPort() != LOCAL_PORT || got.dstPort() != REMOTE_PORT) bad.add("ports");
        if (got.flags() != want.flags) bad.add("flags");
        if (got.seq() != localIss + want.seq && want.seqAbsolute == null) bad.add("seq");
        if (want.seqAbsolute != null && got.seq() != want.seqAbsolute) bad.add("seq");
        if ((want.flags & TcpHeader.FLAG_ACK) != 0 && got.ack() != remoteIss + want.ack) bad.add("ack");
        if (want.window != null && got.window() != want.window) bad.add("window");
        if (want.mss != null && got.options().mss() != want.mss) bad.add("mss");
        if (want.mss == null && want.checkNoOptions && !got.options().isEmpty()) bad.add("options");
        if (want.urgent != null && got.urgentPointer() != want.urgent) bad.add("urgent");
        if (want.payload != null) {
            byte[] b = new byte[got.payloadLength()];
            got.payload().duplicate().get(b);
            if (!java.util.Arrays.equals(b, want.payload)) bad.add("payload");
        } else if (want.len != null && got.payloadLength() != want.len) {
            bad.add("len");
        } else if (want.len == null && want.payload == null && got.payloadLength() != 0) {
            bad.add("len");
        }
        if (!bad.isEmpty()) {
            fail("segment mismatch in " + bad + "\n  got:  " + describe(got) + "\n  want: " + describe(want));
        }
    }

    String describe(TcpSegment s) {
        return flagNames(s.flags()) + " seq=" + (s.seq() - localIss) + " ack=" + ((s.flags() & TcpHeader.FLAG_ACK) != 0
                ? String.valueOf(s.ack() - remoteIss) : "-") + " win=" + s.window() + " len=" + s.payloadLength()
                + (s.options().mss() >= 0 ? " <mss " + s.options().mss() + ">" : "")
                + ((s.flags() & TcpHeader.FLAG_URG) != 0 ? " up=" + s.urgentPointer() : "");
    }

    String describeAll(List<TcpSegment> l) {
        StringBuilder sb = new StringBuilder("[");
        for (TcpSegment s : l) sb.append("\n    ").append(describe(s));
        return sb.append("]").toString();
    }

    static String describe(Seg s) {
        return flagNames(s.flags) + " seq=" + (s.seqAbsolute != null ? "abs:" + Integer.toUnsignedString(s.seqAbsolute) : s.seq)
                + " ack=" + ((s.flags & TcpHeader.FLAG_ACK) != 0 ? String.valueOf(s.ack) : "-")
                + " win=" + (s.window == null ? "*" : s.window)
                + " len=" + (s.payload != null ? s.payload.length : s.len == null ? 0 : s.len)
                + (s.mss != null ? " <mss " + s.mss + ">" : "");
    }

    static String flagNames(int f) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
        int[] order = {1, 2, 3, 0, 4, 5, 6, 7}; // SYN,RST,PSH,FIN,ACK… reads like tcpdump-ish
        for (int i : order) {
            if ((f & (1 << i)) != 0) {
                if (sb.length() > 0) sb.append(',');
                sb.append(names[i]);
            }
        }
        return sb.length() == 0 ? "<none>" : sb.toString();
    }

    // ------------------------------------------------------------------ application side

    int write(String s) {
        return write(s.getBytes(StandardCharsets.US_ASCII));
    }

    int write(byte[] b) {
        int n = c.write(b, 0, b.length, now);
        poll();
        return n;
    }

    String read(int max) {
        byte[] b = new byte[max];
        int n = c.read(b, 0, max, now);
        poll();
        return n <= 0 ? (n == 0 ? "" : null) : new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    void close() {
        c.close(now);
        poll();
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (seed + i * 7);
        return b;
    }

    // ------------------------------------------------------------------ segment templates

    static Seg seg() {
        return new Seg();
    }

    /** A segment template; flags accumulate; sequence numbers are relative (see class doc). */
    static final class Seg {
        int flags;
        int seq;
        Integer seqAbsolute;
        int ack;
        Integer window;
        Integer mss;
        Integer urgent;
        Integer len;
        byte[] payload;
        boolean checkNoOptions = true;
        TcpOptions options; // extra options of a delivered segment (window scale, timestamps, ...)

        Seg syn() { flags |= TcpHeader.FLAG_SYN; return this; }
        Seg fin() { flags |= TcpHeader.FLAG_FIN; return this; }
        Seg rst() { flags |= TcpHeader.FLAG_RST; return this; }
        Seg psh() { flags |= TcpHeader.FLAG_PSH; return this; }
        Seg urg(int pointer) { flags |= TcpHeader.FLAG_URG; urgent = pointer; return this; }
        Seg ack() { flags |= TcpHeader.FLAG_ACK; return this; }
        Seg ack(int rel) { flags |= TcpHeader.FLAG_ACK; ack = rel; return this; }
        Seg seq(int rel) { seq = rel; return this; }
        Seg seqAbsolute(int abs) { seqAbsolute = abs; return this; }
        Seg window(int w) { window = w; return this; }
        Seg mss(int m) { mss = m; return this; }
        Seg len(int n) { len = n; return this; }
        Seg payload(byte[] p) { payload = p; return this; }
        Seg payload(String s) { payload = s.getBytes(StandardCharsets.ISO_8859_1); return this; }
        Seg anyOptions() { checkNoOptions = false; return this; }
        /** Options for a delivered segment (an expected segment's options are checked by the test). */
        Seg options(TcpOptions o) { options = o; checkNoOptions = false; return this; }
    }
}
