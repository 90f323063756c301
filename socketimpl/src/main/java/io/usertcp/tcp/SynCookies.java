package io.usertcp.tcp;

import io.usertcp.wire.Seq;
import io.usertcp.wire.TcpOptions;

/**
 * SYN cookies (RFC 4987 §3.6): the listener answers a SYN with a SYN-ACK whose initial sequence
 * number encodes what it needs to rebuild the connection, and keeps no state; the peer's ACK, which
 * acknowledges ISN + 1, brings the state back. RFC 4987 §3.6: "SYN cookies ... [allow] the server to
 * avoid ... keeping state for half-open connections ... by encoding [it] in the ISN of the SYN-ACK".
 * Pure and immutable (thread-safe): time is passed in.
 *
 * <p><b>The cookie</b> (32 bits, our own layout after Bernstein's idea and Linux's choices):
 * <pre>
 *   h   = SipHash(secret; localIp, remoteIp, localPort, remotePort, peer ISN)
 *   mac = SipHash(secret; h, t, m) &amp; 0x0FFFFFFF          28 bits
 *   top = ((t &amp; 3) &lt;&lt; 2 | m) XOR (h &gt;&gt;&gt; 60)             4 bits
 *   cookie = top &lt;&lt; 28 | mac
 * </pre>
 * {@code t} is a coarse counter ({@link #PERIOD_NANOS}, 64 s, as Linux's minute counter) so a cookie
 * is valid for at least 64 s and at most {@link #MAX_AGE} periods (128 s, Linux's two minutes): the
 * MAC is keyed by {@code t}, which works as a secret that rotates every period. {@code m} indexes
 * {@link #MSS_TABLE} (Linux's IPv4 table): the largest entry not above the peer's MSS. Hiding the top
 * bits under {@code h} keeps the ISN from showing the clock. An ACK is accepted when its
 * acknowledgment − 1 decodes, for {@code t} = now or one period before, to a MAC that matches its
 * sequence number − 1 (the peer's ISN): a blind attacker guesses 28 bits per try.
 *
 * <p><b>Options</b> (RFC 4987 §3.6: "the server loses the ability to use ... TCP options"): the MSS
 * survives in {@code m}. When the SYN carried timestamps (and we use them), window scale and
 * SACK-permitted survive in the low 6 bits of our TSval, as Linux does ({@code cookie_init_timestamp}):
 * bits 0–3 the peer's shift (15 = none), bit 4 SACK-permitted; the peer echoes them in TSecr.
 * Without timestamps the SYN-ACK offers only the MSS, and window scale and SACK are lost for the
 * connection (as Linux). Our TSval clock for a cookie connection starts at {@link #tsOffset}, a
 * per-4-tuple offset (RFC 7323 §7.1), so the rebuilt connection continues the clock the SYN-ACK used;
 * the TSval sent in the SYN-ACK is that clock with its low 6 bits replaced, at most 63 ms behind it
 * (so the first RTT sample, from the echo, may read up to 63 ms long; later ones are exact).
 */
public final class SynCookies {
    /** RFC 4987 §3.6: "a coarse timer" — one cookie period, 64 s (Linux counts minutes). */
    public static final long PERIOD_NANOS = 64_000_000_000L;
    /** A cookie is accepted in the period it was made and the next one (Linux MAX_SYNCOOKIE_AGE 2). */
    public static final int MAX_AGE = 2;
    /** MSS values a cookie can carry (2 bits), as Linux's IPv4 msstab. */
    static final int[] MSS_TABLE = {536, 1300, 1440, 1460};
    /** Low bits of our TSval that carry options in a cookie SYN-ACK. */
    static final int TS_OPTION_BITS = 6;
    static final int TS_OPTION_MASK = (1 << TS_OPTION_BITS) - 1;
    static final int TS_NO_WSCALE = 0xF;
    static final int TS_SACK = 1 << 4;

    private static final int MAC_MASK = 0x0FFFFFFF;
    // Domain separation when the secret is derived from an IsnGenerator's ("syncooki", "e-secret").
    private static final long DERIVE0 = 0x73796e636f6f6b69L, DERIVE1 = 0x652d736563726574L;

    private final long k0;
    private final long k1;
    private final IsnGenerator isn; // for the TSval offset; null with a fixed secret

    /** Cookies under a secret derived from {@code isn}'s (a keyed PRF of two constants). */
    public SynCookies(IsnGenerator isn) {
        this(isn.sipHash24(DERIVE0, DERIVE1), isn.sipHash24(DERIVE1, DERIVE0), isn);
    }

