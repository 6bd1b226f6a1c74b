#!/usr/bin/env bash
# Photographs the Day-2 TensorBoard panels (confusion matrix, misclassified
# examples, first-layer weights, feature maps, per-class accuracy, gradient
# norms, PR curves) with headless Chromium (apt-get install chromium) driven by
# Node.js 18 or newer (scripts/devtools_screenshot.js).
#
#   scripts/tensorboard_screenshots_day2.sh [LOGDIR] [OUTDIR] [RUN]
#
# LOGDIR defaults to logs (make a run first, e.g.
#   kerasclf train --dataset fonts --model cnn --logdir logs --run-name cnn),
# OUTDIR to day2_screenshots, RUN (a regular expression over run names) to cnn.
# WINDOW (default 1400,1000), WAIT (milliseconds of real time for each page,
# default 10000; Chromium's virtual time left lazily loaded image cards blank)
# and OUTLIERS=show (scalar charts not ignoring outliers) can be set in the
# environment; DOCS=PATH.png also writes the
# documentation's picture of the confusion matrix and misclassified cards
# (window DOCS_WINDOW, default 1100,660). Writes one PNG per panel into OUTDIR:
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
wait_ms=${WAIT:-10000}
python=${PYTHON:-.venv/bin/python}
mkdir -p "$outdir"
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; sleep 1; rm -rf "$work"' EXIT
# shellcheck source=scripts/chromium_screenshot.sh
source "$(dirname "$0")/chromium_screenshot.sh"

# The run list appears before the event files are fully read: wait for the matrix.
serve "$logdir" images confusion_matrix
address="http://127.0.0.1:$port"
shoot "$outdir/timeseries_confusion_misclassified.png" "$address/?runFilter=$run&tagFilter=confusion_matrix%7Cmisclassified#timeseries"
shoot "$outdir/timeseries_first_layer_activations.png" "$address/?runFilter=$run&tagFilter=first_layer%7Cactivations#timeseries"
shoot "$outdir/images_confusion_misclassified.png" "$address/#images&regexInput=$run&tagFilter=confusion_matrix%7Cmisclassified"
shoot "$outdir/images_first_layer_activations.png" "$address/#images&regexInput=$run&tagFilter=first_layer%7Cactivations"
shoot "$outdir/images_all.png" "$address/#images&regexInput=$run"
shoot "$outdir/scalars_class_accuracy.png" "$address/#scalars&_smoothingWeight=0&regexInput=$run&tagFilter=class_accuracy"
shoot "$outdir/scalars_gradient_norm.png" "$address/#scalars&_smoothingWeight=0&regexInput=$run&tagFilter=gradient_norm"
shoot "$outdir/pr_curves.png" "$address/#pr_curves&regexInput=$run"
if [ -n "${DOCS:-}" ]; then
    # The documentation's picture: both cards, the tab bar and the run list,
    # in a window just wide enough for two cards side by side.
    mkdir -p "$(dirname "$DOCS")"
    shoot "$DOCS" "$address/#images&regexInput=$run&tagFilter=confusion_matrix%7Cmisclassified" "" \
        "${DOCS_WINDOW:-1100,660}"
fi
