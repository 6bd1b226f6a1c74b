#!/usr/bin/env bash
# Photographs Day 3's TensorBoard panels with headless Chromium (apt-get install
# chromium) driven through the DevTools protocol by Node.js (18 or newer), so
# that it can scroll inside the Text tab's card.
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
# default 8000) can be set in the environment.
set -euo pipefail
text_logdir=${1:-logs/char_lm}
series_logdir=${2:-logs/series}
outdir=${3:-docs}
window=${WINDOW:-1400,900}
wait_ms=${WAIT:-8000}
python=${PYTHON:-.venv/bin/python}
free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mkdir -p "$outdir"
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; sleep 1; rm -rf "$work"' EXIT
node_flags=()
node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' || node_flags=(--experimental-websocket)

# One TensorBoard per log directory, on port $port (not in a subshell, so that
# the trap can stop it); wait until its plugin lists the tag.
serve() {
    local logdir=$1 plugin=$2 tag=$3
    port=$(free_port)
    "$python" -m tensorboard.main --logdir "$logdir" --host 127.0.0.1 --port "$port" \
        --load_fast false --samples_per_plugin images=1000,text=1000 >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 240); do
        curl -sf "http://127.0.0.1:$port/data/plugin/$plugin/tags" | grep -q "$tag" && break
        sleep 0.5
    done
}

# The DevTools client: open ADDRESS, wait, run SCRIPT in the page, save a PNG.
cat >"$work/shoot.js" <<'EOF'
const [devtools, address, out, waitMs, script] = process.argv.slice(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  let page;
  for (let i = 0; i < 150 && !page; i++) {
    try {
      const targets = await (await fetch(`http://127.0.0.1:${devtools}/json/list`)).json();
      page = targets.find((target) => target.type === "page");
    } catch (error) {}
    if (!page) await sleep(200);
  }
  const socket = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((resolve) => (socket.onopen = resolve));
  let last = 0;
  const waiting = new Map();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (waiting.has(message.id)) waiting.get(message.id)(message.result);
  };
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      waiting.set(++last, resolve);
      socket.send(JSON.stringify({ id: last, method, params }));
    });
  await send("Page.enable");
  await send("Page.navigate", { url: address });
  await sleep(Number(waitMs));
  if (script) {
    await send("Runtime.evaluate", { expression: script });
    await sleep(1500);
  }
  const shot = await send("Page.captureScreenshot", { format: "png" });
  require("fs").writeFileSync(out, Buffer.from(shot.data, "base64"));
  process.exit(0);
})();
EOF

shoot() {
    local out=$1 address=$2 script=${3:-} devtools profile
    devtools=$(free_port)
    profile=$(mktemp -d -p "$work")
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --hide-scrollbars --window-size="$window" \
        --remote-debugging-port="$devtools" about:blank >/dev/null 2>&1 &
    local browser=$!
    timeout 120 node "${node_flags[@]}" "$work/shoot.js" "$devtools" "$address" "$out" \
        "$wait_ms" "$script"
    kill "$browser" 2>/dev/null || true
    wait "$browser" 2>/dev/null || true
    echo "wrote $out"
}

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
