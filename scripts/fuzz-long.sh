#!/usr/bin/env bash
# Real (coverage-guided) fuzzing of usertcp's Jazzer targets, one after the other, each for a time
# budget. Usage:
#   scripts/fuzz-long.sh [--budget DURATION] [--target REGEX]     (DURATION per target: 10m, 300s, 300)
#   scripts/fuzz-long.sh [seconds-per-target] [target-filter-regex]
#   e.g. scripts/fuzz-long.sh --budget 5m                      # every target, 5 minutes each
#        scripts/fuzz-long.sh --budget 10m --target StackFuzzTest
#        scripts/fuzz-long.sh 60 reassembly                    # only targets whose name matches
# Targets: the @FuzzTest methods below, as Class#method. Runs Jazzer through JUnit (JAZZER_FUZZ=1,
# -Djazzer.max_duration), one JVM per target; every run is bounded by its budget plus 5 minutes.
# A finding fails its target: Jazzer writes the input as crash-<sha1> into
# socketimpl/src/test/resources/io/usertcp/fuzz/<Class>Inputs/<method>/, where `mvn verify` replays it
# from then on (commit it together with the fix). The generated corpus grows in
# socketimpl/.cifuzz-corpus/ (git-ignored) and is reused by the next run.
# Summary (executions, coverage, result per target): target/fuzz-long/summary.txt. Exit 1 on findings.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=60 filter=.
to_seconds() {
  case "$1" in
    *h) echo $(( ${1%h} * 3600 )) ;; *m) echo $(( ${1%m} * 60 )) ;; *s) echo "${1%s}" ;;
    ''|*[!0-9]*) echo "fuzz-long: bad duration '$1' (like 10m, 300s, 300)" >&2; exit 2 ;;
    *) echo "$1" ;;
  esac
}
positional=()
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) secs=$(to_seconds "$2") || exit 2; shift 2 ;;
    --target) filter=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz-long: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -ge 1 ] && { secs=$(to_seconds "${positional[0]}") || exit 2; }
[ ${#positional[@]} -ge 2 ] && filter=${positional[1]}
out=target/fuzz-long
mkdir -p "$out"
targets=(
  WireParsersFuzzTest#ipv4HeaderParse
  WireParsersFuzzTest#icmpParse
  WireParsersFuzzTest#icmpParseError
  WireParsersFuzzTest#tcpOptionsParse
  WireParsersFuzzTest#tcpSegmentParse
  WireParsersFuzzTest#tcpSegmentRoundTrip
  Ipv4InputFuzzTest#ipv4InputPackets
  Ipv4InputFuzzTest#reassembly
  StackFuzzTest#established
)

echo "== building (test-compile) with $(java -version 2>&1 | head -n1)"
mvn -B -q test-compile -pl socketimpl -am || exit 2

summary="$out/summary.txt"
printf '%-42s %8s %12s %8s %6s %s\n' target seconds executions exec/s cov result > "$summary"
failed=0
for t in "${targets[@]}"; do
  [[ "$t" =~ $filter ]] || continue
  log="$out/${t/\#/-}.log"
  echo "== fuzzing $t for ${secs}s (log: $log)"
  start=$(date +%s)
  JAZZER_FUZZ=1 timeout -k 10 $((secs + 300)) mvn -B -o test -pl socketimpl -am -Dtest="$t" -Dsurefire.failIfNoSpecifiedTests=false \
      -Dusertcp.tun.groups=none -Djazzer.max_duration="${secs}s" >"$log" 2>&1
  rc=$?
  end=$(date +%s)
  done_line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1)
  execs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$done_line")
  rate=$(sed -nE 's/.*exec\/s: ([0-9]+).*/\1/p' <<<"$done_line")
  cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$done_line")
  if [ $rc -eq 0 ]; then result=ok; else result="FINDING (see $log)"; failed=1; fi
  printf '%-42s %8s %12s %8s %6s %s\n' "$t" "$((end - start))" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$result" | tee -a "$summary"
done
echo "== new findings (inputs now replayed by mvn verify):"
git status --porcelain -- socketimpl/src/test/resources/io/usertcp/fuzz | grep crash- || echo "   none"
echo "== summary: $summary"
cat "$summary"
exit $failed
