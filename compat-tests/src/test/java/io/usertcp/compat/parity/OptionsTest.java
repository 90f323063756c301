package io.usertcp.compat.parity;

import io.usertcp.compat.harness.Case;
import io.usertcp.compat.harness.Pair;
import io.usertcp.compat.harness.ProviderTest;
import io.usertcp.compat.harness.SocketProvider;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Set;
import java.util.TreeSet;

/** Every option: default, set/get (legacy setters and the SocketOption API), invalid values, effect. */
class OptionsTest {
    static final int JDK = Runtime.version().feature();

    static String names(Set<SocketOption<?>> opts) {
        TreeSet<String> s = new TreeSet<>();
        opts.forEach(o -> s.add(o.name()));
        return s.toString();
    }

    @ProviderTest
    void socketDefaults(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                r.call("soTimeout", s::getSoTimeout);
                r.call("soLinger", s::getSoLinger);
                r.call("tcpNoDelay", s::getTcpNoDelay);
                r.call("keepAlive", s::getKeepAlive);
                r.call("reuseAddress", s::getReuseAddress);
                r.call("oobInline", s::getOOBInline);
                r.call("trafficClass", s::getTrafficClass);
                r.call("rcvbufPositive", () -> s.getReceiveBufferSize() > 0);
                r.call("sndbufPositive", () -> s.getSendBufferSize() > 0);
            }
        }).expect("soTimeout", 0).expect("soLinger", -1).expect("tcpNoDelay", false).expect("keepAlive", false)
                .expect("reuseAddress", false).expect("oobInline", false).expect("trafficClass", 0)
                .expect("rcvbufPositive", true).expect("sndbufPositive", true);
    }

    @ProviderTest
    void connectedSocketDefaults(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                for (Socket s : new Socket[] {x.client, x.accepted}) {
                    r.call("soTimeout", s::getSoTimeout);
                    r.call("soLinger", s::getSoLinger);
                    r.call("tcpNoDelay", s::getTcpNoDelay);
                    r.call("keepAlive", s::getKeepAlive);
                    r.call("oobInline", s::getOOBInline);
                }
            }
        }).expect("soTimeout", 0).expect("soTimeout#2", 0).expect("soLinger", -1).expect("soLinger#2", -1)
                .expect("tcpNoDelay", false).expect("tcpNoDelay#2", false).expect("keepAlive#2", false);
    }

    @ProviderTest
    void serverSocketDefaults(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.newServerSocket()) {
                r.call("soTimeout", ss::getSoTimeout);
                r.call("reuseAddress", ss::getReuseAddress);
                r.call("rcvbufPositive", () -> ss.getReceiveBufferSize() > 0);
            }
        }).expect("soTimeout", 0).expect("reuseAddress", true).expect("rcvbufPositive", true);
    }

    @ProviderTest
    void tcpNoDelay(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.setTcpNoDelay(true);
                r.call("legacy", x.client::getTcpNoDelay);
                r.call("option", () -> x.client.getOption(StandardSocketOptions.TCP_NODELAY));
                x.client.setOption(StandardSocketOptions.TCP_NODELAY, false);
                r.call("afterOptionFalse", x.client::getTcpNoDelay);
                r.call("unconnectedSet", () -> {
                    try (Socket s = q.newSocket()) {
                        s.setTcpNoDelay(true);
                        return s.getTcpNoDelay();
                    }
                });
            }
        }).expect("legacy", true).expect("option", true).expect("afterOptionFalse", false).expect("unconnectedSet", true);
    }

    @ProviderTest
    void keepAlive(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.setKeepAlive(true);
                r.call("legacy", x.client::getKeepAlive);
                r.call("option", () -> x.client.getOption(StandardSocketOptions.SO_KEEPALIVE));
                x.client.setKeepAlive(false);
                r.call("off", x.client::getKeepAlive);
            }
        }).expect("legacy", true).expect("option", true).expect("off", false);
    }

    @ProviderTest
    void keepAliveExtendedOptions(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                Set<SocketOption<?>> supported = x.client.supportedOptions();
                for (SocketOption<Integer> o : new SocketOption[] {jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE,
                        jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT}) {
                    r.value(o.name() + ".supported", supported.contains(o));
                    r.run(o.name() + ".set", () -> x.client.setOption(o, 7));
                    r.call(o.name() + ".get", () -> x.client.getOption(o));
                    r.run(o.name() + ".setNegative", () -> x.client.setOption(o, -1));
                }
            }
        }).expect("TCP_KEEPIDLE.supported", true).expect("TCP_KEEPIDLE.get", 7)
                .expect("TCP_KEEPINTERVAL.get", 7).expect("TCP_KEEPCOUNT.get", 7);
    }

    @ProviderTest
    void soLinger(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                s.setSoLinger(true, 10);
                r.call("on10", s::getSoLinger);
                r.call("option", () -> s.getOption(StandardSocketOptions.SO_LINGER));
                s.setSoLinger(false, 10);
                r.call("off", s::getSoLinger);
                s.setSoLinger(true, 70_000);
                r.call("clipped", s::getSoLinger);
                r.run("negative", () -> s.setSoLinger(true, -1));
                r.run("negativeOff", () -> s.setSoLinger(false, -1));
                r.call("afterNegativeOff", s::getSoLinger);
                s.setOption(StandardSocketOptions.SO_LINGER, 3);
                r.call("viaOption", s::getSoLinger);
                s.setOption(StandardSocketOptions.SO_LINGER, -1);
                r.call("optionNegativeDisables", s::getSoLinger);
            }
        }).expect("on10", 10).expect("option", 10).expect("off", -1).expect("clipped", 65535)
                .expect("negative", "java.lang.IllegalArgumentException: invalid value for SO_LINGER")
                .expect("negativeOff", "ok").expect("afterNegativeOff", -1).expect("viaOption", 3)
                .expect("optionNegativeDisables", -1);
    }

    @ProviderTest
    void soTimeoutValues(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket(); ServerSocket ss = q.newServerSocket()) {
                s.setSoTimeout(1234);
                r.call("socket", s::getSoTimeout);
                s.setSoTimeout(Integer.MAX_VALUE);
                r.call("socketMax", s::getSoTimeout);
                ss.setSoTimeout(4321);
                r.call("server", ss::getSoTimeout);
                r.run("socketNegative", () -> s.setSoTimeout(-5));
                r.call("unchanged", s::getSoTimeout);
            }
        }).expect("socket", 1234).expect("socketMax", Integer.MAX_VALUE).expect("server", 4321)
                .expect("socketNegative", "java.lang.IllegalArgumentException: timeout can't be negative")
                .expect("unchanged", Integer.MAX_VALUE);
    }

    @ProviderTest
    void receiveBufferSize(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket(); ServerSocket ss = q.newServerSocket()) {
                s.setReceiveBufferSize(32 * 1024);
                r.call("socketAtLeastSet", () -> s.getReceiveBufferSize() >= 32 * 1024);
                r.call("socket", s::getReceiveBufferSize);
                r.run("zero", () -> s.setReceiveBufferSize(0));
                r.run("negative", () -> s.setReceiveBufferSize(-1));
                r.run("optionNegative", () -> s.setOption(StandardSocketOptions.SO_RCVBUF, -1));
                ss.setReceiveBufferSize(64 * 1024);
                r.call("serverAtLeastSet", () -> ss.getReceiveBufferSize() >= 64 * 1024);
                r.run("serverZero", () -> ss.setReceiveBufferSize(0));
            }
        }).expect("socketAtLeastSet", true)
                .expect("zero", "java.lang.IllegalArgumentException: invalid receive size")
                .expect("negative", "java.lang.IllegalArgumentException: invalid receive size")
                .expect("optionNegative", "java.lang.IllegalArgumentException: Invalid send/receive buffer size")
                .expect("serverAtLeastSet", true)
                .expect("serverZero", "java.lang.IllegalArgumentException: negative receive size");
    }

    @ProviderTest
    void sendBufferSize(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                s.setSendBufferSize(32 * 1024);
                r.call("atLeastSet", () -> s.getSendBufferSize() >= 32 * 1024);
                r.call("value", s::getSendBufferSize);
                r.run("zero", () -> s.setSendBufferSize(0));
                r.run("optionZero", () -> s.setOption(StandardSocketOptions.SO_SNDBUF, 0));
                r.run("optionNegative", () -> s.setOption(StandardSocketOptions.SO_SNDBUF, -1));
            }
        }).expect("atLeastSet", true)
                .expect("zero", "java.lang.IllegalArgumentException: negative send size")
                .expect("optionZero", "ok")
                .expect("optionNegative", "java.lang.IllegalArgumentException: Invalid send/receive buffer size");
    }

    @ProviderTest
    void smallBuffersStillTransfer(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.newServerSocket()) {
                ss.setReceiveBufferSize(4096);
                ss.bind(new java.net.InetSocketAddress(q.loopbackAddress(), 0));
                try (Socket s = q.newSocket()) {
                    s.setSendBufferSize(4096);
                    s.setReceiveBufferSize(4096);
                    s.connect(ss.getLocalSocketAddress());
                    try (Socket a = ss.accept()) {
                        byte[] data = new byte[512 * 1024];
                        new java.util.Random(9).nextBytes(data);
                        io.usertcp.compat.harness.Async.Task<Void> w = io.usertcp.compat.harness.Async.start("w", () -> {
                            s.getOutputStream().write(data);
                            s.shutdownOutput();
                            return null;
                        });
                        r.value("equal", java.util.Arrays.equals(data, a.getInputStream().readAllBytes()));
                        r.value("writer", w.outcome(java.time.Duration.ofSeconds(30)));
                    }
                }
            }
        }).expect("equal", true).expect("writer", "returned null");
    }

    @ProviderTest
    void trafficClass(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                s.setTrafficClass(0x10);
                r.call("set", s::getTrafficClass);
                r.call("option", () -> s.getOption(StandardSocketOptions.IP_TOS));
                r.run("tooBig", () -> s.setTrafficClass(256));
                r.run("negative", () -> s.setTrafficClass(-1));
                r.run("optionNull", () -> s.setOption(StandardSocketOptions.IP_TOS, null));
            }
        }).expect("set", 0x10).expect("tooBig", "java.lang.IllegalArgumentException: tc is not in range 0 -- 255")
                .expect("negative", "java.lang.IllegalArgumentException: tc is not in range 0 -- 255")
                .expect("optionNull", "java.lang.IllegalArgumentException: Invalid value 'null'");
    }

    @ProviderTest
    void oobInline(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                s.setOOBInline(true);
                r.call("on", s::getOOBInline);
                s.setOOBInline(false);
                r.call("off", s::getOOBInline);
            }
        }).expect("on", true).expect("off", false);
    }

    @ProviderTest
    void urgentDataDroppedWithoutOobInline(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.setTcpNoDelay(true);
                x.client.getOutputStream().write('a');
                r.run("urgent", () -> x.client.sendUrgentData('U'));
                x.client.getOutputStream().write('b');
                x.client.shutdownOutput();
                r.value("peerGot", new String(x.accepted.getInputStream().readAllBytes()));
            }
        }).expect("urgent", "ok").expect("peerGot", "ab");
    }

    @ProviderTest
    void urgentDataInlineWithOobInline(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.accepted.setOOBInline(true);
                x.client.setTcpNoDelay(true);
                x.client.getOutputStream().write('a');
                r.run("urgent", () -> x.client.sendUrgentData('U'));
                x.client.getOutputStream().write('b');
                x.client.shutdownOutput();
                r.value("peerGot", new String(x.accepted.getInputStream().readAllBytes()));
            }
        }).expect("urgent", "ok").expect("peerGot", "aUb");
    }

    @ProviderTest
    void urgentDataUnconnected(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                r.run("urgent", () -> s.sendUrgentData(1));
            }
        }).expect("urgent", "java.net.SocketException: Not connected");
    }

    @ProviderTest
    void reuseAddress(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket(); ServerSocket ss = q.newServerSocket()) {
                s.setReuseAddress(true);
                r.call("socket", s::getReuseAddress);
                r.call("socketOption", () -> s.getOption(StandardSocketOptions.SO_REUSEADDR));
                ss.setReuseAddress(false);
                r.call("server", ss::getReuseAddress);
                ss.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                r.call("serverOption", ss::getReuseAddress);
            }
        }).expect("socket", true).expect("socketOption", true).expect("server", false).expect("serverOption", true);
    }

    @ProviderTest
    void supportedOptionsSocket(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                r.value("names", names(s.supportedOptions()));
            }
        }).expectMatches("names", ".*SO_KEEPALIVE.*SO_LINGER.*SO_RCVBUF.*SO_REUSEADDR.*SO_SNDBUF.*TCP_NODELAY.*");
    }

    @ProviderTest
    void supportedOptionsServerSocket(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.newServerSocket()) {
                r.value("names", names(ss.supportedOptions()));
            }
        }).expectMatches("names", ".*SO_RCVBUF.*SO_REUSEADDR.*");
    }

    @ProviderTest
    void unsupportedOption(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket(); ServerSocket ss = q.newServerSocket()) {
                r.run("socketSet", () -> s.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1));
                r.call("socketGet", () -> s.getOption(StandardSocketOptions.IP_MULTICAST_LOOP));
                r.run("serverSet", () -> ss.setOption(StandardSocketOptions.TCP_NODELAY, true));
                r.call("serverGet", () -> ss.getOption(StandardSocketOptions.SO_LINGER));
            }
        }).expect("socketSet", "java.lang.UnsupportedOperationException: 'IP_MULTICAST_TTL' not supported")
                .expect("socketGet", "java.lang.UnsupportedOperationException: 'IP_MULTICAST_LOOP' not supported")
                .expect("serverSet", "java.lang.UnsupportedOperationException: 'TCP_NODELAY' not supported")
                .expect("serverGet", "java.lang.UnsupportedOperationException: 'SO_LINGER' not supported");
    }

    @ProviderTest
    void nullOptionAndValue(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (Socket s = q.newSocket()) {
                try {
                    s.setOption(null, 1);
                    r.value("nullOption", "no exception");
                } catch (NullPointerException e) {
                    r.value("nullOption", "NullPointerException");
                }
                r.run("nullValue", () -> s.setOption(StandardSocketOptions.TCP_NODELAY, null));
                r.run("nullKeepalive", () -> s.setOption(StandardSocketOptions.SO_KEEPALIVE, null));
            }
        }).expect("nullOption", "NullPointerException")
                .expect("nullValue", "java.lang.IllegalArgumentException: Invalid value 'null'");
    }

    @ProviderTest
    void optionsSetBeforeConnectSurvive(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket(); Socket s = q.newSocket()) {
                s.setTcpNoDelay(true);
                s.setKeepAlive(true);
                s.setSoLinger(true, 4);
                s.setSoTimeout(777);
                s.setOOBInline(true);
                s.connect(ss.getLocalSocketAddress());
                r.call("nodelay", s::getTcpNoDelay);
                r.call("keepalive", s::getKeepAlive);
                r.call("linger", s::getSoLinger);
                r.call("timeout", s::getSoTimeout);
                r.call("oob", s::getOOBInline);
                ss.accept().close();
            }
        }).expect("nodelay", true).expect("keepalive", true).expect("linger", 4).expect("timeout", 777).expect("oob", true);
    }

    @ProviderTest
    void acceptedSocketDoesNotInheritNoDelay(SocketProvider p, Case c) {
        c.observe(p, (q, r) -> {
            try (ServerSocket ss = q.boundServerSocket(); Socket s = q.newSocket()) {
                s.setTcpNoDelay(true);
                s.connect(ss.getLocalSocketAddress());
                try (Socket a = ss.accept()) {
                    r.call("acceptedNoDelay", a::getTcpNoDelay);
                    r.call("acceptedLinger", a::getSoLinger);
                }
            }
        }).expect("acceptedNoDelay", false).expect("acceptedLinger", -1);
    }

    @ProviderTest
    void oneMillisecondReadProbe(SocketProvider p, Case c) {
        // HttpURLConnection keep-alive check, pgjdbc hasMessagePending, OkHttp isHealthy
        c.observe(p, (q, r) -> {
            try (Pair x = Pair.open(q)) {
                x.client.setSoTimeout(1);
                InputStream in = x.client.getInputStream();
                int timeouts = 0;
                for (int i = 0; i < 50; i++) {
                    try {
                        in.read();
                    } catch (java.net.SocketTimeoutException e) {
                        timeouts++;
                    }
                }
                r.value("timeouts", timeouts);
                x.accepted.getOutputStream().write(77);
                x.client.setSoTimeout(10_000);
                r.call("stillUsable", in::read);
            }
        }).expect("timeouts", 50).expect("stillUsable", 77);
    }
}
