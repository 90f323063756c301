package io.usertcp.bench.jmh;

import io.usertcp.wire.Checksum;
import io.usertcp.wire.MalformedPacketException;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpOptions;
import io.usertcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Per-packet wire costs: the RFC 1071 checksum, and TCP segment parse (with checksum check) and emit. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public class WireBench {

    static final int SRC = 0xC6120002, DST = 0xC6120001;

    /** TCP payload bytes per segment (1460: MTU 1500 with no options; 64960: MTU 65000). */
    @Param({"1460", "64960"})
    public int payload;

    /** Whether the packet buffer is direct (as a TUN read buffer) or on the heap. */
    @Param({"true", "false"})
    public boolean direct;

    ByteBuffer segmentBytes;
    int segmentLength;
    TcpSegment segment;
    ByteBuffer out;

    @Setup
    public void setup() {
        byte[] data = new byte[payload];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        segment = TcpSegment.builder().ports(40000, 5001).seq(123456789).ack(987654321)
                .flags(TcpHeader.FLAG_ACK | TcpHeader.FLAG_PSH).window(65535)
                .options(TcpOptions.NONE.withTimestamps(11111, 22222)).payload(data).build();
        int cap = payload + 80;
        segmentBytes = direct ? ByteBuffer.allocateDirect(cap) : ByteBuffer.allocate(cap);
        out = direct ? ByteBuffer.allocateDirect(cap) : ByteBuffer.allocate(cap);
        segmentLength = segment.emit(segmentBytes, 0, SRC, DST);
        payloadView = segmentBytes.duplicate();
    }

    /** The one's complement sum over a whole segment (what verifying or filling a TCP checksum costs). */
    @Benchmark
    public int checksum() {
        return Checksum.compute(segmentBytes, 0, segmentLength);
    }

    /**
     * The checksum as it was before issue 7's fast path (ByteBuffer.getLong, 8 bytes per iteration, one
     * accumulator), kept here as the baseline measured in the same run.
     */
    @Benchmark
    public int checksumBefore() {
        return ~foldBefore(addBefore(0, segmentBytes, 0, segmentLength)) & 0xFFFF;
    }

    static long addBefore(long acc, ByteBuffer buf, int off, int len) {
        long sum = 0;
        int i = off;
        int end = off + len;
        while (end - i >= 8) {
            long w = buf.getLong(i);
            sum += (w >>> 32) + (w & 0xFFFF_FFFFL);
            i += 8;
        }
        if (end - i >= 4) {
            sum += buf.getInt(i) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (end - i >= 2) {
            sum += buf.getShort(i) & 0xFFFFL;
            i += 2;
        }
        if (i < end) {
            sum += (buf.get(i) & 0xFF) << 8;
        }
        return acc + sum;
    }

    static int foldBefore(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xFFFF) + (acc >>> 16);
        }
        return (int) acc;
    }

    final TcpSegment holder = TcpSegment.newTransient();
    final TcpOptions holderOptions = TcpOptions.newTransient();
    ByteBuffer payloadView;

    /** The engine's receive path: parse into the stack's reusable holders, payload a view (no allocation). */
    @Benchmark
    public TcpSegment parseInto() throws MalformedPacketException {
        return TcpSegment.parseInto(holder, holderOptions, segmentBytes, 0, segmentLength, SRC, DST, payloadView);
    }

    /** TcpSegment.parse: length, offsets, flags, options and the checksum with the pseudo-header. */
    @Benchmark
    public TcpSegment parse() throws MalformedPacketException {
        return TcpSegment.parse(segmentBytes, 0, segmentLength, SRC, DST);
    }

    /** TcpSegment.emit: header, options, payload copy and checksum. */
    @Benchmark
    public int emit() {
        return segment.emit(out, 0, SRC, DST);
    }
}
