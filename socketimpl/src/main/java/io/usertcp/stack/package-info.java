/**
 * The stack: what turns the pure layers below into a running TCP/IP host.
 *
 * <p>Owns {@link io.usertcp.stack.Stack} (interfaces — any {@link io.usertcp.link.PacketLink} with
 * an IPv4 address and prefix, plus a built-in loopback for 127.0.0.0/8 —, routing by on-link
 * subnet and default gateway, the connection table by 4-tuple, listeners, ephemeral ports, IPv4 and
 * ICMP input and output, the timers, the RX and timer threads and the one engine lock),
 * {@link io.usertcp.stack.TcpSocket} (the blocking socket API the java.net face builds on, with the
 * JDK's exceptions and messages, timeouts and interrupt rules), and time:
 * {@link io.usertcp.stack.Clock}, {@link io.usertcp.stack.SystemClock} (the only reader of real
 * time in the engine) and {@link io.usertcp.stack.ManualClock} for tests driven by
 * {@link io.usertcp.stack.Stack#pump()}.
 *
 * <p>Never touches {@code java.net.SocketImpl} (that is {@code io.usertcp.net}), never parses or
 * builds packets itself beyond calling {@code io.usertcp.wire} and {@code io.usertcp.ip}, and never
 * implements TCP rules (that is {@code io.usertcp.tcp}: the stack only delivers segments, time and
 * application calls to a {@code TcpConnection} and sends what it polls out).
 */
package io.usertcp.stack;
