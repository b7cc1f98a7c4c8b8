#!/usr/bin/env bash
# Prints one SHA-256 per case of `ridge simulate --format json` (the `wallSeconds` line removed)
# over a corpus of traces, profiles, spill policies and capacities, so two builds can be checked for
# byte-identical results:
#
#   scripts/simulate-corpus.sh [RIDGE_BINARY] > before.txt     (default: .build/release/ridge)
#   ... change the engine, rebuild ...
#   scripts/simulate-corpus.sh > after.txt && diff before.txt after.txt
#
# Cases: generated LLM traces that spill (weights, KV cache, both) under every policy, planned
# offload (transfers on the copy stream sharing the links with swaps), streamed JSON Lines traces,
# one timeline (its swap spans hashed too), and random multi-stream traces of mixed-size tensors
# written here with a fixed seed (operators start out of trace order; ties in last use, arrival and
# next use are common). Runs in about a minute on the 2-core development machine.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
ridge="${1:-$root/.build/release/ridge}"
case "$ridge" in /*) ;; *) ridge="$PWD/$ridge" ;; esac
[ -x "$ridge" ] || { echo "simulate-corpus.sh: no ridge binary at $ridge (swift build -c release)" >&2; exit 66; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"    # traces by relative path: error messages name the file, not the temporary directory

case_() {    # case_ NAME ARGS... : hash of the JSON result
  local name="$1"; shift
  local out
  if ! out="$("$ridge" simulate --format json "$@" 2>&1)"; then
    printf '%s  %s (exit %s)\n' "$(printf '%s' "$out" | sha256sum | cut -c1-16)" "$name" "failed"
    return
  fi
  local swaps
  swaps="$(printf '%s' "$out" | sed -n 's/^    "swaps": \([0-9]*\),*$/\1/p')"
  printf '%s  %s (swaps %s)\n' "$(printf '%s' "$out" | grep -v '"wallSeconds"' | sha256sum | cut -c1-16)" "$name" "${swaps:-0}"
}

policies=(lru fifo belady paging)

# Generated traces that spill.
for p in "${policies[@]}"; do
  case_ "70b-b8-p2048-g8-a100-$p" --model llama-2-70b --batch 8 --prompt 2048 --generate 8 --profile a100-sxm-80gb --spill "$p"
  case_ "70b-b1-p512-g8-h100-$p" --model llama-2-70b --batch 1 --prompt 512 --generate 8 --profile h100-sxm --spill "$p"
  case_ "7b-b4-p512-g32-kv13g-$p" --model llama-2-7b --batch 4 --prompt 512 --generate 32 --profile a100-sxm-80gb --kv-capacity 13GiB --spill "$p"
  case_ "7b-b16-p1024-g16-kv16g-$p" --model llama-2-7b --batch 16 --prompt 1024 --generate 16 --profile a100-sxm-40gb --kv-capacity 16GiB --spill "$p"
  case_ "mixtral-b2-p256-g8-a40-$p" --model mixtral-8x7b --batch 2 --prompt 256 --generate 8 --profile a40 --spill "$p"
  case_ "13b-b8-p512-g16-kvhost-$p" --model llama-2-13b --batch 8 --prompt 512 --generate 16 --profile a100-sxm-40gb --kv host --kv-offload 0.5 --kv-capacity 24GiB --spill "$p"
  case_ "7b-weights-host-pf2-$p" --model llama-2-7b --batch 2 --prompt 256 --generate 8 --profile a100-sxm-80gb --weights host --prefetch 2 --kv-capacity 1700MiB --spill "$p"
  case_ "opt-6.7b-b4-blocks-$p" --model opt-6.7b --batch 4 --prompt 512 --generate 16 --profile a6000 --kv-capacity 13GiB --block-size 512KiB --page-size 64KiB --spill "$p"
done

# Streamed JSON Lines traces.
"$ridge" trace llm --model llama-2-70b --batch 4 --prompt 1024 --generate 8 -o "70b.jsonl" > /dev/null
"$ridge" trace llm --model llama-2-7b --batch 2 --prompt 256 --generate 8 --weights host --kv host --kv-offload 0.5 -o "7b-off.jsonl" > /dev/null
for p in "${policies[@]}"; do
  case_ "jsonl-70b-a100-$p" --trace "70b.jsonl" --profile a100-sxm-80gb --spill "$p"
  case_ "jsonl-7b-offload-$p" --trace "7b-off.jsonl" --profile a100-sxm-80gb --kv-capacity 1GiB --spill "$p"
done

# A timeline: the swap spans too.
for p in lru belady; do
  "$ridge" simulate --model llama-2-7b --batch 4 --prompt 512 --generate 4 --profile a100-sxm-80gb --kv-capacity 13GiB --spill "$p" --timeline "tl.json" > /dev/null
  printf '%s  timeline-7b-%s\n' "$(sha256sum < "tl.json" | cut -c1-16)" "$p"
done

# Random multi-stream traces: mixed-size weights (resident at start), activations written with
# sizes and freed, three streams with cross-stream `after` edges.
random_trace() {    # random_trace SEED FILE
  RANDOM=$1
  local tensors=$((6 + RANDOM % 20)) ops=$((60 + RANDOM % 200)) i t
  {
    echo '{"format":"ridge-trace/1","name":"random '"$1"'"}'
    for ((t = 0; t < tensors; t++)); do
      if ((t % 3 == 0)); then
        echo '{"tensor":"a'$t'","bytes":0,"memory":"hbm","kind":"activation"}'
      elif ((t % 5 == 1)); then
        echo '{"tensor":"k'$t'","bytes":0,"memory":"hbm","kind":"kv"}'
      else
        echo '{"tensor":"w'$t'","bytes":'$(((1 + RANDOM % 8) * 100000000))',"memory":"hbm","kind":"weight","resident":true}'
      fi
    done
    for ((i = 0; i < ops; i++)); do
      local reads="" writes="" frees="" after="" name
      for ((t = 0; t < 1 + RANDOM % 3; t++)); do
        local x=$((RANDOM % tensors))
        if ((x % 3 == 0)); then name="a$x"; elif ((x % 5 == 1)); then name="k$x"; else name="w$x"; fi
        reads+="${reads:+,}\"$name\""
      done
      if ((RANDOM % 2 == 0)); then
        local y=$(((RANDOM % ((tensors + 2) / 3)) * 3))
        writes="{\"tensor\":\"a$y\",\"bytes\":$(((1 + RANDOM % 6) * 50000000))}"
      fi
      if ((RANDOM % 3 == 0)); then
        local z=$((RANDOM % tensors)); ((z % 3 != 0 && z % 5 == 1)) && writes+="${writes:+,}{\"tensor\":\"k$z\",\"bytes\":$(((1 + RANDOM % 9) * 30000000))}"
      fi
      if ((RANDOM % 7 == 0)); then local f=$(((RANDOM % ((tensors + 2) / 3)) * 3)); frees="\"a$f\""; fi
      if ((i > 3 && RANDOM % 4 == 0)); then after="\"op$((i - 1 - RANDOM % 3))\""; fi
      echo '{"id":"op'$i'","op":"elementwise","elements":'$(((1 + RANDOM % 50) * 1000000))',"bytesPerElement":2,"flopsPerElement":1,"engine":"gpu","stream":"s'$((RANDOM % 3))'","reads":['"$reads"'],"writes":['"$writes"'],"frees":['"$frees"'],"after":['"$after"']}'
    done
  } > "$2"
}
for seed in 1 2 3 4 5 6 7 8; do
  random_trace "$seed" "r$seed.jsonl"
  for p in "${policies[@]}"; do
    for cap in 2GB 3GB 5GB; do
      case_ "random-$seed-$cap-$p" --trace "r$seed.jsonl" --profile a100-sxm-80gb --capacity "hbm=$cap" --spill "$p"
    done
  done
done
