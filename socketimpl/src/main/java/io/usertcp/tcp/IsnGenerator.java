package io.usertcp.tcp;

import java.security.SecureRandom;

/**
 * Initial sequence numbers per RFC 6528 §3: "ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey)" where "M is the 4 microsecond timer" and F is a keyed pseudorandom function. F here is
 * SipHash-2-4 (a keyed PRF designed for short inputs) with a random 128-bit secret, so the ISNs of
 * two 4-tuples are unrelated, while the ISNs of one 4-tuple keep moving forward with the clock (as
 * RFC 9293 §3.4.1 wants, MUST-8). Thread-safe (immutable).
 */
public class IsnGenerator {
    private final long k0;
    private final long k1;

    /** A generator with a fresh random secret. */
    public IsnGenerator() {
        this(new SecureRandom());
    }

    public IsnGenerator(SecureRandom random) {
        this(random.nextLong(), random.nextLong());
    }

    /** A generator with a fixed secret (tests). */
    public IsnGenerator(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** RFC 6528 §3: M + F(4-tuple, secret); {@code now} is nanoseconds from the stack's clock. */
    public int isn(ConnectionKey key, long now) {
        // RFC 6528 §3: "M is the 4 microsecond timer".
        int m = (int) (now / 4_000L);
        long tuple = ((long) key.localIp() << 32) | (key.remoteIp() & 0xFFFFFFFFL);
        long ports = ((long) key.localPort() << 16) | key.remotePort();
        return m + (int) sipHash24(tuple, ports);
    }

    /**
     * The TSval clock offset for connections between {@code localIp} and {@code remoteIp}: secret, and
     * the same for every port pair, so that TSval grows across successive connections to one host.
     * RFC 7323 §7.1 asks for "a random offset"; a per-connection one would make a SYN that reuses a
     * 4-tuple the peer holds in TIME-WAIT look older than the last connection's half the time, and
     * the peer would refuse it (RFC 6191 §2: TIME-WAIT is left for a SYN whose timestamp is newer).
     * Linux derives its offset from the address pair alone (secure_tcp_ts_off) for the same reason.
     */
    public int tsOffset(int localIp, int remoteIp) {
        long ips = ((long) localIp << 32) | (remoteIp & 0xFFFFFFFFL);
        return (int) sipHash24(k1, k0, ips, TS_OFFSET_DOMAIN);
    }

    private static final long TS_OFFSET_DOMAIN = 0x7473_6f66_6673_6574L; // "tsoffset": apart from ISNs

    /** SipHash-2-4 of two 64-bit words (16 bytes of message) under this generator's secret. */
    long sipHash24(long m0, long m1) {
        return sipHash24(k0, k1, m0, m1);
    }

    /** SipHash-2-4 with key (k0, k1) of two 64-bit words (16 bytes of message), returning 64 bits. */
    static long sipHash24(long k0, long k1, long m0, long m1) {
        long v0 = 0x736f6d6570736575L ^ k0;
        long v1 = 0x646f72616e646f6dL ^ k1;
        long v2 = 0x6c7967656e657261L ^ k0;
        long v3 = 0x7465646279746573L ^ k1;
        long[] v = {v0, v1, v2, v3};
        compress(v, m0);
        compress(v, m1);
        compress(v, 16L << 56); // final block: message length 16, no tail bytes
        v[2] ^= 0xFF;
        for (int i = 0; i < 4; i++) round(v);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void compress(long[] v, long m) {
        v[3] ^= m;
        round(v);
        round(v);
        v[0] ^= m;
    }

    private static void round(long[] v) {
        v[0] += v[1]; v[1] = Long.rotateLeft(v[1], 13); v[1] ^= v[0]; v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3]; v[3] = Long.rotateLeft(v[3], 16); v[3] ^= v[2];
        v[0] += v[3]; v[3] = Long.rotateLeft(v[3], 21); v[3] ^= v[0];
        v[2] += v[1]; v[1] = Long.rotateLeft(v[1], 17); v[1] ^= v[2]; v[2] = Long.rotateLeft(v[2], 32);
    }
}
