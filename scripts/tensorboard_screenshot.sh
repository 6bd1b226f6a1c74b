#!/usr/bin/env bash
# Takes the README's TensorBoard screenshot: a local tensorboard over a log
# directory, photographed by headless Chromium (apt-get install chromium)
# driven by Node.js 18 or newer (scripts/devtools_screenshot.js).
#
#   scripts/tensorboard_screenshot.sh [LOGDIR] [OUT.png] [PLUGIN]
#
# LOGDIR defaults to logs/momentum (run `python -m experiments.momentum` first),
# OUT.png to docs/tensorboard.png, PLUGIN to scalars with smoothing 0 (also: images,
# custom_scalars, text, hparams, timeseries, each with `&tagFilter=REGEX` if wanted).
# In the environment: WINDOW (default 1400,900), WAIT (milliseconds of real
# time for the page to load, default 8000), and OUTLIERS=show to switch off
# "Ignore outliers in chart scaling" (TensorBoard keeps that setting in the
# browser's localStorage, not in the address; its default is to ignore them).
set -euo pipefail
logdir=${1:-logs/momentum}
out=${2:-docs/tensorboard.png}
plugin=${3:-scalars&_smoothingWeight=0}
window=${WINDOW:-1400,900}
wait_ms=${WAIT:-8000}
python=${PYTHON:-.venv/bin/python}
mkdir -p "$(dirname "$out")"
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; sleep 1; rm -rf "$work"' EXIT
# shellcheck source=scripts/chromium_screenshot.sh
source "$(dirname "$0")/chromium_screenshot.sh"

# Any run's scalar tag: the JSON then holds a quoted name.
serve "$logdir" scalars '"'
shoot "$out" "http://127.0.0.1:$port/#$plugin"
