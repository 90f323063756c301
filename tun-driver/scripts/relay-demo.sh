#!/usr/bin/env bash
# Demonstrates the impairing relay: two kernel network stacks, in two private network namespaces,
# talk through a seeded lossy/delaying path made by io.usertcp.link.relay.ImpairingRelay.
#
#   ns A (198.18.1.1/24, dev rlyA) <-> relay (ImpairedLink both ways) <-> ns B (198.18.1.2/24, dev rlyB)
#
# Everything happens inside namespaces this script creates: the script re-runs itself under
# `unshare --net --mount` (the relay's namespace, where the two TUN devices are created), and A and
# B are two child namespaces held open by `unshare --net sleep` processes, addressed by PID (no
# global `ip netns` names). Each TUN is moved into its namespace with `ip link set DEV netns PID`;
# the relay's descriptors keep working across the move. Everything vanishes on exit (trap).
#
# Usage: relay-demo.sh [--seed N] [--loss P] [--delay-ms MS] [--jitter-ms MS] [--reorder P]
#                      [--duplicate P] [--rate-bps BITS] [--count N] [--pcap-dir DIR]
# --pcap-dir DIR writes DIR/relay-a.pcap and DIR/relay-b.pcap (each side's view, LINKTYPE_RAW).
# Bounded: ~1 s of UDP probes plus one 1 MiB TCP transfer with a 60 s cap; the relay itself stops
# after 120 s whatever happens.
set -euo pipefail

seed=42 loss=0.05 delay=5 jitter=2 reorder=0.01 dup=0.01 rate=0 count=200 pcap=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed=$2; shift 2 ;;
    --loss) loss=$2; shift 2 ;;
    --delay-ms) delay=$2; shift 2 ;;
    --jitter-ms) jitter=$2; shift 2 ;;
    --reorder) reorder=$2; shift 2 ;;
    --duplicate) dup=$2; shift 2 ;;
    --rate-bps) rate=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --pcap-dir) pcap=$(cd "$2" && pwd); shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

if [ "${USERTCP_RELAY_DEMO_INNER:-}" != "1" ]; then
  # Build (outside the namespace, where the network for Maven is the machine's), then re-enter.
  source "$(dirname "$0")/classpath.sh"
  if [ "$(id -u)" = "0" ]; then ns=(--net --mount); else ns=(--user --map-root-user --net --mount); fi
  export USERTCP_RELAY_DEMO_INNER=1 USERTCP_CP JAVA
  exec unshare "${ns[@]}" -- "$0" --seed "$seed" --loss "$loss" --delay-ms "$delay" --jitter-ms "$jitter" \
    --reorder "$reorder" --duplicate "$dup" --rate-bps "$rate" --count "$count" ${pcap:+--pcap-dir "$pcap"}
fi

# ---- inside the relay's private namespace from here on ----
ip link set lo up
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The relay: creates rlyA and rlyB here, stops by itself after 120 s at the latest.
"$JAVA" --enable-native-access=ALL-UNNAMED -cp "$USERTCP_CP" io.usertcp.link.relay.ImpairingRelay \
  --tun-a rlyA --tun-b rlyB --seed "$seed" --loss "$loss" --delay-ms "$delay" --jitter-ms "$jitter" \
  --reorder "$reorder" --duplicate "$dup" --rate-bps "$rate" --duration 120 \
  ${pcap:+--pcap-a "$pcap/relay-a.pcap" --pcap-b "$pcap/relay-b.pcap"} >"$work/relay.out" 2>"$work/relay.err" &
relay=$!
pids+=("$relay")
for _ in $(seq 1 200); do
  grep -q '^READY' "$work/relay.out" 2>/dev/null && break
  kill -0 "$relay" 2>/dev/null || { cat "$work/relay.err" >&2; echo "relay failed to start" >&2; exit 1; }
  sleep 0.05
done
grep -q '^READY' "$work/relay.out" || { echo "relay not ready after 10 s" >&2; exit 1; }
echo "relay: $(grep '^READY' "$work/relay.out")"

