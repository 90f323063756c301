# Sourced by bench/run and bench/soak: pins the kernel endpoints' TCP congestion control.
#
# Why: a machine may default to bbr (this one does), which does not back off on random loss, while
# usertcp runs CUBIC as Linux does by default. The impaired rows compare like with like only when
# the kernel runs CUBIC too. A network namespace other than the first may only pick an algorithm in
# net.ipv4.tcp_allowed_congestion_control, a machine-wide list writable only from the first
# namespace: kcc_allow adds the algorithm there (root only, before entering the private namespace)
# and kcc_put_back restores the list when the script ends. Nothing else of the machine is touched.

kcc_allow() { # kcc_allow NAME: make NAME selectable in new namespaces
  local want=$1 allowed
  kcc_restore="" kcc_machine=$(cat /proc/sys/net/ipv4/tcp_congestion_control 2>/dev/null || echo unknown)
  [ "$want" = "default" ] && return 0
  [ -r /proc/sys/net/ipv4/tcp_allowed_congestion_control ] || return 0
  allowed=$(cat /proc/sys/net/ipv4/tcp_allowed_congestion_control)
  case " $allowed " in *" $want "*) return 0 ;; esac
  modprobe "tcp_$want" 2>/dev/null || true
  if [ "$(id -u)" = "0" ] && echo "$allowed $want" >/proc/sys/net/ipv4/tcp_allowed_congestion_control 2>/dev/null; then
    kcc_restore=$allowed
  else
    echo "kernel-cc: cannot allow '$want' in new namespaces; kernel endpoints keep the default" >&2
  fi
}

kcc_put_back() { # restores tcp_allowed_congestion_control if kcc_allow changed it
  if [ -n "${kcc_restore:-}" ]; then
    echo "$kcc_restore" >/proc/sys/net/ipv4/tcp_allowed_congestion_control 2>/dev/null || true
    kcc_restore=""
  fi
}

kcc_set() { # kcc_set NAME [PREFIX...]: the default congestion control of a namespace (PREFIX enters it)
  local want=$1; shift
  [ "$want" = "default" ] && return 0
  "$@" sh -c "echo $want >/proc/sys/net/ipv4/tcp_congestion_control" 2>/dev/null \
    || echo "kernel-cc: could not set '$want' in a namespace; its kernel endpoints keep $("$@" cat /proc/sys/net/ipv4/tcp_congestion_control 2>/dev/null)" >&2
}

kcc_describe() { # one line for the report: what the kernel endpoints ran, and the machine's default
  local now
  now=$(cat /proc/sys/net/ipv4/tcp_congestion_control 2>/dev/null || echo unknown)
  if [ "$1" = "default" ]; then
    echo "$now (the machine's default; --kernel-cc default)"
  else
    echo "$now, as usertcp's default (--kernel-cc $1; the machine's own default is ${USERTCP_KCC_MACHINE:-unknown})"
  fi
}
