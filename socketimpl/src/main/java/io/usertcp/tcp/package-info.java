/**
 * The TCP state machine: {@link io.usertcp.tcp.TcpConnection} (all eleven RFC 9293 states, one
 * {@code setState}), {@link io.usertcp.tcp.TcpListener} (LISTEN with bounded SYN and accept queues),
 * send and receive buffers with bounded out-of-order reassembly, the RFC 6298 retransmission timer
 * ({@link io.usertcp.tcp.RttEstimator}), congestion control behind
 * {@link io.usertcp.tcp.CongestionControl} ({@link io.usertcp.tcp.NewReno}), RFC 6528 initial
 * sequence numbers ({@link io.usertcp.tcp.IsnGenerator}) and {@link io.usertcp.tcp.TcpConfig}.
 *
 * <p>This package is pure: it never reads a clock (time is the {@code long now} nanoseconds passed
 * in), never touches a link or a socket, starts no thread and takes no lock. Every timer is a
 * deadline field; the caller (the stack's event loop, under its engine lock) asks
 * {@code nextDeadline()}, calls {@code onTimer(now)} when it is due and {@code poll(now, sink)} to
 * collect the segments to send. It works on parsed {@link io.usertcp.wire.TcpSegment} records and
 * knows nothing of IP beyond the addresses in a {@link io.usertcp.tcp.ConnectionKey}.
 */
package io.usertcp.tcp;
