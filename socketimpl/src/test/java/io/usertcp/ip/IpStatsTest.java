package io.usertcp.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.usertcp.wire.DropReason;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class IpStatsTest {
    @Test
    void countsAndSnapshots() throws Exception {
        IpStats s = new IpStats();
        s.drop(DropReason.IP_BAD_CHECKSUM);
        s.drop(DropReason.IP_BAD_CHECKSUM);
        s.drop(DropReason.FRAGMENT_TIMEOUT);
        s.increment(IpStats.Counter.PACKETS_RECEIVED);
        s.add(IpStats.Counter.PACKETS_SENT, 5);
        assertEquals(2, s.drops(DropReason.IP_BAD_CHECKSUM));
        assertEquals(3, s.totalDrops());
        assertEquals(Map.of(DropReason.IP_BAD_CHECKSUM, 2L, DropReason.FRAGMENT_TIMEOUT, 1L), s.dropSnapshot());
        assertEquals(5L, s.snapshot().get(IpStats.Counter.PACKETS_SENT));
        // readable from another thread
        assertEquals(1L, CompletableFuture.supplyAsync(() -> s.get(IpStats.Counter.PACKETS_RECEIVED)).get());
    }
}