    /** Cookies under a fixed secret (tests). */
    public SynCookies(long k0, long k1) {
        this(k0, k1, null);
    }

    private SynCookies(long k0, long k1, IsnGenerator isn) {
        this.k0 = k0;
        this.k1 = k1;
        this.isn = isn;
    }

    /** The cookie period counter at {@code now}. */
    static long counter(long now) {
        return Math.floorDiv(now, PERIOD_NANOS);
    }

    /** Index into {@link #MSS_TABLE}: the largest entry not above {@code peerMss} (0 for anything below 536). */
    static int mssIndex(int peerMss) {
        for (int i = MSS_TABLE.length - 1; i > 0; i--) {
            if (peerMss >= MSS_TABLE[i]) return i;
        }
        return 0;
    }

    private long tupleHash(ConnectionKey key, int peerIsn) {
        long ips = ((long) key.localIp() << 32) | (key.remoteIp() & 0xFFFFFFFFL);
        long rest = ((long) key.localPort() << 48) | ((long) key.remotePort() << 32) | (peerIsn & 0xFFFFFFFFL);
        return IsnGenerator.sipHash24(k0, k1, ips, rest);
    }

    private int mac(long h, long t, int m) {
        return (int) IsnGenerator.sipHash24(k0, k1, h, (t << 2) | m) & MAC_MASK;
    }

    /** The ISN of a cookie SYN-ACK for {@code key}, answering a SYN with sequence {@code peerIsn}. */
    public int cookie(ConnectionKey key, int peerIsn, int mssIndex, long now) {
        long t = counter(now);
        long h = tupleHash(key, peerIsn);
        int top = (int) ((((t & 3) << 2) | mssIndex) ^ (h >>> 60)) & 0xF;
        return (top << 28) | mac(h, t, mssIndex);
    }

    /**
     * Checks the cookie an ACK returns: {@code ackMinusOne} = SEG.ACK − 1 (our ISN), {@code peerIsn} =
     * SEG.SEQ − 1. Returns the MSS index it carries, or −1 when it is not a cookie of ours or has expired.
     */
    public int check(ConnectionKey key, int peerIsn, int ackMinusOne, long now) {
        long h = tupleHash(key, peerIsn);
        int top = (int) (((ackMinusOne >>> 28) ^ (h >>> 60)) & 0xF);
        int tLow = top >>> 2;
        int m = top & 3;
        long tNow = counter(now);
        for (int age = 0; age < MAX_AGE; age++) {
            long t = tNow - age;
            if ((t & 3) == tLow) {
                return mac(h, t, m) == (ackMinusOne & MAC_MASK) ? m : -1;
            }
        }
        return -1;
    }

    /** RFC 7323 §7.1: "a random offset" — per address pair (as for any connection), from the secret. */
    public int tsOffset(ConnectionKey key) {
        // The same clock as every other connection between these two addresses (IsnGenerator.tsOffset).
        if (isn != null) return isn.tsOffset(key.localIp(), key.remoteIp());
        long ips = ((long) key.localIp() << 32) | (key.remoteIp() & 0xFFFFFFFFL);
        long ports = ((long) key.localPort() << 16) | key.remotePort();
        return (int) IsnGenerator.sipHash24(k1, k0, ips, ports);
    }

    /** The 6 option bits for the TSval: the peer's window shift (−1: none) and SACK-permitted. */
    static int tsOptionBits(int peerWindowScale, boolean sackPermitted) {
        int bits = peerWindowScale < 0 ? TS_NO_WSCALE : peerWindowScale;
        return bits | (sackPermitted ? TS_SACK : 0);
    }

    /**
     * The TSval of a cookie SYN-ACK: the connection's clock at {@code now} with its low 6 bits replaced
     * by {@code optionBits}, never ahead of the clock (so the rebuilt connection's TSvals only grow).
     */
    static int cookieTsVal(int offset, int optionBits, long now) {
        int clock = offset + (int) Math.floorDiv(now, TimestampState.NANOS_PER_TICK);
        int v = (clock & ~TS_OPTION_MASK) | optionBits;
        if (Seq.gt(v, clock)) v -= 1 << TS_OPTION_BITS;
        return v;
    }

    /** The peer's window shift carried in an echoed TSval ({@code tsEcr}, 0–14), −1 for none. */
    static int echoedWindowScale(int tsEcr) {
        int w = tsEcr & 0xF;
        return w == TS_NO_WSCALE ? -1 : Math.min(w, TcpOptions.MAX_WINDOW_SCALE);
    }

    static boolean echoedSack(int tsEcr) {
        return (tsEcr & TS_SACK) != 0;
    }
}
