/**
 * Small runnable demonstrations of the link layer, e.g. {@link io.usertcp.link.demo.TunPingDemo}
 * (the TUN round trip: userspace ICMP echo requests answered by the kernel). They build the few
 * IP/ICMP bytes they need by hand; the real wire layer lives in socketimpl.
 */
package io.usertcp.link.demo;
