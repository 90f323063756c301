package io.usertcp.link;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads classic pcap files (either byte order, microsecond or nanosecond timestamps), such as
 * those {@link PcapTap} writes. pcapng is not supported.
 */
public final class PcapReader implements Closeable {

    /** One captured packet: timestamp in microseconds since the epoch, its length on the wire, the bytes kept. */
    public record Packet(long timestampMicros, int originalLength, byte[] data) {}

    private static final int MAGIC_MICROS = 0xa1b2c3d4, MAGIC_NANOS = 0xa1b23c4d;

    private final InputStream in;
    private final ByteOrder order;
    private final boolean nanos;
    private final int versionMajor, versionMinor, snapLength, linkType;
    private final byte[] header = new byte[16];

    private PcapReader(InputStream in) throws IOException {
        this.in = in;
        byte[] h = new byte[24];
        readFully(h, "pcap file header");
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic == MAGIC_MICROS || magic == MAGIC_NANOS) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (Integer.reverseBytes(magic) == MAGIC_MICROS || Integer.reverseBytes(magic) == MAGIC_NANOS) {
            order = ByteOrder.BIG_ENDIAN;
            magic = Integer.reverseBytes(magic);
        } else {
            throw new IOException(String.format("not a pcap file (magic 0x%08x; pcapng is not supported)", magic));
        }
        nanos = magic == MAGIC_NANOS;
        b.order(order);
        versionMajor = Short.toUnsignedInt(b.getShort(4));
        versionMinor = Short.toUnsignedInt(b.getShort(6));
        snapLength = b.getInt(16);
        linkType = b.getInt(20) & 0x0FFFFFFF; // the top bits may carry FCS information
    }

    public static PcapReader open(Path path) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        try {
            return new PcapReader(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    public static PcapReader open(InputStream in) throws IOException {
        return new PcapReader(in);
    }

    /** Every packet of a file. */
    public static List<Packet> readAll(Path path) throws IOException {
        try (PcapReader r = open(path)) {
            List<Packet> all = new ArrayList<>();
            Packet p;
            while ((p = r.next()) != null) {
                all.add(p);
            }
            return all;
        }
    }

    public ByteOrder byteOrder() { return order; }
    public boolean nanosecondTimestamps() { return nanos; }
    public int versionMajor() { return versionMajor; }
    public int versionMinor() { return versionMinor; }
    public int snapLength() { return snapLength; }
    /** 101 (LINKTYPE_RAW) for PcapTap's files. */
    public int linkType() { return linkType; }

    /** The next packet, or null at the end of the file. */
    public Packet next() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        header[0] = (byte) first;
        readFully(header, 1, 15, "record header");
        ByteBuffer b = ByteBuffer.wrap(header).order(order);
        long sec = Integer.toUnsignedLong(b.getInt(0));
        long frac = Integer.toUnsignedLong(b.getInt(4));
        int incl = b.getInt(8);
        int orig = b.getInt(12);
        if (incl < 0 || incl > Math.max(snapLength, 262144)) {
            throw new IOException("corrupt pcap record: captured length " + Integer.toUnsignedString(incl));
        }
        byte[] data = new byte[incl];
        readFully(data, "packet data");
        return new Packet(sec * 1_000_000 + (nanos ? frac / 1000 : frac), orig, data);
    }

    private void readFully(byte[] b, String what) throws IOException {
        readFully(b, 0, b.length, what);
    }

    private void readFully(byte[] b, int off, int len, String what) throws IOException {
        int n = in.readNBytes(b, off, len);
        if (n != len) {
            throw new EOFException("truncated pcap file: " + what + " cut short");
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
