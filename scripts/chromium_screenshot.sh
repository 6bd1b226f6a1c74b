# Sourced by the tensorboard_screenshot*.sh scripts: a local TensorBoard and a
# headless Chromium (apt-get install chromium) driven by Node.js through
# devtools_screenshot.js. Needs `python` (TensorBoard's), `work` (a temporary
# folder, removed by the caller) and `pids` (an array the caller's EXIT trap
# kills) set by the caller.

scripts_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# OUTLIERS=show switches off "Ignore outliers in chart scaling" in Scalars and
# Time Series: TensorBoard keeps it in localStorage, which `shoot` fills first.
case ${OUTLIERS:-ignore} in
    ignore) storage= ;;
    show) storage='{"_ignoreYOutliers": "false", "_tb_global_settings": "{\"ignoreOutliers\": false}"}' ;;
    *) echo "OUTLIERS must be ignore or show; received: $OUTLIERS" >&2; exit 2 ;;
esac
node_flags=()
node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' || node_flags=(--experimental-websocket)

free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# serve LOGDIR PLUGIN TAG: a TensorBoard on $port (not in a subshell, so that
# the caller's trap can stop it); returns once PLUGIN lists a tag matching TAG.
serve() {
    local logdir=$1 plugin=$2 tag=$3
    port=$(free_port)
    "$python" -m tensorboard.main --logdir "$logdir" --host 127.0.0.1 --port "$port" \
        --load_fast false --samples_per_plugin images=1000,text=1000 >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 240); do
        curl -sf "http://127.0.0.1:$port/data/plugin/$plugin/tags" | grep -qE "$tag" && return
        sleep 0.5
    done
    echo "TensorBoard on $logdir listed no $plugin tag matching $tag within 2 minutes" >&2
    return 1
}

# shoot OUT.png ADDRESS [SCRIPT] [WINDOW]: waits $wait_ms of real time, runs
# SCRIPT in the page, saves OUT.png, WINDOW (default $window) pixels large.
shoot() {
    local out=$1 address=$2 script=${3:-} size=${4:-$window} devtools profile browser
    devtools=$(free_port)
    profile=$(mktemp -d -p "$work")
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --hide-scrollbars --window-size="$size" \
        --remote-debugging-port="$devtools" about:blank >/dev/null 2>&1 &
    browser=$!
    timeout 180 node "${node_flags[@]}" "$scripts_dir/devtools_screenshot.js" "$devtools" \
        "$address" "$out" "$wait_ms" "$script" "${storage:-}" "$size"
    kill "$browser" 2>/dev/null || true
    wait "$browser" 2>/dev/null || true
    echo "wrote $out"
}
