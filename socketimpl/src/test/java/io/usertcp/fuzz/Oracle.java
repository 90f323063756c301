package io.usertcp.fuzz;

/**
 * Independent reference computations the fuzz targets compare the production code against
 * (written from the RFCs, sharing no code with io.usertcp.wire).
 */
final class Oracle {
    private Oracle() {}

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    static int s32(byte[] b, int i) {
        return (u16(b, i) << 16) | u16(b, i + 2);
    }

    /** RFC 1071 sum (not complemented, folded to 16 bits) over b[off, off+len), plus {@code initial}. */
    static int sum(long initial, byte[] b, int off, int len) {
        long s = initial;
        for (int i = 0; i + 1 < len; i += 2) {
            s += u16(b, off + i);
        }
        if ((len & 1) != 0) {
            s += (b[off + len - 1] & 0xFF) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    /** RFC 1071: a received checksum verifies when the sum over everything is all ones. */
    static boolean verifies(byte[] b, int off, int len) {
        return sum(0, b, off, len) == 0xFFFF;
    }

    /** The 16-bit checksum to store (complement of the sum over the data with the field zero). */
    static int checksum(long initial, byte[] b, int off, int len) {
        return ~sum(initial, b, off, len) & 0xFFFF;
    }

    /** RFC 9293 §3.1 pseudo-header sum: source, destination, zero, PTCL=6, TCP length. */
    static long pseudoHeader(int src, int dst, int tcpLength) {
        return (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + 6 + tcpLength;
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    /**
     * The outcome of parsing a TCP option list by RFC 9293 §3.2 and the documented policy of
     * {@code TcpOptions}: null when malformed (length byte 0/1 or running past the end or missing),
     * else {mss, ws, sackPerm, ts, tsVal, tsEcr, nBlocks, blocks...}.
     */
    static long[] options(byte[] b, int off, int len) {
        long mss = -1, ws = -1, sackPerm = 0, ts = 0, tsVal = 0, tsEcr = 0;
        long[] blocks = new long[0];
        int i = off;
        int end = off + len;
        while (i < end) {
            int kind = b[i] & 0xFF;
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return null;
            }
            int l = b[i + 1] & 0xFF;
            if (l < 2 || i + l > end) {
                return null;
            }
            if (kind == 2 && l == 4) {
                mss = u16(b, i + 2);
            } else if (kind == 3 && l == 3) {
                ws = Math.min(14, b[i + 2] & 0xFF);
            } else if (kind == 4 && l == 2) {
                sackPerm = 1;
            } else if (kind == 8 && l == 10) {
                ts = 1;
                tsVal = s32(b, i + 2);
                tsEcr = s32(b, i + 6);
            } else if (kind == 5 && l >= 10 && l <= 34 && (l - 2) % 8 == 0) {
                int n = (l - 2) / 8;
                blocks = new long[2 * n];
                for (int k = 0; k < 2 * n; k++) {
                    blocks[k] = s32(b, i + 2 + 4 * k);
                }
            }
            i += l;
        }
        long[] r = new long[7 + blocks.length];
        r[0] = mss;
        r[1] = ws;
        r[2] = sackPerm;
        r[3] = ts;
        r[4] = tsVal;
        r[5] = tsEcr;
        r[6] = blocks.length / 2;
        System.arraycopy(blocks, 0, r, 7, blocks.length);
        return r;
    }
}
