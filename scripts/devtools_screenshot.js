// Photographs one page in a headless Chromium through the DevTools protocol
// (Node.js 18 or newer; with Node 18-21 run it with --experimental-websocket).
//
//   node devtools_screenshot.js DEVTOOLS_PORT ADDRESS OUT.png WAIT_MS [SCRIPT] [STORAGE_JSON] [WIDTH,HEIGHT]
//
// It opens ADDRESS in the browser listening on DEVTOOLS_PORT, waits WAIT_MS
// milliseconds of real time (Chromium's --virtual-time-budget does not wait
// for images that TensorBoard loads lazily, which left cards blank), runs
// SCRIPT in the page if given (e.g. to scroll), and saves a PNG.
// STORAGE_JSON, e.g. '{"_ignoreYOutliers": "false"}', is written to the page's
// localStorage before its own scripts run: the settings that TensorBoard keeps
// there rather than in the address. WIDTH,HEIGHT sets the page's viewport, the
// picture's size (headless Chromium's window is taller than its viewport).
const [devtools, address, out, waitMs, script, storage, size] = process.argv.slice(2);
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
  if (!page) throw new Error(`no browser page on DevTools port ${devtools}`);
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
  if (size) {
    const [width, height] = size.split(",").map(Number);
    await send("Emulation.setDeviceMetricsOverride", {
      width, height, deviceScaleFactor: 1, mobile: false,
    });
  }
  if (storage) {
    const items = JSON.stringify(JSON.parse(storage));
    await send("Page.addScriptToEvaluateOnNewDocument", {
      source: `for (const [key, value] of Object.entries(${items})) localStorage.setItem(key, value);`,
    });
  }
  await send("Page.navigate", { url: address });
  await sleep(Number(waitMs));
  if (script) {
    await send("Runtime.evaluate", { expression: script });
    await sleep(1500);
  }
  const shot = await send("Page.captureScreenshot", { format: "png" });
  require("fs").writeFileSync(out, Buffer.from(shot.data, "base64"));
  process.exit(0);
})().catch((error) => {
  console.error(`devtools_screenshot.js: ${error.message}`);
  process.exit(1);
});
