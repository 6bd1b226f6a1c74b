#!/usr/bin/env bash
# Photographs Day 3's TensorBoard panels with headless Chromium (apt-get install
# chromium) driven through the DevTools protocol by Node.js (18 or newer,
# scripts/devtools_screenshot.js), so that it can scroll inside the Text tab's card.
#
#   scripts/tensorboard_screenshots_day3.sh [TEXT_LOGDIR] [SERIES_LOGDIR] [OUTDIR]
#
# TEXT_LOGDIR defaults to logs/char_lm (run `python -m experiments.char_lm`
# first), SERIES_LOGDIR to logs/series (run `kerasclf train --dataset series
# --model lstm --epochs 5 --logdir logs/series`), OUTDIR to docs. Writes:
#   day3_text.png        Text tab, `generated_text`: the card opens on the last
#                        epochs (TensorBoard lists the newest step first)
#   day3_text_step0.png  the same card scrolled to its bottom: steps 1 and 0
#   day3_images.png      Images tab: `forecast` and `hidden_state` at the last epoch
# WINDOW (default 1400,900) and WAIT (milliseconds for the page to load,
# default 8000) and OUTLIERS=show can be set in the environment.
set -euo pipefail
text_logdir=${1:-logs/char_lm}
series_logdir=${2:-logs/series}
outdir=${3:-docs}
window=${WINDOW:-1400,900}
wait_ms=${WAIT:-8000}
python=${PYTHON:-.venv/bin/python}
mkdir -p "$outdir"
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; sleep 1; rm -rf "$work"' EXIT
# shellcheck source=scripts/chromium_screenshot.sh
source "$(dirname "$0")/chromium_screenshot.sh"

# Scrolls each Text card's list of steps (inside TensorBoard's shadow DOM) to its bottom.
to_step0='(() => { const walk = (root) => { for (const element of root.querySelectorAll("*")) {
  if (element.id === "steps-container") element.scrollTop = element.scrollHeight;
  if (element.shadowRoot) walk(element.shadowRoot); } }; walk(document); })()'

serve "$text_logdir" text generated_text
shoot "$outdir/day3_text.png" "http://127.0.0.1:$port/#text&tagFilter=generated_text"
shoot "$outdir/day3_text_step0.png" "http://127.0.0.1:$port/#text&tagFilter=generated_text" \
    "$to_step0"
serve "$series_logdir" images forecast
shoot "$outdir/day3_images.png" "http://127.0.0.1:$port/#images&tagFilter=forecast%7Chidden_state"
