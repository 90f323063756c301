package io.usertcp.link.relay;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * Child-process helper for {@link ImpairingRelayTest}, run inside a namespace with nsenter.
 * {@code server ADDR PORT IDLE_MS}: echoes datagrams until idle; prints LISTENING once bound.
 * {@code client DST PORT COUNT INTERVAL_MS}: sends COUNT numbered probes, then prints
 * {@code ECHOED <distinct> <total>}.
 */
public final class UdpEchoTool {
    private UdpEchoTool() {}

    public static void main(String[] args) throws Exception {
        InetAddress addr = InetAddress.getByName(args[1]);
        int port = Integer.parseInt(args[2]);
        if (args[0].equals("server")) {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(addr, port))) {
                s.setSoTimeout(Integer.parseInt(args[3]));
                System.out.println("LISTENING");
                System.out.flush();
                byte[] b = new byte[2048];
                for (;;) {
                    DatagramPacket p = new DatagramPacket(b, b.length);
                    try {
                        s.receive(p);
                    } catch (SocketTimeoutException e) {
                        return;
                    }
                    s.send(p);
                }
            }
        }
        int count = Integer.parseInt(args[3]);
        long intervalNanos = Long.parseLong(args[4]) * 1_000_000L;
        BitSet seen = new BitSet(count);
        int total = 0;
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(1);
            byte[] rx = new byte[2048];
            InetSocketAddress dst = new InetSocketAddress(addr, port);
            for (int i = 0; i < count; i++) {
                byte[] probe = ByteBuffer.allocate(32).putInt(i).array();
                s.send(new DatagramPacket(probe, probe.length, dst));
                long until = System.nanoTime() + intervalNanos;
                total += drain(s, rx, seen, until);
            }
            total += drain(s, rx, seen, System.nanoTime() + 500_000_000L);
        }
        System.out.println("ECHOED " + seen.cardinality() + " " + total);
    }

    private static int drain(DatagramSocket s, byte[] rx, BitSet seen, long until) throws Exception {
        int n = 0;
        while (System.nanoTime() < until) {
            DatagramPacket p = new DatagramPacket(rx, rx.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                continue;
            }
            seen.set(ByteBuffer.wrap(rx).getInt(0));
            n++;
        }
        return n;
    }
}
