package io.usertcp.link;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A decorator that copies every packet crossing a {@link PacketLink}, in both directions, into a
 * classic pcap file with link type {@code LINKTYPE_RAW} (101: each record is a bare IPv4/IPv6
 * packet), microsecond timestamps, readable by tshark, tcpdump and Wireshark (smoltcp's
 * {@code PcapWriter}, gVisor's {@code sniffer}).
 *
 * <p>Sent packets are recorded before they are handed to the inner link, received packets after
 * the inner link returned them. Records are buffered; {@link #flush()} writes them out and
 * {@link #close()} flushes, closes the file and closes the inner link. The file's byte order is
 * little-endian (readers detect it from the magic number).
 */
public final class PcapTap implements PacketLink {

    /** pcap magic for microsecond timestamps, as written in the file's byte order. */
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    /** LINKTYPE_RAW: raw IPv4 or IPv6, no link-layer header. */
    public static final int LINKTYPE_RAW = 101;
    private static final int FILE_HEADER = 24, RECORD_HEADER = 16;
    private static final int BUFFER_BYTES = 1 << 16;

    private final PacketLink inner;
    private final Path path;
    private final int snapLength;
    private final Clock clock;

    private final ReentrantLock lock = new ReentrantLock();
    private final FileChannel out;             // guarded by lock
    private final ByteBuffer buf;              // guarded by lock
    private long records;                      // guarded by lock
    private boolean closed;                    // guarded by lock

    private PcapTap(PacketLink inner, Path path, int snapLength, Clock clock) throws IOException {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.path = path;
        this.snapLength = snapLength;
        this.clock = clock;
        this.out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        this.buf = ByteBuffer.allocate(Math.max(BUFFER_BYTES, snapLength + RECORD_HEADER)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(MAGIC_MICROS).putShort((short) 2).putShort((short) 4) // version 2.4
                .putInt(0).putInt(0)                                      // thiszone, sigfigs
                .putInt(snapLength).putInt(LINKTYPE_RAW);
    }

    /** Taps {@code inner} into a new (or truncated) pcap file at {@code path}, keeping whole packets. */
    public static PcapTap open(PacketLink inner, Path path) throws IOException {
        return open(inner, path, 65535, Clock.systemUTC());
    }

    /** As {@link #open(PacketLink, Path)} with a snapshot length (bytes kept per packet) and wall clock. */
    public static PcapTap open(PacketLink inner, Path path, int snapLength, Clock clock) throws IOException {
        if (snapLength < 1) {
            throw new IllegalArgumentException("snapLength must be positive");
        }
        return new PcapTap(inner, path, snapLength, Objects.requireNonNull(clock, "clock"));
    }

    @Override public String name() { return inner.name(); }
    @Override public int mtu() { return inner.mtu(); }

    public PacketLink inner() { return inner; }
    public Path path() { return path; }

    /** Packets recorded so far. */
    public long records() {
        lock.lock();
        try {
            return records;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void send(ByteBuffer packet) throws IOException {
        record(packet, packet.position(), packet.remaining());
        inner.send(packet);
    }

    @Override
    public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        int n = inner.receive(dst, timeoutNanos);
        if (n > 0) {
            record(dst, 0, n);
        }
        return n;
    }

    /** The inner link's offload: the tap forwards it and records packets as they are. */
    @Override
    public LinkOffload offload() {
        return inner.offload();
    }

    @Override
    public boolean isUp() {
        return inner.isUp();
    }

    /**
     * Records and forwards. A super-segment is recorded whole (one pcap record up to 64 KiB, as
     * tcpdump shows TSO packets on a Linux interface) and a packet whose checksum the link fills
     * is recorded with the pseudo-header sum in its checksum field (shown as "incorrect").
     */
    @Override
    public void send(ByteBuffer packet, GsoInfo gso) throws IOException {
        record(packet, packet.position(), packet.remaining());
        inner.send(packet, gso);
    }

    @Override
    public int receive(ByteBuffer dst, GsoInfo gso, long timeoutNanos) throws IOException {
        int n = inner.receive(dst, gso, timeoutNanos);
        if (n > 0) {
            record(dst, 0, n);
        }
        return n;
    }

    private void record(ByteBuffer p, int off, int len) throws IOException {
        Instant t = clock.instant();
        int kept = Math.min(len, snapLength);
        lock.lock();
        try {
            if (closed) {
                return; // the link's own send/receive reports the closed state
            }
            if (buf.remaining() < RECORD_HEADER + kept) {
                drain();
            }
            buf.putInt((int) t.getEpochSecond()).putInt(t.getNano() / 1000).putInt(kept).putInt(len);
            buf.put(buf.position(), p, off, kept);
            buf.position(buf.position() + kept);
            records++;
        } finally {
            lock.unlock();
        }
    }

    /** Writes buffered records to the file. */
    public void flush() throws IOException {
        lock.lock();
        try {
            if (!closed) {
                drain();
            }
        } finally {
            lock.unlock();
        }
    }

    private void drain() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        buf.clear();
    }

    /** Flushes and closes the file, then closes the inner link. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            try {
                drain();
            } finally {
                closed = true;
                out.close();
            }
        } finally {
            lock.unlock();
            inner.close();
        }
    }

    @Override
    public String toString() {
        return "PcapTap[" + inner.name() + " -> " + path + "]";
    }

    /** Writes an empty pcap file header (LINKTYPE_RAW) to a stream; handy for tools building captures. */
    public static void writeFileHeader(OutputStream os, int snapLength) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(FILE_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(MAGIC_MICROS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(snapLength).putInt(LINKTYPE_RAW);
        os.write(h.array());
    }
}
