#!/usr/bin/env bash
# Photographs the Day-2 TensorBoard panels (confusion matrix, misclassified
# examples, first-layer weights, feature maps, per-class accuracy, gradient
# norms, PR curves) with headless Chromium (apt-get install chromium).
#
#   scripts/tensorboard_screenshots_day2.sh [LOGDIR] [OUTDIR] [RUN]
#
# LOGDIR defaults to logs (make a run first, e.g.
#   kerasclf train --dataset fonts --model cnn --logdir logs --run-name cnn),
# OUTDIR to day2_screenshots, RUN (a regular expression over run names) to cnn.
# WINDOW (default 1400,1000) and BUDGET (virtual-time milliseconds, default
# 20000) can be set in the environment; DOCS=PATH.png also writes the
# documentation's picture of the confusion matrix and misclassified cards
# (window DOCS_WINDOW, default 1100,600). Writes one PNG per panel into OUTDIR:
#   timeseries_confusion_misclassified.png, timeseries_first_layer_activations.png
#   (Time Series is the default tab),
#   images_confusion_misclassified.png, images_first_layer_activations.png,
#   images_all.png, scalars_class_accuracy.png, scalars_gradient_norm.png,
#   pr_curves.png
set -euo pipefail
logdir=${1:-logs}
outdir=${2:-day2_screenshots}
run=${3:-cnn}
window=${WINDOW:-1400,1000}
budget=${BUDGET:-20000}
python=${PYTHON:-.venv/bin/python}
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$outdir"
"$python" -m tensorboard.main --logdir "$logdir" --host 127.0.0.1 --port "$port" \
    --load_fast false --samples_per_plugin images=1000,text=1000 >/dev/null 2>&1 &
server=$!
profile=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$profile"' EXIT
# Wait until the images plugin knows the confusion matrix: the run list
# appears before the event files are fully read.
for _ in $(seq 240); do
    curl -sf "http://127.0.0.1:$port/data/plugin/images/tags" | grep -q confusion_matrix && break
    sleep 0.5
done
sleep 2
shoot() {
    local out=$1 address=$2 size=${3:-$window}
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --hide-scrollbars --window-size="$size" \
        --virtual-time-budget="$budget" --screenshot="$out" \
        "http://127.0.0.1:$port/$address" >/dev/null 2>&1
    echo "wrote $out"
}
shoot "$outdir/timeseries_confusion_misclassified.png" "?runFilter=$run&tagFilter=confusion_matrix%7Cmisclassified#timeseries"
shoot "$outdir/timeseries_first_layer_activations.png" "?runFilter=$run&tagFilter=first_layer%7Cactivations#timeseries"
shoot "$outdir/images_confusion_misclassified.png" "#images&regexInput=$run&tagFilter=confusion_matrix%7Cmisclassified"
shoot "$outdir/images_first_layer_activations.png" "#images&regexInput=$run&tagFilter=first_layer%7Cactivations"
shoot "$outdir/images_all.png" "#images&regexInput=$run"
shoot "$outdir/scalars_class_accuracy.png" "#scalars&_smoothingWeight=0&tagFilter=class_accuracy"
shoot "$outdir/scalars_gradient_norm.png" "#scalars&_smoothingWeight=0&tagFilter=gradient_norm"
shoot "$outdir/pr_curves.png" "#pr_curves"
if [ -n "${DOCS:-}" ]; then
    # The documentation's picture: both cards, the tab bar and the run list,
    # in a window just wide enough for two cards side by side.
    mkdir -p "$(dirname "$DOCS")"
    shoot "$DOCS" "#images&regexInput=$run&tagFilter=confusion_matrix%7Cmisclassified" \
        "${DOCS_WINDOW:-1100,600}"
fi
