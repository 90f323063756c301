package io.usertcp.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.net.UserTcp;
import io.usertcp.stack.Stack;
import io.usertcp.stack.TcpSocket;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.Map;
import java.util.regex.Pattern;
import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.Test;

/** The stack MBean that UserTcp registers, read through the platform MBean server. */
class StackMBeanTest {

    private static final InetAddress LO = Runs.addr("127.0.0.1");
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @Test
    void userTcpRegistersTheStackMBeanWithCountersSsListingAndTraceSwitch() throws Exception {
        ObjectName name;
        try (UserTcp ut = UserTcp.loopbackOnly()) {
            Stack stack = ut.stack();
            name = ut.observability().objectName();
            assertNotNull(name);
            assertEquals("io.usertcp", name.getDomain());
            assertEquals("Stack", name.getKeyProperty("type"));
            assertTrue(server.isRegistered(name));
            assertTrue(server.queryNames(new ObjectName("io.usertcp:type=Stack,*"), null).contains(name));

            // one exchange done, one connection left open
            Runs.exchange(stack, stack, LO, 7101, Runs.ascii("ping"), 4);
            TcpSocket l = stack.newSocket();
            l.bind(LO, 7102);
            l.listen(1);
            TcpSocket c = stack.newSocket();
            c.connect(LO, 7102, Runs.TIMEOUT);
            TcpSocket s = l.accept(Runs.TIMEOUT);
            c.write(Runs.ascii("unread"), 0, 6);
            // wait (bounded) until the 6 bytes are in the server's receive queue
            for (int i = 0; i < 1000 && s.available() < 6; i++) {
                Thread.onSpinWait();
                Thread.yield();
            }
            assertEquals(6, s.available());

            long packetsIn = (Long) server.getAttribute(name, "PacketsIn");
            assertTrue(packetsIn >= 10, "packets in " + packetsIn);
            assertEquals(stack.stats().packetsOut(), (Long) server.getAttribute(name, "PacketsOut"), 0.0 + 2);
            assertTrue((Long) server.getAttribute(name, "SegmentsOut") >= 10);
            assertEquals(0L, server.getAttribute(name, "ChecksumErrors"));
            assertEquals(0L, server.getAttribute(name, "SynCookiesSent"));
            assertEquals(0L, server.getAttribute(name, "Retransmissions"));
            assertEquals(0L, server.getAttribute(name, "InternalErrors"));
            assertTrue((Long) server.getAttribute(name, "ConnectionsOpened") >= 2);
            assertTrue((Integer) server.getAttribute(name, "ConnectionCount") >= 2);
            Object drops = server.getAttribute(name, "DropsByReason");
            assertTrue(drops instanceof TabularData, "an open type for jconsole: " + drops);
            String[] conns = (String[]) server.getAttribute(name, "Connections");
            assertTrue(String.join("\n", conns).contains("127.0.0.1:" + c.localPort() + "-127.0.0.1:7102 ESTAB"),
                    String.join("\n", conns));

            String ss = (String) server.invoke(name, "ss", null, null);
            assertTrue(ss.startsWith("State"), ss);
            // the server side holds 6 unread bytes: Recv-Q 6
            assertTrue(Pattern.compile("(?m)^ESTAB\\s+6\\s+0\\s+127\\.0\\.0\\.1:7102\\s+127\\.0\\.0\\.1:" + c.localPort()
                    + "\\s+pid=" + ProcessHandle.current().pid()).matcher(ss).find(), ss);
            assertTrue(Pattern.compile("(?m)^\\t cubic mss:65495 cwnd:\\d+ ssthresh:- rtt:\\d+\\.\\d{3}/\\d+\\.\\d{3} "
                    + "rto:\\d+ retrans:0 bytes_sent:\\d+ bytes_received:6 snd_wnd:\\d+ rcv_wnd:\\d+").matcher(ss).find(), ss);
            String counters = (String) server.invoke(name, "counters", null, null);
            assertTrue(Pattern.compile("(?m)^packets_in\\s+\\d+$").matcher(counters).find(), counters);
            assertTrue(counters.contains("resets_sent") && counters.contains("checksum_errors"), counters);

            // tracing switched on and off through JMX (mid-connection: numbers relative to the first segment seen)
            assertEquals(false, server.getAttribute(name, "TraceEnabled"));
            assertNull(stack.tracer());
            server.setAttribute(name, new Attribute("TraceEnabled", true));
            assertSame(ut.observability().recorder(), stack.tracer());
            c.setNoDelay(true); // "unread" may not be acknowledged yet (delayed ACK): no Nagle wait
            c.write(Runs.ascii("more"), 0, 4);
            byte[] got = new byte[10];
            for (int n = 0; n < 10; ) {
                int r = s.read(got, n, 10 - n, Runs.TIMEOUT);
                assertTrue(r > 0, "read " + r);
                n += r;
            }
            assertEquals("unreadmore", new String(got, java.nio.charset.StandardCharsets.US_ASCII));
            server.setAttribute(name, new Attribute("TraceEnabled", false));
            assertNull(stack.tracer());
            String[] traced = (String[]) server.invoke(name, "tracedConnections", null, null);
            String clientName = "127.0.0.1:" + c.localPort() + "-127.0.0.1:7102";
            assertTrue(java.util.List.of(traced).contains(clientName), String.join(",", traced));
            String trace = (String) server.invoke(name, "trace", new Object[] {clientName},
                    new String[] {String.class.getName()});
            assertTrue(trace.contains("PSH,ACK seq=1 (") && trace.contains("len=4"), trace);
            String ladder = (String) server.invoke(name, "ladder", new Object[] {clientName},
                    new String[] {String.class.getName()});
            assertTrue(ladder.contains("len=4"), ladder);
            c.close();
            s.close();
            l.close();
        }
        assertFalse(server.isRegistered(name), "unregistered on close");
    }

    @Test
    void checksumErrorsAndDropsByReasonAreCounted() throws Exception {
        try (Stack stack = Stack.builder().build(); Observability o = Observability.attach(stack, "test-drops")) {
            // a segment to a port nobody listens on: dropped (no socket) and answered with a RST
            TcpSocket c = stack.newSocket();
            try {
                c.connect(LO, 7199, Runs.TIMEOUT);
            } catch (java.net.ConnectException expected) {
                // Connection refused
            }
            ObjectName name = o.objectName();
            assertEquals("test-drops", name.getKeyProperty("name"));
            assertTrue((Long) server.getAttribute(name, "ResetsSent") >= 1);
            assertTrue((Long) server.getAttribute(name, "ResetsReceived") >= 1);
            TabularData drops = (TabularData) server.getAttribute(name, "DropsByReason");
            boolean found = false;
            for (Object row : drops.values()) {
                CompositeData cd = (CompositeData) row;
                if ("TCP_NO_SOCKET".equals(cd.get("key"))) {
                    found = (Long) cd.get("value") >= 1;
                }
            }
            assertTrue(found, "TCP_NO_SOCKET counted: " + drops);
            assertTrue((Long) server.getAttribute(name, "Drops") >= 1);
            Map<String, Long> m = Map.of();
            assertNotNull(m);
        }
    }
}
