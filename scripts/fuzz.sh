#!/usr/bin/env bash
# Fuzzes Ridge's readers with libFuzzer for a bounded time per target.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 60 s, every target)
#
# Builds .build-fuzz/ridge-fuzz from Sources/Ridge/**/*.swift plus scripts/fuzz/RidgeFuzz.swift with
# `swiftc -sanitize=fuzzer,address -parse-as-library -O` (one module, so the entry calls internal
# APIs), writes seed corpora from the project's own fixtures (bundled profiles and models, small
# generated traces, sample measured files), builds a dictionary of the keys and words in the seeds,
# then runs each target. Exits non-zero if any target crashed (a trap, an ASan report, a timeout, a
# non-RidgeError or an error without file and location); the input is kept in .build-fuzz/crashes/.
# Every crash found is fixed in the library and its input kept in Tests/fuzz-findings/<target>/, which
# FuzzRegressionTests replays through the same FuzzTarget code on every `swift test`.
#
# Environment: SWIFTC (default: swiftc on PATH, else /opt/swift/usr/bin/swiftc), FUZZ_FLAGS (extra
# libFuzzer flags, e.g. "-jobs=2 -workers=2" or "-only_ascii=1").
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds="${1:-60}"
shift || true
all_targets=(json profile trace-json trace-jsonl measured model)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  case " ${all_targets[*]} " in *" $t "*) ;; *) echo "fuzz.sh: unknown target \"$t\" (targets: ${all_targets[*]})" >&2; exit 64 ;; esac
done
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || { echo "fuzz.sh: seconds per target must be a whole number > 0, got \"$seconds\"" >&2; exit 64; }

swiftc="${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}"
out="$root/.build-fuzz"
bin="$out/ridge-fuzz"
mkdir -p "$out/crashes"

# Rebuild when any source is newer than the binary.
sources=()
while IFS= read -r -d '' f; do sources+=("$f"); done < <(find Sources/Ridge -name '*.swift' -print0 | sort -z)
entry="scripts/fuzz/RidgeFuzz.swift"
if [ ! -x "$bin" ] || [ -n "$(find Sources/Ridge "$entry" -newer "$bin" -name '*.swift' | head -1)" ]; then
  echo "fuzz.sh: building $bin (${#sources[@]} library files + $entry)"
  # -gline-tables-only: symbolised stack traces in crash reports. -I Sources/CZlib: the system zlib's
  # module map (gzipped traces), as the package's CZlib target provides it to `swift build`.
  "$swiftc" -sanitize=fuzzer,address -swift-version 6 -parse-as-library -O -gline-tables-only -module-name Ridge \
    -I Sources/CZlib -lz -module-cache-path "$out/module-cache" "${sources[@]}" "$entry" -o "$bin" 2> >(grep -v "Cannot export local symbol '__asan" >&2)
fi

scratch_base=/dev/shm; [ -d "$scratch_base" ] && [ -w "$scratch_base" ] || scratch_base="${TMPDIR:-/tmp}"
export RIDGE_FUZZ_SCRATCH="$scratch_base/ridge-fuzz-$$"
trap 'rm -rf "$RIDGE_FUZZ_SCRATCH"' EXIT

# Seeds from the project's fixtures (regenerated each run; the fuzzer's own finds stay in corpus/).
rm -rf "$out/seeds"
ASAN_OPTIONS=detect_leaks=0 RIDGE_HOME="$root" RIDGE_FUZZ_WRITE_SEEDS="$out/seeds" RIDGE_FUZZ_TARGET=json "$bin" >/dev/null
# A dictionary: every quoted word and CSV header field in the seeds, plus JSON's own tokens.
dict="$out/ridge.dict"
{
  printf '"%s"\n' '{' '}' '[' ']' ':' ',' 'true' 'false' 'null' '-0' '1e400' '\\u0000' '\\ud800' 'NaN' '#0'
  cat "$out"/seeds/*/* | grep -aoE '"[A-Za-z_#][A-Za-z0-9_.#/ -]{0,30}"' | sort -u | sed 's/"/\\"/g; s/^/"/; s/$/"/'
  head -qn1 "$out"/seeds/measured/*.csv | tr ',' '\n' | sort -u | sed 's/^/"/; s/$/"/'
} > "$dict"

status=0
for t in "${targets[@]}"; do
  corpus="$out/corpus/$t"
  mkdir -p "$corpus"
  echo "fuzz.sh: $t for ${seconds}s (seeds: $(ls "$out/seeds/$t" | wc -l), corpus: $(ls "$corpus" | wc -l))"
  log="$out/$t.log"
  set +e
  RIDGE_HOME="$root" RIDGE_FUZZ_TARGET="$t" ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" \
    "$bin" "$corpus" "$out/seeds/$t" -dict="$dict" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$out/crashes/$t-" ${FUZZ_FLAGS:-} > "$log" 2>&1
  rc=$?
  set -e
  grep -E "^#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb" "$log" | tr '\n' ' ' | sed 's/^/  /'; echo
  if [ $rc -ne 0 ]; then
    status=1
    echo "fuzz.sh: $t FAILED (exit $rc); see $log and $out/crashes/:" >&2
    grep -E "ERROR|Fatal error|SUMMARY|Test unit written" "$log" | head -5 >&2
  fi
done
exit $status
