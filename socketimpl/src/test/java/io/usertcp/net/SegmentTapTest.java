package io.usertcp.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.MemoryLink;
import io.usertcp.wire.Ipv4Header;
import io.usertcp.wire.TcpHeader;
import io.usertcp.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tracing link decorator: sees both directions, changes nothing, ignores what is not TCP. */
class SegmentTapTest {
    static final int A = 0xC6120002, B = 0xC6120001;

    static ByteBuffer packet(int protocol, int src, int dst, TcpSegment seg) {
        ByteBuffer b = ByteBuffer.allocate(200);
        int tcpLen = seg.emit(b, 20, src, dst);
        Ipv4Header.emit(b, 0, 0, 1, 64, protocol, src, dst, tcpLen);
        b.limit(20 + tcpLen);
        return b;
    }

    @Test
    void showsSegmentsBothWaysAndLeavesBuffersAlone() throws Exception {
        MemoryLink.Pair pair = MemoryLink.pair(1500);
        List<String> seen = new ArrayList<>();
        SegmentTap tap = new SegmentTap(pair.a(), (out, src, dst, seg) ->
                seen.add((out ? "out " : "in ") + Ladder.ip(src) + ">" + Ladder.ip(dst) + " " + Ladder.label(seg)));
        TcpSegment syn = TcpSegment.builder().ports(40000, 80).seq(7).flags(TcpHeader.FLAG_SYN).window(1000).build();
        ByteBuffer p = packet(Ipv4Header.PROTO_TCP, A, B, syn);
        p.position(0);
        int limit = p.limit();
        tap.send(p);
        assertEquals(0, p.position(), "position untouched");
        assertEquals(limit, p.limit(), "limit untouched");

        TcpSegment data = TcpSegment.builder().ports(80, 40000).seq(9).ack(8)
                .flags(TcpHeader.FLAG_ACK | TcpHeader.FLAG_PSH).window(1000)
                .payload("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII)).build();
        pair.b().send(packet(Ipv4Header.PROTO_TCP, B, A, data));
        pair.b().send(packet(Ipv4Header.PROTO_UDP, B, A, data)); // not TCP: passed on unseen
        ByteBuffer rx = ByteBuffer.allocate(1500);
        assertTrue(tap.receive(rx, 1_000_000_000L) > 0);
        assertTrue(tap.receive(rx, 1_000_000_000L) > 0);
        assertEquals(List.of("out 198.18.0.2>198.18.0.1 SYN seq=7",
                "in 198.18.0.1>198.18.0.2 PSH,ACK seq=9 ack=8 len=17 \"HTTP/1.1 200 OK\""), seen);
        assertEquals(pair.a().name(), tap.name());
        assertEquals(1500, tap.mtu());
        tap.close();
    }
}
