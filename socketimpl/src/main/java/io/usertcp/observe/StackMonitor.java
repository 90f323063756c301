package io.usertcp.observe;

import io.usertcp.stack.Stack;
import io.usertcp.stack.StackStats;
import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpInfo;
import io.usertcp.wire.DropReason;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@link StackMXBean} of one stack; tracing goes to its {@link TraceRecorder}. */
final class StackMonitor implements StackMXBean {
    private final String name;
    private final Stack stack;
    private final TraceRecorder recorder;

    StackMonitor(String name, Stack stack, TraceRecorder recorder) {
        this.name = name;
        this.stack = stack;
        this.recorder = recorder;
    }

    private StackStats s() {
        return stack.stats();
    }

    @Override public String getName() { return name; }
    @Override public long getPacketsIn() { return s().packetsIn(); }
    @Override public long getPacketsOut() { return s().packetsOut(); }
    @Override public long getBytesIn() { return s().bytesIn(); }
    @Override public long getBytesOut() { return s().bytesOut(); }
    @Override public long getSegmentsIn() { return s().segmentsIn(); }
    @Override public long getSegmentsOut() { return s().segmentsOut(); }
    @Override public long getResetsSent() { return s().rstSent(); }
    @Override public long getResetsReceived() { return s().rstReceived(); }
    @Override public long getChecksumErrors() { return SocketTable.checksumErrors(s()); }
    @Override public long getSynCookiesSent() { return s().synCookiesSent(); }
    @Override public long getSynCookiesValidated() { return s().synCookiesValidated(); }
    @Override public long getSynCookiesFailed() { return s().synCookiesFailed(); }
    @Override public long getConnectionsOpened() { return s().connectionsOpened(); }
    @Override public long getConnectionsAccepted() { return s().connectionsAccepted(); }
    @Override public long getInternalErrors() { return s().internalErrors(); }
    @Override public long getDrops() { return s().dropped(); }

    @Override
    public long getRetransmissions() {
        long n = s().retransmits();
        for (TcpInfo i : stack.connections()) {
            n += i.retransmits();
        }
        return n;
    }

    @Override
    public Map<String, Long> getDropsByReason() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Map.Entry<DropReason, Long> e : s().drops().entrySet()) {
            m.put(e.getKey().name(), e.getValue());
        }
        return m;
    }

    @Override
    public int getConnectionCount() {
        return stack.connections().size();
    }

    @Override
    public String[] getConnections() {
        Map<ConnectionKey, TcpInfo> m = stack.connectionsByKey();
        String[] out = new String[m.size()];
        int n = 0;
        for (Map.Entry<ConnectionKey, TcpInfo> e : m.entrySet()) {
            TcpInfo i = e.getValue();
            out[n++] = Format.name(e.getKey()) + " " + Format.ssState(i.state()) + " recv-q " + i.receiveQueue()
                    + " send-q " + i.sendQueue();
        }
        return out;
    }

    @Override
    public boolean isTraceEnabled() {
        return stack.tracer() == recorder;
    }

    @Override
    public void setTraceEnabled(boolean on) {
        if (on) {
            recorder.attach(stack);
        } else {
            recorder.detach(stack);
        }
    }

    @Override
    public String ss() {
        return SocketTable.render(stack);
    }

    @Override
    public String counters() {
        return SocketTable.counters(s());
    }

    @Override
    public String[] tracedConnections() {
        List<ConnectionKey> keys = recorder.connections();
        String[] out = new String[keys.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Format.name(keys.get(i));
        }
        return out;
    }

    @Override
    public String trace(String connection) {
        ConnectionKey k = recorder.find(connection);
        return k == null ? "no trace of " + connection + "\n" : String.join("\n", recorder.lines(k)) + "\n";
    }

    @Override
    public String ladder(String connection) {
        ConnectionKey k = recorder.find(connection);
        return k == null ? "no trace of " + connection + "\n" : LadderDiagram.of(recorder, k).text();
    }
}
