#!/usr/bin/env bash
# Makes sure hping3 (the Debian package) is installed, for the SYN-flood test
# (io.usertcp.hardening.HpingSynFloodTest, issue 8). Prints the path of hping3 on success.
# As root with apt-get it installs the package (running 'apt-get update' first when the package is
# not found). Exit 0 when hping3 is there afterwards, 1 otherwise (with the reason on stderr).
# .ci/run calls it before the tests; the test calls it too when it finds no hping3.
set -u
find_hping() {
  for p in "$(command -v hping3 2>/dev/null)" /usr/sbin/hping3 /sbin/hping3 /usr/bin/hping3; do
    if [ -n "$p" ] && [ -x "$p" ]; then echo "$p"; return 0; fi
  done
  return 1
}
if find_hping; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-hping3: hping3 is not installed and this is not root: run 'apt-get install -y hping3' as root" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-hping3: hping3 is not installed and there is no apt-get to install it" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q hping3 >&2; then
  apt-get update -q >&2 || true
  apt-get install -y -q hping3 >&2 || true
fi
if find_hping; then exit 0; fi
echo "ensure-hping3: 'apt-get install -y hping3' did not install hping3" >&2
exit 1
