#!/usr/bin/env bash
# Takes the README's TensorBoard screenshot: a local tensorboard over a
# log directory, photographed by headless Chromium from Debian's packages
# (apt-get install chromium).
#
#   scripts/tensorboard_screenshot.sh [LOGDIR] [OUT.png] [PLUGIN]
#
# LOGDIR defaults to logs/momentum (run `python -m experiments.momentum` first),
# OUT.png to docs/tensorboard.png, PLUGIN to scalars with smoothing 0 (also: images,
# custom_scalars, text, hparams).
set -euo pipefail
logdir=${1:-logs/momentum}
out=${2:-docs/tensorboard.png}
plugin=${3:-scalars&_smoothingWeight=0}
python=${PYTHON:-.venv/bin/python}
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$(dirname "$out")"
"$python" -m tensorboard.main --logdir "$logdir" --host 127.0.0.1 --port "$port" \
    --load_fast false >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 120); do
    curl -sf "http://127.0.0.1:$port/data/runs" | grep -q . && break
    sleep 0.5
done
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size=1400,900 \
    --virtual-time-budget=15000 --screenshot="$out" \
    "http://127.0.0.1:$port/#$plugin" >/dev/null 2>&1
rm -rf "$profile"
echo "wrote $out"
