/**
 * The link layer: moving whole IP packets in and out, nothing more.
 *
 * <p>Owns {@link io.usertcp.link.PacketLink} (the one interface the stack talks to) and the links
 * that are plain Java: {@link io.usertcp.link.MemoryLink} (an in-memory pair for stack-to-stack
 * tests), and the decorators that wrap <em>any</em> link — {@code ImpairedLink} (seeded loss,
 * duplication, reordering, corruption, delay, rate limit) and {@code PcapTap} (a LINKTYPE_RAW pcap
 * of both directions) — plus {@code PcapReader}.
 *
 * <p>Never touches IP or TCP semantics: a packet here is an opaque byte sequence whose only
 * property is its length (decorators may look at nothing inside it). The TUN device lives in
 * {@code io.usertcp.link.tun}, and every native mapping in {@code io.usertcp.link.tun.jna}.
 */
package io.usertcp.link;
