package io.usertcp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.tcp.ConnectionKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConnectionTableTest {

    private static String v(ConnectionKey k) {
        return "conn " + k;
    }

    @Test
    void getPutRemoveByFullFourTuple() {
        ConnectionTable<String> t = new ConnectionTable<>();
        t.put(0xC6120002, 40000, 0xC6120001, 5001, "a");
        // Any one field different is another connection (the local address is outside the packed long).
        t.put(0x7F000001, 40000, 0xC6120001, 5001, "other local ip");
        t.put(0xC6120002, 40001, 0xC6120001, 5001, "other local port");
        t.put(0xC6120002, 40000, 0xC6120003, 5001, "other remote ip");
        t.put(0xC6120002, 40000, 0xC6120001, 5002, "other remote port");
        assertEquals(5, t.size());
        assertEquals("a", t.get(0xC6120002, 40000, 0xC6120001, 5001));
        assertEquals("other local ip", t.get(0x7F000001, 40000, 0xC6120001, 5001));
        assertNull(t.get(0xC6120002, 40000, 0xC6120001, 5003));
        t.put(0xC6120002, 40000, 0xC6120001, 5001, "replaced");
        assertEquals(5, t.size());
        assertFalse(t.remove(0xC6120002, 40000, 0xC6120001, 5001, "a"), "removes only the expected value");
        assertTrue(t.remove(0xC6120002, 40000, 0xC6120001, 5001, "replaced"));
        assertNull(t.get(0xC6120002, 40000, 0xC6120001, 5001));
        assertEquals("other remote port", t.get(0xC6120002, 40000, 0xC6120001, 5002));
        assertEquals(4, t.size());
    }

    @Test
    void portsAboveSignedShortRangeAndNegativeAddresses() {
        ConnectionTable<String> t = new ConnectionTable<>();
        t.put(-1, 65535, 0x80000000, 65534, "x");
        assertEquals("x", t.get(-1, 65535, 0x80000000, 65534));
        assertNull(t.get(-1, 65534, 0x80000000, 65535));
    }

    /** Property: a random mix of puts, removes and gets behaves exactly as a HashMap by ConnectionKey. */
    @Test
    void randomOperationsMatchHashMap() {
        Random r = new Random(11);
        ConnectionTable<String> t = new ConnectionTable<>();
        Map<ConnectionKey, String> ref = new HashMap<>();
        List<ConnectionKey> seen = new ArrayList<>();
        for (int n = 0; n < 200_000; n++) {
            ConnectionKey k;
            if (!seen.isEmpty() && r.nextInt(3) > 0) {
                k = seen.get(r.nextInt(seen.size()));
            } else {
                // Few distinct values per field: many collisions in the packed key and the hash.
                k = new ConnectionKey(0xC6120000 + r.nextInt(3), 32768 + r.nextInt(40), 0xC6120000 + r.nextInt(4), 5000 + r.nextInt(3));
                seen.add(k);
            }
            switch (r.nextInt(3)) {
                case 0 -> {
                    String val = v(k) + "#" + n;
                    t.put(k.localIp(), k.localPort(), k.remoteIp(), k.remotePort(), val);
                    ref.put(k, val);
                }
                case 1 -> {
                    String cur = ref.get(k);
                    boolean removed = t.remove(k.localIp(), k.localPort(), k.remoteIp(), k.remotePort(), cur);
                    assertEquals(cur != null, removed);
                    ref.remove(k);
                }
                default -> assertSame(ref.get(k), t.get(k.localIp(), k.localPort(), k.remoteIp(), k.remotePort()));
            }
            assertEquals(ref.size(), t.size());
        }
        for (ConnectionKey k : seen) {
            assertSame(ref.get(k), t.get(k.localIp(), k.localPort(), k.remoteIp(), k.remotePort()), k.toString());
        }
    }
}
