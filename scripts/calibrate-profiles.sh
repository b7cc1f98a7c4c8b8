#!/usr/bin/env bash
# Regenerates the fitted efficiency of the bundled A100 and A40 profiles from the measurements in
# ../shared/data (Vidur operator profiles; not committed) and traces/measured (published figures).
# Deterministic: the same data gives byte-identical profiles. See docs/efficiency.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${RIDGE_SHARED:-../shared}/data
[ -d "$DATA/vidur" ] || { echo "calibrate-profiles: $DATA/vidur not found (set RIDGE_SHARED)" >&2; exit 66; }
swift build -c release --product ridge >&2
RIDGE=.build/release/ridge
measured() { for f in "$DATA"/vidur/profiling/compute/"$1"/*/*/mlp.csv; do printf -- '--measured\n%s\n' "$f"; done; }
mapfile -t A100 < <(measured a100)
mapfile -t A40 < <(measured a40)
"$RIDGE" calibrate --profile a100-sxm-80gb "${A100[@]}" --measured traces/measured/flashattention2-a100.csv \
  --holdout 0.2 --seed 1 --fresh --inline -o hardware-profiles/a100-sxm-80gb.json
"$RIDGE" calibrate --profile a40 "${A40[@]}" --holdout 0.2 --seed 1 --fresh --inline -o hardware-profiles/a40.json
# GPUs without per-kernel measurements: the nearest measured sibling's fitted efficiency, scaled by
# the two GPUs' attainable ceilings (HBM data-centre parts from the A100, GDDR parts from the A40).
for p in h100-sxm h100-pcie h200-sxm a100-sxm-40gb v100s-pcie mi300x; do
  "$RIDGE" calibrate --profile "$p" --transfer-from a100-sxm-80gb --inline -o "hardware-profiles/$p.json"
done
for p in a6000 t4 l4 rtx-4090; do
  "$RIDGE" calibrate --profile "$p" --transfer-from a40 --inline -o "hardware-profiles/$p.json"
done
