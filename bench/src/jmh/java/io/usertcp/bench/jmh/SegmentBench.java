package io.usertcp.bench.jmh;

import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.IsnGenerator;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.tcp.TcpConnection;
import io.usertcp.tcp.TcpEventListener;
import io.usertcp.tcp.TcpListener;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.MalformedPacketException;
import io.usertcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Segment processing per packet in the engine, without I/O: two {@link TcpConnection}s (a client
 * and the child a {@link TcpListener} made) in ESTABLISHED exchange one MSS of data per operation.
 * Each operation: the sender's write and poll, the emit → parse round of every segment (wire
 * bytes, checksums included), the receiver's onSegment, read and poll (its ACKs), and the sender's
 * onSegment of those ACKs. Time advances 10 µs per operation and due timers run (delayed ACKs).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SegmentBench {

    static final int A = 0xC6120002, B = 0xC6120001;

    @Param({"1460"})
    public int mss;

    TcpConnection client, server;
    final ArrayDeque<byte[]> toServer = new ArrayDeque<>(), toClient = new ArrayDeque<>();
    final ByteBuffer wire = ByteBuffer.allocate(70_000);
    ByteBuffer rx;
    byte[] data, sink;
    long now = 1_000_000_000L;

    @Setup(Level.Trial)
    public void setup() throws MalformedPacketException {
        TcpConfig config = TcpConfig.DEFAULT.withMss(mss);
        IsnGenerator isn = new IsnGenerator(1, 2);
        ConnectionKey ck = new ConnectionKey(A, 40000, B, 5001);
        ConnectionKey sk = new ConnectionKey(B, 5001, A, 40000);
        client = new TcpConnection(1, config, ck, TcpEventListener.NONE, isn);
        TcpListener listener = new TcpListener(config, 5001, 16, TcpEventListener.NONE, isn, () -> 2);
        rx = ByteBuffer.allocate(70_000);
        data = new byte[mss];
        sink = new byte[1 << 20];
        client.connect(now);
        client.poll(now, (c, seg) -> toServer.add(bytes(seg, A, B)));
        TcpSegment syn = parse(toServer.poll(), A, B);
        server = listener.onSegment(syn, sk, now, (k, seg) -> { });
        if (server == null) {
            throw new IllegalStateException("listener made no child for " + syn);
        }
        for (int i = 0; i < 10 && (client.state() != TcpState.ESTABLISHED || server.state() != TcpState.ESTABLISHED); i++) {
            exchange();
        }
        if (client.state() != TcpState.ESTABLISHED || server.state() != TcpState.ESTABLISHED) {
            throw new IllegalStateException("handshake: " + client.state() + " / " + server.state());
        }
        listener.accept();
    }

    byte[] bytes(TcpSegment seg, int src, int dst) {
        int n = seg.emit(wire, 0, src, dst);
        byte[] b = new byte[n];
        wire.get(0, b, 0, n);
        return b;
    }

    TcpSegment parse(byte[] b, int src, int dst) throws MalformedPacketException {
        rx.clear();
        rx.put(0, b, 0, b.length);
        return TcpSegment.parse(rx, 0, b.length, src, dst);
    }

    private void exchange() throws MalformedPacketException {
        server.poll(now, (c, seg) -> toClient.add(bytes(seg, B, A)));
        while (!toServer.isEmpty()) {
            server.onSegment(parse(toServer.poll(), A, B), now);
        }
        server.poll(now, (c, seg) -> toClient.add(bytes(seg, B, A)));
        while (!toClient.isEmpty()) {
            client.onSegment(parse(toClient.poll(), B, A), now);
        }
        client.poll(now, (c, seg) -> toServer.add(bytes(seg, A, B)));
    }

    /** One MSS from client to server, and the ACK traffic it causes. */
    @Benchmark
    public int dataSegment() throws MalformedPacketException {
        now += 10_000;
        int w = client.write(data, 0, data.length, now);
        client.poll(now, (c, seg) -> toServer.add(bytes(seg, A, B)));
        int got = 0;
        while (!toServer.isEmpty()) {
            server.onSegment(parse(toServer.poll(), A, B), now);
        }
        int r;
        while ((r = server.read(sink, 0, sink.length, now)) > 0) {
            got += r;
        }
        if (server.nextDeadline() <= now) {
            server.onTimer(now);
        }
        server.poll(now, (c, seg) -> toClient.add(bytes(seg, B, A)));
        while (!toClient.isEmpty()) {
            client.onSegment(parse(toClient.poll(), B, A), now);
        }
        if (client.nextDeadline() <= now) {
            client.onTimer(now);
        }
        return w + got;
    }
}
