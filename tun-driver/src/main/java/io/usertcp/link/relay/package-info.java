/**
 * The impairing relay: a program (and a class) that bridges two links — typically two TUN devices
 * moved into two network namespaces — through {@link io.usertcp.link.ImpairedLink} in both
 * directions, seeded, so two kernel stacks (or usertcp and a kernel) talk across a lossy, slow,
 * reordering path on a kernel without netem. Knows nothing about IP beyond moving whole packets.
 */
package io.usertcp.link.relay;
