/**
 * The Linux TUN device as a {@link io.usertcp.link.PacketLink}.
 *
 * <p>Owns {@link io.usertcp.link.tun.TunDevice} (open/create/attach, kernel-side configuration
 * through ioctls, whole-packet reads and writes with direct buffers, a close that wakes blocked
 * readers), {@link io.usertcp.link.tun.TunConfig}, and {@link io.usertcp.link.tun.Tun}, which
 * answers "can TUN be used here, and if not, what exactly is the fix". Every failure is a
 * {@link io.usertcp.link.tun.TunException} whose message names the command that fixes it.
 *
 * <p>Never touches JNA types (they live in {@code io.usertcp.link.tun.jna}) nor IP/TCP semantics.
 */
package io.usertcp.link.tun;
