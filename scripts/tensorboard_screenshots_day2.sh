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
# 20000) can be set in the environment. Writes one PNG per panel into OUTDIR:
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
    --load_fast false --samples_per_plugin images=1000 >/dev/null 2>&1 &
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
    local name=$1 fragment=$2
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --hide-scrollbars --window-size="$window" \
        --virtual-time-budget="$budget" --screenshot="$outdir/$name.png" \
        "http://127.0.0.1:$port/#$fragment" >/dev/null 2>&1
    echo "wrote $outdir/$name.png"
}
shoot images_confusion_misclassified "images&regexInput=$run&tagFilter=confusion_matrix%7Cmisclassified"
shoot images_first_layer_activations "images&regexInput=$run&tagFilter=first_layer%7Cactivations"
shoot images_all "images&regexInput=$run"
shoot scalars_class_accuracy "scalars&_smoothingWeight=0&tagFilter=class_accuracy"
shoot scalars_gradient_norm "scalars&_smoothingWeight=0&tagFilter=gradient_norm"
shoot pr_curves "pr_curves"
