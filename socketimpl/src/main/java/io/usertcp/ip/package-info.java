/**
 * IPv4 and ICMP: input validation and dispatch by protocol ({@link io.usertcp.ip.Ipv4Input}),
 * output header building ({@link io.usertcp.ip.Ipv4Output}), fragment reassembly
 * ({@link io.usertcp.ip.FragmentReassembler}), ICMP echo and error handling ({@link io.usertcp.ip.Icmp}),
 * and the counters ({@link io.usertcp.ip.IpStats}).
 *
 * <p><b>Owns:</b> RFC 791 / RFC 1122 §3 host rules: which datagrams a host accepts, how fragments are
 * put back together within a memory and time budget, what an echo reply looks like, how an ICMP
 * error names the connection it is about.
 *
 * <p><b>Never touches:</b> TCP state or anything per connection, links, threads, locks, clocks (time is
 * passed in as {@code long} nanoseconds). The stack calls everything here under its single engine lock;
 * nothing here is thread-safe on its own except reading {@link io.usertcp.ip.IpStats}.
 */
package io.usertcp.ip;
