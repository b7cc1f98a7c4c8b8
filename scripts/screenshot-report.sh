#!/usr/bin/env bash
# Screenshots an HTML report in headless Chromium, to check that it renders in a real browser.
#
#   scripts/screenshot-report.sh [REPORT.html [OUT.png [WIDTH [HEIGHT]]]]
#
# With no REPORT it first writes the default workload's report (h100-sxm, llama-2-7b b1 p512 g128)
# to .build/report/report.html with the debug build. OUT defaults to REPORT with .png; the window is
# WIDTH × HEIGHT CSS pixels (default 1100 × 6000: the whole default report; the page background
# fills what is left). When ImageMagick's `convert` is installed the uniform bottom margin is trimmed.
# Without Chromium it says so and exits 0 (skipped), so CI passes where no browser can be installed;
# set RIDGE_REQUIRE_BROWSER=1 to make that an error (exit 69).
set -euo pipefail
cd "$(dirname "$0")/.."

browser=""
for candidate in "${CHROMIUM:-}" chromium chromium-browser google-chrome google-chrome-stable; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then browser=$(command -v "$candidate"); break; fi
done
if [ -z "$browser" ]; then
    echo "screenshot-report: skipped: no Chromium found (tried \$CHROMIUM, chromium, chromium-browser, google-chrome; install with: apt-get install chromium)"
    [ "${RIDGE_REQUIRE_BROWSER:-0}" = "1" ] && exit 69
    exit 0
fi

report="${1:-}"
if [ -z "$report" ]; then
    mkdir -p .build/report
    report=.build/report/report.html
    swift build --product ridge >/dev/null
    .build/debug/ridge report -o "$report"
fi
[ -f "$report" ] || { echo "screenshot-report: $report: no such file" >&2; exit 66; }
out="${2:-${report%.html}.png}"
width="${3:-1100}"
height="${4:-6000}"
abs="$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
profile_dir="$(mktemp -d)"
trap 'rm -rf "$profile_dir"' EXIT

# --no-sandbox: Chromium refuses to run as root with its sandbox (CI containers run as root).
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --force-device-scale-factor=1 --user-data-dir="$profile_dir" \
    --window-size="$width,$height" --screenshot="$out" "file://$abs" >/dev/null 2>&1 || true
if [ ! -s "$out" ]; then
    echo "screenshot-report: $browser wrote no screenshot of $report" >&2
    exit 1
fi
if command -v convert >/dev/null 2>&1 && convert -version 2>/dev/null | grep -q "^Version: ImageMagick"; then
    # Crop the uniform page background below the last section, keeping a 24 px margin.
    box=$(convert "$out" -format '%@' info: 2>/dev/null || true)     # WxH+X+Y of what is not background
    if [[ "$box" =~ ^([0-9]+)x([0-9]+)\+([0-9]+)\+([0-9]+)$ ]]; then
        keep=$(( ${BASH_REMATCH[2]} + ${BASH_REMATCH[4]} + 24 ))
        if [ "$keep" -lt "$height" ]; then convert "$out" -crop "${width}x${keep}+0+0" +repage "$out" 2>/dev/null || true; fi
    fi
fi
echo "screenshot-report: wrote $out ($width px wide) from $report with $(basename "$browser")"
