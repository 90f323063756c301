#!/usr/bin/env bash
# Long soak through the issue-8 fault profile (loss 5 %, reordering 25 %, duplication 1 %, corruption
# 0.1 %, delay 20 +- 10 ms on both stacks' egress), both directions at once, one pair of stacks per seed,
# all seeds in parallel; SHA-256 compared every time. In-process (MemoryLink + ImpairedLink), so no
# namespace or privilege is needed. Usage:
#   scripts/soak-long.sh [MiB-each-way (default 1024)] [seeds (default 1,2,3,4)]
# At the ~0.9 Mbit/s per direction this profile allows without window scaling, 1 GiB takes ~2.6 h.
# Figures: socketimpl/target/reliability-figures.txt (one line per seed). Exit status = the test's.
set -euo pipefail
cd "$(dirname "$0")/.."
mib="${1:-1024}"
seeds="${2:-1,2,3,4}"
echo "== soak: ${mib} MiB each way, seeds ${seeds} ($(date -u))"
mvn -B test -pl socketimpl -am -Dtest=ImpairedSoakTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dusertcp.tun.groups=none -Dusertcp.soak.mib="$mib" -Dusertcp.soak.seeds="$seeds"
echo "== figures"
grep "soak seed" socketimpl/target/reliability-figures.txt | tail -n "$(tr ',' '\n' <<<"$seeds" | wc -l)"
