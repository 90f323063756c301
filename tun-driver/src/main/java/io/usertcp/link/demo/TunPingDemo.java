package io.usertcp.link.demo;

import io.usertcp.link.tun.Ipv4;
import io.usertcp.link.tun.TunConfig;
import io.usertcp.link.tun.TunDevice;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * The TUN round trip, as a program: opens a TUN device whose kernel side is 198.18.0.1/24, writes
 * ICMP echo requests from 198.18.0.2 (built here by hand), reads the kernel's echo replies back,
 * checks them and prints the round-trip times. Refuses to run outside a private network namespace
 * (start it with build/netns/bin/java, as {@code bin/usertcp demo} does).
 *
 * <p>Usage: {@code TunPingDemo [count]} (default 5, at most 100; each waits at most 2 s).
 */
public final class TunPingDemo {
    private TunPingDemo() {}

    static final int KERNEL = Ipv4.parse("198.18.0.1"), US = Ipv4.parse("198.18.0.2");

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Math.min(100, Math.max(1, Integer.parseInt(args[0]))) : 5;
        if (!"1".equals(System.getenv("USERTCP_IN_NETNS"))) {
            System.err.println("TunPingDemo creates a TUN device: run it in a private network namespace,"
                    + " e.g. build/netns/bin/java -cp CLASSPATH " + TunPingDemo.class.getName());
            System.exit(2);
        }
        try (TunDevice tun = TunDevice.open(TunConfig.builder().name("usertcp0").kernelAddress("198.18.0.1/24").mtu(1500).build())) {
            System.out.println("opened " + tun + "; pinging the kernel at 198.18.0.1 from 198.18.0.2 (userspace)");
            ByteBuffer rx = ByteBuffer.allocateDirect(tun.mtu());
            int ok = 0;
            for (int seq = 1; seq <= count; seq++) {
                ByteBuffer req = echoRequest(0x7573, seq, 56);
                long t0 = System.nanoTime();
                tun.send(req);
                long deadline = t0 + 2_000_000_000L;
                String result = "timeout";
                while (System.nanoTime() < deadline) {
                    int n = tun.receive(rx, deadline - System.nanoTime());
                    if (n >= 28 && (rx.get(0) >> 4) == 4 && rx.get(9) == 1 && rx.get(20) == 0
                            && (rx.getShort(24) & 0xFFFF) == 0x7573 && (rx.getShort(26) & 0xFFFF) == seq) {
                        long dt = System.nanoTime() - t0;
                        boolean sums = checksum(rx, 0, 20) == 0 && checksum(rx, 20, n - 20) == 0;
                        result = String.format(Locale.ROOT, "%d bytes from %s: icmp_seq=%d ttl=%d time=%.3f ms%s", n - 20,
                                Ipv4.format(rx.getInt(12)), seq, rx.get(8) & 0xFF, dt / 1e6, sums ? "" : " BAD CHECKSUM");
                        if (sums) {
                            ok++;
                        }
                        break;
                    }
                }
                System.out.println(result);
            }
            System.out.println(count + " echo requests written to the TUN, " + ok + " valid echo replies read back from the kernel");
            if (ok != count) {
                System.exit(1);
            }
        }
    }

    /** RFC 792 echo request inside an RFC 791 header, both checksums per RFC 1071. */
    static ByteBuffer echoRequest(int ident, int seq, int dataLength) {
        int len = 28 + dataLength;
        ByteBuffer b = ByteBuffer.allocateDirect(len);
        b.put(0, (byte) 0x45).putShort(2, (short) len).putShort(4, (short) seq).putShort(6, (short) 0x4000);
        b.put(8, (byte) 64).put(9, (byte) 1).putInt(12, US).putInt(16, KERNEL);
        b.putShort(10, (short) checksum(b, 0, 20));
        b.put(20, (byte) 8).putShort(24, (short) ident).putShort(26, (short) seq);
        for (int i = 0; i < dataLength; i++) {
            b.put(28 + i, (byte) i);
        }
        b.putShort(22, (short) checksum(b, 20, 8 + dataLength));
        return b.position(0).limit(len);
    }

    static int checksum(ByteBuffer b, int off, int len) {
        long s = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            s += ((b.get(off + i) & 0xFF) << 8) | (b.get(off + i + 1) & 0xFF);
        }
        if (i < len) {
            s += (b.get(off + i) & 0xFF) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) ~s & 0xFFFF;
    }
}
