package io.usertcp.compat.parity;

import io.usertcp.compat.harness.Case;
import io.usertcp.compat.harness.Pair;
import io.usertcp.compat.harness.ProviderTest;
import io.usertcp.compat.harness.SocketProvider;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;

/** Every operation after close: which exception, with which message (SocketOption/AfterClose etc.). */
class AfterCloseTest {
    static final int JDK = Runtime.version().feature();
    static final String IS_CLOSED = "java.net.SocketException: Socket is closed";

    @ProviderTest
    void socketOperationsAfterClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                Socket s = x.client;
                s.close();
                r.call("getInputStream", () -> s.getInputStream() != null);
                r.call("getOutputStream", () -> s.getOutputStream() != null);
                r.run("connect", () -> s.connect(x.server.getLocalSocketAddress()));
                r.run("bind", () -> s.bind(new InetSocketAddress(q.loopbackAddress(), 0)));
                r.run("shutdownInput", s::shutdownInput);
                r.run("shutdownOutput", s::shutdownOutput);
                r.run("sendUrgentData", () -> s.sendUrgentData(1));
            }
        }).expect("getInputStream", IS_CLOSED).expect("getOutputStream", IS_CLOSED).expect("connect", IS_CLOSED)
                .expect("bind", IS_CLOSED).expect("shutdownInput", IS_CLOSED).expect("shutdownOutput", IS_CLOSED);
    }

    @ProviderTest
    void socketOptionsAfterClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                Socket s = x.client;
                s.close();
                r.run("setSoTimeout", () -> s.setSoTimeout(1));
                r.call("getSoTimeout", s::getSoTimeout);
                r.run("setTcpNoDelay", () -> s.setTcpNoDelay(true));
                r.call("getTcpNoDelay", s::getTcpNoDelay);
                r.run("setKeepAlive", () -> s.setKeepAlive(true));
                r.call("getKeepAlive", s::getKeepAlive);
                r.run("setSoLinger", () -> s.setSoLinger(true, 1));
                r.call("getSoLinger", s::getSoLinger);
                r.run("setReceiveBufferSize", () -> s.setReceiveBufferSize(1000));
                r.call("getReceiveBufferSize", s::getReceiveBufferSize);
                r.run("setSendBufferSize", () -> s.setSendBufferSize(1000));
                r.call("getSendBufferSize", s::getSendBufferSize);
                r.run("setReuseAddress", () -> s.setReuseAddress(true));
                r.call("getReuseAddress", s::getReuseAddress);
                r.run("setOOBInline", () -> s.setOOBInline(true));
                r.call("getOOBInline", s::getOOBInline);
                r.run("setTrafficClass", () -> s.setTrafficClass(8));
                r.call("getTrafficClass", s::getTrafficClass);
                r.run("setOption", () -> s.setOption(StandardSocketOptions.TCP_NODELAY, true));
                r.call("getOption", () -> s.getOption(StandardSocketOptions.TCP_NODELAY));
                r.call("supportedOptionsEmpty", () -> s.supportedOptions().isEmpty());
            }
        }).expect("setSoTimeout", IS_CLOSED).expect("getSoTimeout", IS_CLOSED).expect("setTcpNoDelay", IS_CLOSED)
                .expect("getTcpNoDelay", IS_CLOSED).expect("setKeepAlive", IS_CLOSED).expect("getKeepAlive", IS_CLOSED)
                .expect("setSoLinger", IS_CLOSED).expect("getSoLinger", IS_CLOSED)
                .expect("setReceiveBufferSize", IS_CLOSED).expect("getReceiveBufferSize", IS_CLOSED)
                .expect("setSendBufferSize", IS_CLOSED).expect("getSendBufferSize", IS_CLOSED)
                .expect("setReuseAddress", IS_CLOSED).expect("getReuseAddress", IS_CLOSED)
                .expect("setOOBInline", IS_CLOSED).expect("getOOBInline", IS_CLOSED)
                .expect("setTrafficClass", IS_CLOSED)
                .expect("setOption", IS_CLOSED).expect("getOption", IS_CLOSED);
    }

    @ProviderTest
    void neverUsedSocketAfterClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            Socket s = q.newSocket();
            s.close();
            r.call("supportedOptionsEmpty", () -> s.supportedOptions().isEmpty());
            r.run("sendUrgentData", () -> s.sendUrgentData(1));
            r.run("setSoTimeout", () -> s.setSoTimeout(1));
            r.run("connect", () -> s.connect(new InetSocketAddress(q.loopbackAddress(), 1)));
        }).expect("setSoTimeout", IS_CLOSED).expect("connect", IS_CLOSED)
                .expect("supportedOptionsEmpty", JDK >= 21)
                .expect("sendUrgentData", JDK >= 21 ? IS_CLOSED : "java.net.SocketException: Not connected");
    }

    @ProviderTest
    void serverOperationsAfterClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            ServerSocket ss = q.boundServerSocket();
            ss.close();
            r.run("accept", () -> ss.accept().close());
            r.run("bind", () -> ss.bind(new InetSocketAddress(q.loopbackAddress(), 0)));
            r.run("setSoTimeout", () -> ss.setSoTimeout(5));
            r.call("getSoTimeout", ss::getSoTimeout);
            r.run("setReceiveBufferSize", () -> ss.setReceiveBufferSize(1000));
            r.call("getReceiveBufferSize", ss::getReceiveBufferSize);
            r.run("setReuseAddress", () -> ss.setReuseAddress(true));
            r.call("getReuseAddress", ss::getReuseAddress);
            r.run("setOption", () -> ss.setOption(StandardSocketOptions.SO_RCVBUF, 1000));
            r.call("getOption", () -> ss.getOption(StandardSocketOptions.SO_RCVBUF));
        }).expect("accept", IS_CLOSED).expect("bind", IS_CLOSED).expect("setSoTimeout", IS_CLOSED)
                .expect("getSoTimeout", IS_CLOSED).expect("setReceiveBufferSize", IS_CLOSED)
                .expect("getReceiveBufferSize", IS_CLOSED).expect("setReuseAddress", IS_CLOSED)
                .expect("getReuseAddress", IS_CLOSED).expect("setOption", IS_CLOSED).expect("getOption", IS_CLOSED);
    }

    @ProviderTest
    void streamsAfterClose(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                var in = x.client.getInputStream();
                var out = x.client.getOutputStream();
                x.client.close();
                r.call("read", in::read);
                r.call("available", in::available);
                r.call("skip", () -> in.skip(1));
                r.run("write", () -> out.write(1));
                r.run("inClose", in::close);
                r.run("outClose", out::close);
            }
        }).expect("read", "java.net.SocketException: Socket closed")
                .expect("available", "java.net.SocketException: Socket closed")
                .expect("write", "java.net.SocketException: Socket closed")
                .expect("inClose", "ok").expect("outClose", "ok");
    }
}
