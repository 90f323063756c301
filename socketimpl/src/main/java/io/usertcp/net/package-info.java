/**
 * The java.net face of usertcp: what makes unmodified programs run over the engine.
 *
 * <p>Owns {@link io.usertcp.net.UserTcpSocketImpl} (a {@code java.net.SocketImpl} that behaves as
 * the JDK's own, down to the messages: JDK-CONTRACT.md), the {@code SocketImplFactory} pair that
 * {@code Socket} and {@code ServerSocket} accept, the {@code javax.net} factories for installing
 * usertcp only where wanted, the {@link io.usertcp.net.UserTcp} entry point (device, stack,
 * factories), the java agent and its launcher, and the tracing that draws connections as ladder
 * diagrams (a link decorator plus the stack's state listener).
 *
 * <p>Never touches engine internals: only the public API of {@code io.usertcp.stack} (and the
 * records of {@code io.usertcp.wire} / {@code io.usertcp.tcp} that API hands out). Never creates a
 * {@code java.net.Socket} for its own use (that would recurse into the installed factory).
 */
package io.usertcp.net;
