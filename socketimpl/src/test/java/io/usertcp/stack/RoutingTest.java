package io.usertcp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.MemoryLink;
import io.usertcp.wire.Ipv4Header;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingTest {

    static int ip(int a, int b, int c, int d) {
        return Ipv4Header.address(a, b, c, d);
    }

    final NetInterface lo = NetInterface.loopback();
    final NetInterface tun = new NetInterface("tun0", MemoryLink.pair(1500).a(), ip(198, 18, 0, 2), 24, 1500);
    final NetInterface mem = new NetInterface("mem0", MemoryLink.pair(9000).a(), ip(198, 19, 4, 1), 22, 9000);

    @Test
    void onLinkDestinationGoesOutOfThatInterface() {
        Routing r = new Routing(lo, List.of(tun, mem), 0);
        Route x = r.route(ip(198, 18, 0, 1));
        assertSame(tun, x.iface());
        assertEquals(ip(198, 18, 0, 1), x.nextHop());
        assertEquals(ip(198, 18, 0, 2), x.source());
        assertEquals(1460, x.mss());
        Route y = r.route(ip(198, 19, 7, 200)); // inside the /22
        assertSame(mem, y.iface());
        assertEquals(ip(198, 19, 4, 1), y.source());
        assertEquals(8960, y.mss());
    }

    @Test
    void loopbackAndOwnAddressesGoThroughTheLoopback() {
        Routing r = new Routing(lo, List.of(tun), 0);
        Route x = r.route(ip(127, 0, 0, 1));
        assertTrue(x.iface().isLoopback());
        assertEquals(ip(127, 0, 0, 1), x.source());
        Route y = r.route(ip(127, 1, 2, 3));
        assertTrue(y.iface().isLoopback());
        assertEquals(ip(127, 0, 0, 1), y.source(), "Linux picks 127.0.0.1 as the source for 127/8");
        Route z = r.route(ip(198, 18, 0, 2));
        assertTrue(z.iface().isLoopback(), "own address is local");
        assertEquals(ip(198, 18, 0, 2), z.source());
        assertEquals(NetInterface.LOOPBACK_MTU - 40, z.mss());
    }

    @Test
    void defaultGatewayAndNoRoute() {
        Routing none = new Routing(lo, List.of(tun), 0);
        assertNull(none.route(ip(198, 19, 0, 1)));
        Routing gw = new Routing(lo, List.of(tun), ip(198, 18, 0, 1));
        Route x = gw.route(ip(198, 19, 0, 1));
        assertSame(tun, x.iface());
        assertEquals(ip(198, 18, 0, 1), x.nextHop());
        assertEquals(ip(198, 18, 0, 2), x.source());
        assertNull(gw.route(ip(224, 0, 0, 1)), "multicast is never routed to the gateway");
    }

    @Test
    void gatewayMustBeOnLink() {
        assertThrows(IllegalArgumentException.class, () -> new Routing(lo, List.of(tun), ip(10, 0, 0, 1)));
    }

    @Test
    void localAddresses() {
        Routing r = new Routing(lo, List.of(tun), 0);
        assertTrue(r.isLocal(ip(127, 9, 9, 9)));
        assertTrue(r.isLocal(ip(198, 18, 0, 2)));
        assertFalse(r.isLocal(ip(198, 18, 0, 1)));
        assertSame(tun, r.interfaceOf(ip(198, 18, 0, 2)));
        assertSame(lo, r.interfaceOf(ip(127, 0, 0, 1)));
        assertNull(r.interfaceOf(ip(198, 18, 0, 3)));
    }
}
