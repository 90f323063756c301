package io.usertcp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.ImpairedLink;
import io.usertcp.link.tun.RequiresTun;
import io.usertcp.link.tun.TunConfig;
import io.usertcp.link.tun.TunDevice;
import io.usertcp.tcp.TcpConfig;
import io.usertcp.tcp.TcpConnection;
import io.usertcp.tcp.TcpEventListener;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.TcpSegment;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SACK loss recovery against the Linux kernel over a real TUN (C2.12): 2% loss, 5% reordering and 5 ms
 * delay in both directions (seeded), SACK and timestamps negotiated. 8 MiB each way must arrive with
 * equal SHA-256; our sender must have recovered through its scoreboard (RFC 6675 / RACK-TLP / PRR)
 * and the kernel through our SACK blocks. Prints our sender's loss-recovery counters against the
 * losses the impairment caused (figures for the report, not speed assertions).
 */
@RequiresTun
@Timeout(240)
class SackRecoveryKernelInteropTest {
    static final InetAddress US = Addresses.toInet(0xC6120002);     // 198.18.0.2
    static final long MIB = 1024 * 1024;
    static final long MS = 1_000_000L;

    private Stack stack;

    @AfterEach
    void tearDown() {
        if (stack != null) {
            stack.close();
            assertEquals(0, stack.stats().internalErrors(), "exceptions escaped packet processing");
        }
    }

    @Test
    void C2_12_sackRecoveryBothWaysWithTheKernelUnderLossAndReordering() throws Exception {
        TunDevice tun = TunDevice.open(TunConfig.builder().name("utcp-rec1").kernelAddress("198.18.0.1/24").mtu(1500).build());
        ImpairedLink link = ImpairedLink.builder(tun).seed(23).loss(0.02).reorder(0.05).delay(Duration.ofMillis(5))
                .direction(ImpairedLink.Direction.BOTH).build();
        stack = Stack.builder().link(link, US, 24).tcpConfig(TcpConfig.linuxLike()).build();
        AtomicReference<TcpConnection> ours = new AtomicReference<>();
        stack.addStateListener(new TcpEventListener() {
            @Override
            public void stateChanged(TcpConnection c, TcpState from, TcpState to, TcpSegment cause) {
                if (to == TcpState.ESTABLISHED) ours.compareAndSet(null, c);
            }
        });
        TcpSocket listener = stack.newSocket();
        listener.bind(US, 5301);
        listener.listen(5);
        try (Socket k = new Socket()) {
            k.connect(new InetSocketAddress(US, 5301), 10_000);
            TcpSocket u = listener.accept(10_000 * MS);
            assertNotNull(u);
            TcpConnection c = ours.get();
            assertNotNull(c);
            assertTrue(c.sackEnabled(), "SACK negotiated with the kernel");
            assertTrue(c.timestampsEnabled(), "timestamps negotiated with the kernel");
            InputStream uin = new InputStream() {
                @Override public int read() throws IOException {
                    byte[] b = new byte[1];
                    return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
                }
                @Override public int read(byte[] b, int off, int len) throws IOException {
                    return u.read(b, off, len, 60_000 * MS);
                }
            };
            var uout = new java.io.OutputStream() {
                @Override public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }
                @Override public void write(byte[] b, int off, int len) throws IOException {
                    u.write(b, off, len);
                }
                @Override public void close() throws IOException {
                    u.shutdownOutput();
                }
            };
            long lostBefore = link.egress().dropped();
            FastTcpKernelInteropTest.oneWay(k.getInputStream(), uout, 8 * MIB,
                    "impaired (2% loss, 5% reorder, 5 ms) usertcp -> kernel, SACK");
            long lost = link.egress().dropped() - lostBefore;
            System.out.println("[usertcp figures] usertcp sender: segments lost by the link " + lost
                    + ", retransmitted " + c.retransmittedSegments() + " (recovery " + c.sackRetransmits()
                    + ", rescue " + c.rescueRetransmits() + "), RTOs " + c.timeouts() + ", recoveries "
                    + c.recoveryEpisodes() + ", RACK marks " + c.rackLossMarks() + ", TLPs " + c.tlpProbes()
                    + " (repairs " + c.tlpRepairs() + "), D-SACKs (spurious) " + c.dsacksReceived()
                    + ", reneges " + c.reneges());
            assertTrue(lost > 0, "the link dropped data");
            assertTrue(c.recoveryEpisodes() > 0 && c.sackRetransmits() > 0, "SACK-based recovery ran");
            // Every loss is repaired, and far fewer retransmissions go out than a go-back-N would send.
            assertTrue(c.retransmittedSegments() >= lost / 2, "retransmitted " + c.retransmittedSegments());
            assertTrue(c.retransmittedSegments() < 4 * lost + 20, "retransmitted " + c.retransmittedSegments()
                    + " for " + lost + " losses");
            long inLostBefore = link.ingress().dropped();
            FastTcpKernelInteropTest.oneWay(uin, k.getOutputStream(), 8 * MIB,
                    "impaired (2% loss, 5% reorder, 5 ms) kernel -> usertcp, SACK");
            System.out.println("[usertcp figures] kernel sender: packets lost by the link "
                    + (link.ingress().dropped() - inLostBefore) + " of " + link.ingress().sent() + " (8 MiB = "
                    + 8 * MIB / 1448 + " full segments); ss: " + FastTcpKernelInteropTest.kernelView());
            u.close();
        }
    }
}
