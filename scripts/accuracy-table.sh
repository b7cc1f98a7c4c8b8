#!/usr/bin/env bash
# Prints the accuracy tables of docs/validation.md ("Accuracy") as markdown, computed from every
# measured dataset available to the project: Vidur's A100/A40 operator profiles and LLMCompass's
# A100 measurements in ../shared/data (not committed; set RIDGE_SHARED to the folder holding data/),
# and the published FlashAttention-2 A100 figures in traces/measured/.
#   scripts/accuracy-table.sh                        # docs/validation.md "Accuracy" tables
#   scripts/accuracy-table.sh --section efficiency   # docs/efficiency.md per-regime GEMM table
# Deterministic: the same data and profiles give the same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${RIDGE_SHARED:-../shared}/data
if [ ! -d "$DATA/vidur" ] && [ ! -d "$DATA/LLMCompass" ]; then
  echo "accuracy-table: no measured data at $DATA (expected vidur/ or LLMCompass/ in it; set RIDGE_SHARED to the folder that holds data/)" >&2
  exit 66
fi
swift build -c release --product ridge >&2
exec .build/release/ridge accuracy --data "$DATA" "$@"