# Namespaces A and B, each held open by a sleeping process (addressed by PID).
unshare --net sleep 300 & nsA=$!; pids+=("$nsA")
unshare --net sleep 300 & nsB=$!; pids+=("$nsB")
sleep 0.2
inA() { nsenter --target "$nsA" --net -- "$@"; }
inB() { nsenter --target "$nsB" --net -- "$@"; }
ip link set rlyA netns "$nsA"
ip link set rlyB netns "$nsB"
inA ip link set lo up; inA ip addr add 198.18.1.1/24 dev rlyA; inA ip link set rlyA up
inB ip link set lo up; inB ip addr add 198.18.1.2/24 dev rlyB; inB ip link set rlyB up

# UDP echo server in B; a client in A sends $count numbered probes and counts the echoes.
cat >"$work/udp.py" <<'PY'
import socket, sys, time
role = sys.argv[1]
if role == "server":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("198.18.1.2", 7007)); s.settimeout(5)
    try:
        while True:
            d, a = s.recvfrom(2048); s.sendto(d, a)
    except socket.timeout:
        pass
else:
    n = int(sys.argv[2]); s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setblocking(False)
    sent = 0; got = set(); dup = 0; rtts = []
    def drain():
        global dup
        while True:
            try:
                d = s.recv(2048)
            except BlockingIOError:
                return
            k = int(d[:8]); rtts.append((time.time() - float(d[9:])) * 1000)
            if k in got: dup += 1
            got.add(k)
    for i in range(n):
        s.sendto(b"%08d %f" % (i, time.time()), ("198.18.1.2", 7007)); sent += 1
        end = time.time() + 0.005
        while time.time() < end:
            drain(); time.sleep(0.0005)
    end = time.time() + 1.0
    while time.time() < end:
        drain(); time.sleep(0.001)
    lost = sent - len(got)
    rtts.sort()
    med = rtts[len(rtts)//2] if rtts else float("nan")
    print(f"UDP probes: sent {sent}, echoed {len(got)}, round-trip loss {lost} ({100.0*lost/sent:.1f}%), "
          f"duplicate echoes {dup}, median RTT {med:.1f} ms")
PY
cat >"$work/tcp.py" <<'PY'
import socket, sys, hashlib, time
role = sys.argv[1]
SIZE = 1 << 20
if role == "server":
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(("198.18.1.2", 7008)); l.listen(1)
    l.settimeout(60); c, _ = l.accept(); c.settimeout(60); h = hashlib.sha256(); n = 0
    while True:
        d = c.recv(65536)
        if not d: break
        h.update(d); n += len(d)
    c.sendall(f"{n} {h.hexdigest()}".encode()); c.close()
else:
    data = bytes((i * 7) & 0xFF for i in range(SIZE))
    t0 = time.time()
    c = socket.create_connection(("198.18.1.2", 7008), timeout=60); c.sendall(data); c.shutdown(socket.SHUT_WR)
    reply = c.recv(200).decode().split(); dt = time.time() - t0
    ok = int(reply[0]) == SIZE and reply[1] == hashlib.sha256(data).hexdigest()
    print(f"TCP transfer: {SIZE} bytes in {dt:.2f} s ({SIZE*8/dt/1e6:.1f} Mbit/s), integrity {'OK' if ok else 'BAD'}")
    sys.exit(0 if ok else 1)
PY
# (nsenter execs timeout, so these PIDs are the real processes and the trap's kill reaches them)
nsenter --target "$nsB" --net -- timeout 40 python3 "$work/udp.py" server & pids+=("$!")
nsenter --target "$nsB" --net -- timeout 65 python3 "$work/tcp.py" server & pids+=("$!")
sleep 0.3
echo "path: loss=$loss delay=${delay}ms jitter=${jitter}ms reorder=$reorder duplicate=$dup rate=${rate}bit/s seed=$seed (each direction)"
inA timeout 30 python3 "$work/udp.py" client "$count"
status=0
inA timeout 62 python3 "$work/tcp.py" client || status=$?

kill -TERM "$relay" 2>/dev/null || true
for _ in $(seq 1 100); do kill -0 "$relay" 2>/dev/null || break; sleep 0.05; done
grep '^STATS' "$work/relay.out" | sed 's/^STATS /relay /' || true
[ -n "$pcap" ] && echo "captures: $pcap/relay-a.pcap $pcap/relay-b.pcap"
exit $status
