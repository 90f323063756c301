package io.usertcp.observe;

import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpConnection;
import io.usertcp.tcp.TcpEventListener;
import io.usertcp.tcp.TcpState;
import io.usertcp.wire.TcpSegment;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * JDK Flight Recorder events of usertcp (category "usertcp"), emitted by a {@link TcpEventListener}
 * that {@link Observability#attach} adds to the stack. Recorded with
 * {@code -XX:StartFlightRecording} (or {@code jdk.jfr.Recording}); shown in JDK Mission Control.
 * When no recording is on, each event costs one {@code isEnabled()} check.
 */
public final class JfrEvents implements TcpEventListener {

    /** Fields every usertcp event has. */
    abstract static class ConnectionEvent extends Event {
        @Label("Connection Id")
        long connectionId;
        @Label("Local")
        String local;
        @Label("Remote")
        String remote;

        void fill(TcpConnection c) {
            connectionId = c.id();
            ConnectionKey k = c.key();
            if (k != null) {
                local = Format.endpoint(k.localIp(), k.localPort());
                remote = Format.endpoint(k.remoteIp(), k.remotePort());
            }
        }
    }

    @Name("io.usertcp.ConnectionOpen")
    @Label("TCP Connection Open")
    @Category("usertcp")
    @Description("A connection started its handshake (active: SYN sent; passive: SYN received)")
    public static final class ConnectionOpen extends ConnectionEvent {
        @Label("Passive")
        boolean passive;
    }

    @Name("io.usertcp.ConnectionClose")
    @Label("TCP Connection Close")
    @Category("usertcp")
    @Description("A connection reached CLOSED")
    public static final class ConnectionClose extends ConnectionEvent {
        @Label("Previous State")
        String from;
        @Label("Error")
        String error;
        @Label("Retransmitted Segments")
        long retransmits;
        @Label("Bytes Sent")
        @DataAmount
        long bytesSent;
        @Label("Bytes Received")
        @DataAmount
        long bytesReceived;
    }

    @Name("io.usertcp.StateChange")
    @Label("TCP State Change")
    @Category("usertcp")
    public static final class StateChange extends ConnectionEvent {
        @Label("From")
        String from;
        @Label("To")
        String to;
        @Label("Cause")
        String cause;
    }

    @Name("io.usertcp.Retransmission")
    @Label("TCP Retransmission")
    @Category("usertcp")
    public static final class Retransmission extends ConnectionEvent {
        @Label("Sequence Number")
        long seq;
        @Label("Length")
        @DataAmount
        int length;
    }

    @Name("io.usertcp.RtoFired")
    @Label("TCP Retransmission Timeout")
    @Category("usertcp")
    public static final class RtoFired extends ConnectionEvent {
        @Label("Retries")
        int retries;
        @Label("RTO")
        @Timespan(Timespan.NANOSECONDS)
        long rto;
    }

    @Name("io.usertcp.ZeroWindow")
    @Label("TCP Zero Window")
    @Category("usertcp")
    @Description("The peer's receive window closed (entered) or opened again")
    public static final class ZeroWindow extends ConnectionEvent {
        @Label("Entered")
        boolean entered;
    }

    @Override
    public void stateChanged(TcpConnection c, TcpState from, TcpState to, TcpSegment cause) {
        StateChange sc = new StateChange();
        if (sc.isEnabled()) {
            sc.fill(c);
            sc.from = from.toString();
            sc.to = to.toString();
            sc.cause = cause == null ? "" : cause.toString();
            sc.commit();
        }
        if (to == TcpState.SYN_SENT || (to == TcpState.SYN_RECEIVED && from == TcpState.LISTEN)) {
            ConnectionOpen o = new ConnectionOpen();
            if (o.isEnabled()) {
                o.fill(c);
                o.passive = to == TcpState.SYN_RECEIVED;
                o.commit();
            }
        } else if (to == TcpState.CLOSED && from != TcpState.LISTEN) {
            ConnectionClose cl = new ConnectionClose();
            if (cl.isEnabled()) {
                cl.fill(c);
                cl.from = from.toString();
                cl.error = String.valueOf(c.error());
                cl.retransmits = c.retransmittedSegments();
                var info = c.info();
                cl.bytesSent = info.bytesSent();
                cl.bytesReceived = info.bytesReceived();
                cl.commit();
            }
        }
    }

    @Override
    public void retransmitted(TcpConnection c, int seq, int length, long now) {
        Retransmission e = new Retransmission();
        if (e.isEnabled()) {
            e.fill(c);
            e.seq = Integer.toUnsignedLong(seq);
            e.length = length;
            e.commit();
        }
    }

    @Override
    public void rtoFired(TcpConnection c, int retries, long rtoNanos, long now) {
        RtoFired e = new RtoFired();
        if (e.isEnabled()) {
            e.fill(c);
            e.retries = retries;
            e.rto = rtoNanos;
            e.commit();
        }
    }

    @Override
    public void zeroWindow(TcpConnection c, boolean entered, long now) {
        ZeroWindow e = new ZeroWindow();
        if (e.isEnabled()) {
            e.fill(c);
            e.entered = entered;
            e.commit();
        }
    }
}
