/**
 * Wire formats: IPv4, ICMP and TCP packet views over {@link java.nio.ByteBuffer}, the parsed
 * {@link io.usertcp.wire.TcpSegment} record, the RFC 1071 {@link io.usertcp.wire.Checksum},
 * wrap-safe sequence arithmetic ({@link io.usertcp.wire.Seq}) and the {@link io.usertcp.wire.DropReason}
 * vocabulary every layer counts drops with.
 *
 * <p><b>Owns:</b> byte layouts, checking parsers (they throw the stack-trace-free
 * {@link io.usertcp.wire.MalformedPacketException}) and emitters that write with absolute puts.
 *
 * <p><b>Never touches:</b> state (no fields that outlive a call, no counters), I/O, clocks, threads,
 * logging of packet contents on the hot path. Everything here is a pure function of its arguments.
 *
 * <p><b>Buffers:</b> every view reads and writes with absolute {@code get(index)}/{@code put(index)}, so
 * the buffer's position and limit never move; multi-byte fields are read in the buffer's byte order,
 * which must be {@link java.nio.ByteOrder#BIG_ENDIAN} (the default of every {@code ByteBuffer}).
 * IPv4 addresses are {@code int}s (198.18.0.1 = 0xC6120001); 32-bit sequence numbers are {@code int}s
 * compared only through {@link io.usertcp.wire.Seq}.
 */
package io.usertcp.wire;
