package io.usertcp.bench;

import io.usertcp.link.MemoryLink;
import io.usertcp.link.PacketLink;
import io.usertcp.link.relay.ImpairingRelay;
import io.usertcp.link.tun.TunConfig;
import io.usertcp.link.tun.TunDevice;
import io.usertcp.stack.Stack;
import io.usertcp.stack.TcpSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * usertcp through the engine's own API ({@link Stack}, {@link TcpSocket}). With {@code --tun} the
 * stack sits on a TUN device whose kernel side has {@code --kernel-cidr}; with the {@code --relay-*}
 * options the TUN and the stack are bridged by an in-process {@link ImpairingRelay} (the stack on
 * one end of a {@link MemoryLink} pair); without {@code --tun} the stack has only its loopback.
 */
final class UserNet implements Net {

    private final Stack stack;
    private final String description;
    private final ImpairingRelay relay;

    private UserNet(Stack stack, String description, ImpairingRelay relay) {
        this.stack = stack;
        this.description = description;
        this.relay = relay;
    }

    /** Called by {@link Node#openNet} (by name). */
    public static Net open(Map<String, String> o) throws IOException {
        String tunName = o.get("tun");
        if (tunName == null) {
            return new UserNet(Stack.builder().build(), "usertcp (loopback)", null);
        }
        int mtu = Integer.parseInt(o.getOrDefault("mtu", "1500"));
        String cidr = o.getOrDefault("kernel-cidr", "198.18.0.1/24");
        InetAddress addr = InetAddress.getByName(o.getOrDefault("addr", "198.18.0.2"));
        int prefix = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
        // --offload on|auto|off (default off: the plain rows stay comparable; the relay needs plain packets)
        TunConfig.Offload offload = switch (o.getOrDefault("offload", "off")) {
            case "on" -> TunConfig.Offload.REQUIRED;
            case "auto" -> TunConfig.Offload.AUTO;
            case "off" -> TunConfig.Offload.OFF;
            default -> throw new IllegalArgumentException("--offload on|auto|off, got " + o.get("offload"));
        };
        TunDevice tun = TunDevice.open(TunConfig.builder().name(tunName).create().kernelAddress(cidr).mtu(mtu)
                .txQueueLength(10_000).offload(offload).build());
        if (!o.containsKey("relay-loss") && !o.containsKey("relay-delay-ms")) {
            Stack s = Stack.builder().link(tun, addr, prefix).build();
            return new UserNet(s, "usertcp over TUN " + tunName + " mtu " + mtu + " " + tun.offload(), null);
        }
        if (tun.offload().enabled()) {
            tun.close();
            throw new IllegalArgumentException("the impairing relay forwards plain packets: use --offload off");
        }
        double loss = Double.parseDouble(o.getOrDefault("relay-loss", "0"));
        double delayMs = Double.parseDouble(o.getOrDefault("relay-delay-ms", "0"));
        long seed = Long.parseLong(o.getOrDefault("relay-seed", "1"));
        MemoryLink.Pair pair = MemoryLink.pair("relay-mem", mtu, 65_536);
        ImpairingRelay relay = new ImpairingRelay(tun, pair.a(), seed,
                b -> b.loss(loss).delay(Duration.ofNanos((long) (delayMs * 1e6)))).start();
        PacketLink link = pair.b();
        Stack s = Stack.builder().link(link, addr, prefix).build();
        return new UserNet(s, "usertcp over an impairing relay to TUN " + tunName, relay);
    }

    static final class UConn implements Conn {
        final TcpSocket s;

        UConn(TcpSocket s) {
            this.s = s;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException { return s.read(b, off, len, 0); }
        @Override public void write(byte[] b, int off, int len) throws IOException { s.write(b, off, len); }
        @Override public void shutdownOutput() throws IOException { s.shutdownOutput(); }
        @Override public void setNoDelay(boolean on) throws IOException { s.setNoDelay(on); }
        @Override public void close() { s.close(); }
    }

    @Override
    public Conn connect(InetAddress local, int localPort, InetAddress remote, int port) throws IOException {
        TcpSocket s = stack.newSocket();
        try {
            if (localPort != 0) {
                s.setReuseAddress(true);
                s.bind(local, localPort);
            }
            s.connect(remote, port, 10_000_000_000L);
            return new UConn(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public Listener listen(InetAddress addr, int port, int backlog) throws IOException {
        TcpSocket s = stack.newSocket();
        s.setReuseAddress(true);
        s.bind(addr, port);
        s.listen(backlog);
        return new Listener() {
            @Override public Conn accept() throws IOException { return new UConn(s.accept(0)); }
            @Override public void close() { s.close(); }
        };
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public Map<String, Object> extraStats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("usertcp_table", stack.connections().size());
        return m;
    }

    @Override
    public void close() throws IOException {
        stack.close();
        if (relay != null) {
            relay.close();
        }
    }
}
