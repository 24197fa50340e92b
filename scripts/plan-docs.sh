#!/usr/bin/env bash
# The demo's catalogue (examples/ against tracking_plan/) as docs/build/tracking-plan.html and
# .md, with cio-lint from .venv (scripts/demo.sh installs it). When a headless Chromium is on
# PATH, also a screenshot of the page, docs/build/tracking-plan.png, to look at the page
# without a browser; without one, the screenshot step says so and is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/build
mkdir -p "$out"
.venv/bin/cio-lint plan docs examples/ -o "$out/tracking-plan.html"
.venv/bin/cio-lint plan docs examples/ --format md -o "$out/tracking-plan.md"
browser=""
for name in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$name" >/dev/null 2>&1; then browser="$name"; break; fi
done
if [ -z "$browser" ]; then
  echo "no headless Chromium on PATH (chromium, chromium-browser, google-chrome): no screenshot"
  exit 0
fi
"$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars --window-size=1280,2400 \
  --screenshot="$out/tracking-plan.png" "file://$PWD/$out/tracking-plan.html"
echo "Wrote $out/tracking-plan.png"
