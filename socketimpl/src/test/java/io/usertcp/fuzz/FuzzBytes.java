package io.usertcp.fuzz;

import java.util.Arrays;

/**
 * Reads typed values from a fuzzer's byte input, front to back, so that seed files can be written by
 * hand or by {@link SeedCorpus} (unlike {@code FuzzedDataProvider}, which also reads from the end).
 * Reads past the end return zeros: every input, however short, is a valid program.
 */
final class FuzzBytes {
    private final byte[] data;
    private int pos;

    FuzzBytes(byte[] data) {
        this.data = data;
    }

    int remaining() {
        return data.length - pos;
    }

    int u8() {
        return pos < data.length ? data[pos++] & 0xFF : 0;
    }

    int u16() {
        return (u8() << 8) | u8();
    }

    int s32() {
        return (u16() << 16) | u16();
    }

    boolean bit() {
        return (u8() & 1) != 0;
    }

    /** 0..n-1 (n ≤ 65536). */
    int below(int n) {
        return n <= 256 ? u8() % n : u16() % n;
    }

    /** Up to {@code n} bytes (fewer at the end of the input). */
    byte[] bytes(int n) {
        int k = Math.max(0, Math.min(n, data.length - pos));
        byte[] b = Arrays.copyOfRange(data, pos, pos + k);
        pos += k;
        return b;
    }

    byte[] rest() {
        return bytes(remaining());
    }
}
