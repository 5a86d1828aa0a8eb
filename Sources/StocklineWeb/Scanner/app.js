"use strict";
// The handheld scanner. Everything a person does becomes an action with its own idempotency key, kept in IndexedDB
// until the server has answered it: posted, or refused (a conflict the person resolves). An action whose answer was
// lost is sent again under the same key and posts once.

const app = document.getElementById("app");
const state = { catalog: null, csrf: null, mode: null, task: {}, message: null, online: navigator.onLine };

// MARK: - Storage

const database = new Promise((resolve, reject) => {
  const request = indexedDB.open("stockline-scanner", 1);
  request.onupgradeneeded = () => {
    request.result.createObjectStore("actions", { keyPath: "key" });
    request.result.createObjectStore("catalog", { keyPath: "id" });
  };
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

async function store(name, mode, work) {
  const db = await database;
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(name, mode);
    const request = work(transaction.objectStore(name));
    transaction.oncomplete = () => resolve(request && request.result);
    transaction.onerror = () => reject(transaction.error);
  });
}
const saveAction = (action) => store("actions", "readwrite", (s) => s.put(action));
const allActions = () => store("actions", "readonly", (s) => s.getAll());

// MARK: - The catalogue of the warehouse

async function loadCatalog() {
  const wanted = localStorage.getItem("warehouse") || "";
  try {
    const response = await fetch(`/scan/api/catalog?warehouse=${encodeURIComponent(wanted)}`, { cache: "no-store" });
    if (response.status === 401) return signedOut();
    if (!response.ok) {
      const refusal = await response.json();
      setOnline(true);
      return say("error", refusal.message || `The catalogue could not be loaded (HTTP ${response.status}).`);
    }
    const catalog = await response.json();
    catalog.id = "current";
    await store("catalog", "readwrite", (s) => s.put(catalog));
    use(catalog);
    setOnline(true);
  } catch (error) {
    const cached = await store("catalog", "readonly", (s) => s.get("current"));
    if (cached) use(cached);
    else say("error", "Offline, and this handheld has no catalogue yet: connect once to load it.");
    setOnline(false);
  }
}

function use(catalog) {
  state.catalog = catalog;
  state.csrf = catalog.csrf;
  document.getElementById("who").textContent = `${catalog.user} · ${catalog.warehouse}`;
  render();
}

function signedOut() {
  state.signedOut = true;
  render();
}

const items = () => state.catalog.items;
const itemBySku = (sku) => items().find((item) => item.sku === sku);

/** The item, lot, expiry, serial and count a scan stands for, or what else it named (a location, an order). */
function identify(raw) {
  const text = raw.trim();
  let fields;
  try {
    fields = GS1.parse(text);
  } catch (error) {
    return { error: error.message };
  }
  if (fields && fields.gtin) {
    const item = items().find((candidate) => GS1.normalize(candidate.gtin) === fields.gtin);
    if (!item) return { error: `No item of ${state.catalog.warehouse} has GTIN ${fields.gtin}.` };
    return { item, ...fields };
  }
  if (fields) return { error: "The label names no GTIN." };
  const item = itemBySku(text) || itemBySku(text.toUpperCase());
  if (item) return { item };
  const location = state.catalog.locations.find((path) => path === text || path === text.toUpperCase());
  if (location) return { location };
  const order = [...state.catalog.purchaseOrders, ...state.catalog.salesOrders].find((o) => o.id === text);
  if (order) return { order };
  return { error: `${text} is no item, location or order of ${state.catalog.warehouse}.` };
}

// MARK: - Feedback

let audio;
function feedback(ok) {
  try {
    audio = audio || new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = ok ? 1320 : 220;
    gain.gain.value = 0.08;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + (ok ? 0.08 : 0.35));
  } catch (error) { /* no sound on this device */ }
  if (navigator.vibrate) navigator.vibrate(ok ? 40 : [120, 60, 120]);
}

function say(kind, text) {
  state.message = { kind, text };
  feedback(kind !== "error");
  render();
}

// MARK: - The queue

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function enqueue(action, summary) {
  const queued = { ...action, key: newKey(), summary, state: "queued", created: Date.now() };
  await saveAction(queued);
  await foresee(queued);
  say("ok", navigator.onLine ? `${summary}: sending.` : `${summary}: queued until the network is back.`);
  sync();
}

/**
 * The catalogue as the action will leave it, until the server's next catalogue replaces it: offline, the next scan
 * then sees the stock moved and the order line received.
 */
async function foresee(action) {
  const catalog = state.catalog;
  const item = action.sku && itemBySku(action.sku);
  const qty = Number(action.qty);
  const shift = (location, change) => {
    if (!item || !location) return;
    let row = item.stock.find((s) => s.location === location && (s.lot ?? null) === (action.lot ?? null));
    if (!row) item.stock.push(row = { location, lot: action.lot, qty: "0", reserved: "0" });
    row.qty = String(Number(row.qty) + change);
  };
  if (action.kind === "receive") {
    shift(`${catalog.warehouse}/STOCK`, qty);
    const line = catalog.purchaseOrders.find((o) => o.id === action.po)?.lines.find((l) => l.sku === action.sku);
    if (line) line.open = String(Math.max(0, Number(line.open) - qty));
  } else if (action.kind === "putaway" || action.kind === "transfer") {
    shift(action.from, -qty);
    if (catalog.locations.includes(action.to)) shift(action.to, qty);
  } else if (action.kind === "pick") {
    catalog.salesOrders = catalog.salesOrders.filter((o) => o.id !== action.order);
  }
  await store("catalog", "readwrite", (s) => s.put(catalog));
}

const body = (action) => {
  const { state: _s, summary: _m, created: _c, code: _k, message: _t, posting: _p, answered: _a, ...rest } = action;
  return rest;
};

let syncing = null;
/** Sends the queued actions in the order they were made; one drain at a time. */
function sync() {
  if (!syncing) syncing = drain().finally(() => { syncing = null; renderQueue(); });
  return syncing;
}

async function drain() {
  if (!state.csrf) return;
  const queued = (await allActions()).filter((a) => a.state === "queued").sort((a, b) => a.created - b.created);
  let refreshed = false;
  for (let index = 0; index < queued.length; index++) {
    const action = queued[index];
    let response, reply;
    try {
      response = await fetch("/scan/api/actions", {
        method: "POST", cache: "no-store",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": state.csrf },
        body: JSON.stringify(body(action)),
      });
      reply = await response.json();
    } catch (error) {
      setOnline(false);
      return;
    }
    setOnline(true);
    if (reply.status === "stale" && !refreshed) {
      refreshed = true;
      await loadCatalog();
      index--;
      continue;
    }
    if (reply.status === "signed_out") return signedOut();
    if (response.status >= 500 || reply.status === "stale") return;
    action.answered = Date.now();
    if (reply.status === "posted") {
      action.state = "posted";
      action.posting = reply.posting;
    } else {
      action.state = "conflict";
      action.code = reply.code;
      action.message = reply.message;
      feedback(false);
    }
    await saveAction(action);
    renderQueue();
  }
  if (queued.some((a) => a.kind !== "count")) loadCatalog();
}

async function resolveConflict(key, choice) {
  const action = (await allActions()).find((a) => a.key === key);
  if (!action || action.state !== "conflict") return;
  // The same key again: a refusal does not use it up, and the operation may be accepted now.
  action.state = choice === "retry" ? "queued" : "discarded";
  await saveAction(action);
  renderQueue();
  if (choice === "retry") sync();
}

function setOnline(online) {
  state.online = online && navigator.onLine;
  const status = document.getElementById("status");
  status.textContent = state.online ? "online" : "offline";
  status.className = state.online ? "online" : "offline";
}

// MARK: - Rendering

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return element;
}

const MODES = [
  ["receive", "Receive", "against a purchase order"], ["putaway", "Putaway", "into a bin"],
  ["pick", "Pick", "a sales order"], ["transfer", "Transfer", "between locations"], ["count", "Count", "a location"],
];

function render() {
  app.replaceChildren();
  if (state.signedOut) {
    app.append(h("p", { class: "message error", role: "alert" }, "The session ended. Queued actions are kept."),
      h("a", { class: "big", href: "/login?next=/scan/" }, "Sign in"));
    return renderQueue();
  }
  if (!state.catalog) return renderQueue();
  if (state.message) {
    app.append(h("p", { id: "message", class: `message ${state.message.kind}`, role: "status" }, state.message.text));
  }
  if (!state.mode) {
    app.append(h("nav", { class: "modes", "aria-label": "Tasks" }, MODES.map(([mode, title, detail]) =>
      h("button", { class: "big", "data-mode": mode, onclick: () => start(mode) }, h("strong", {}, title), h("span", {}, detail)))));
    if (state.catalog.warehouses.length > 1 && state.catalog.role !== "warehouse_operator") {
      app.append(h("label", { for: "warehouse" }, "Warehouse"),
        h("select", { id: "warehouse", onchange: (e) => { localStorage.setItem("warehouse", e.target.value); loadCatalog(); } },
          state.catalog.warehouses.map((code) => h("option", { value: code, selected: code === state.catalog.warehouse }, code))));
    }
    app.append(h("p", { class: "muted" }, `Stock as of ${new Date(state.catalog.at).toLocaleString()}.`));
    return renderQueue();
  }
  app.append(h("div", { class: "task-head" }, h("h2", {}, MODES.find(([m]) => m === state.mode)[1]),
    h("button", { class: "back", onclick: () => start(null) }, "Done")));
  app.append(scanField());
  ({ receive: renderReceive, putaway: renderMove, transfer: renderMove, pick: renderPick, count: renderCount })[state.mode]();
  renderQueue();
  if (!document.activeElement || document.activeElement === document.body) document.getElementById("scan")?.focus();
}

function start(mode) {
  state.mode = mode;
  state.task = {};
  state.message = null;
  render();
  document.getElementById("scan")?.focus();
}

function scanField() {
  const input = h("input", {
    id: "scan", autocomplete: "off", autocapitalize: "off", spellcheck: "false", enterkeyhint: "go",
    placeholder: "Scan or type, then Enter",
    onkeydown: (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      const text = input.value;
      input.value = "";
      if (text.trim()) scanned(text);
    },
  });
  const row = h("div", { class: "scan-row" }, h("label", { for: "scan", class: "hidden" }, "Scan"), input);
  if ("BarcodeDetector" in window) row.append(h("button", { class: "camera", onclick: camera }, "Camera"));
  return row;
}

function field(id, label, value, attributes = {}) {
  return h("div", { class: "field" }, h("label", { for: id }, label),
    h("input", { id, value: value ?? "", autocomplete: "off", ...attributes }));
}

function choice(id, label, options, selected) {
  return h("div", { class: "field" }, h("label", { for: id }, label),
    h("select", { id }, options.map((value) => h("option", { value, selected: value === selected }, value))));
}

const value = (id) => document.getElementById(id)?.value.trim() ?? "";

/** A scan goes to the task that is open: an order opens it, an item or a location fills the form. */
function scanned(text) {
  const found = identify(text);
  if (found.error) return say("error", found.error);
  const task = state.task;
  if (found.order) {
    if (state.mode === "receive" && state.catalog.purchaseOrders.includes(found.order)) return chooseOrder(found.order);
    if (state.mode === "pick" && state.catalog.salesOrders.includes(found.order)) return chooseOrder(found.order);
    return say("error", `${found.order.id} is not an order to ${state.mode}.`);
  }
  if (found.location) {
    if (state.mode === "count") task.at = found.location;
    else if (task.item) task.to = found.location;
    else task.from = found.location;
    state.message = null;
    return render();
  }
  if (state.mode === "receive" && !task.order) return say("error", "Choose or scan the purchase order first.");
  if (state.mode === "pick") return pickScanned(found);
  if (state.mode === "receive" && !task.order.lines.some((line) => line.sku === found.item.sku)) {
    return say("error", `${found.item.sku} is not on ${task.order.id}.`);
  }
  Object.assign(task, { item: found.item, lot: found.lot, expiry: found.expiry, serial: found.serial, count: found.count });
  say("ok", `${found.item.sku} · ${found.item.name}${found.lot ? ` · lot ${found.lot}` : ""}`);
}

function chooseOrder(order) {
  state.task = { order, picked: {} };
  say("ok", `${order.id}${order.partner ? ` · ${order.partner}` : ""}`);
}

function orderList(orders, empty) {
  if (!orders.length) return h("p", { class: "muted" }, empty);
  return h("ul", { class: "orders" }, orders.map((order) => h("li", {},
    h("button", { class: "big", "data-order": order.id, onclick: () => chooseOrder(order) },
      h("strong", {}, order.id), h("span", {}, `${order.partner ?? ""} · ${order.lines.length} ${order.lines.length === 1 ? "line" : "lines"}`)))));
}

function itemFields(task, quantity) {
  const item = task.item;
  const tracked = item.tracking;
  return [
    h("p", { class: "item", id: "item" }, h("strong", {}, item.sku), ` ${item.name}`),
    field("qty", `Quantity (${item.unit})`, tracked === "serial" ? "1" : (task.count ?? quantity ?? "1"),
      { inputmode: "decimal", required: true }),
    tracked === "lot" ? field("lot", "Lot", task.lot) : null,
    tracked === "lot" ? field("expiry", "Expiry", task.expiry, { type: "date" }) : null,
    tracked === "serial" ? field("serial", "Serial", task.serial) : null,
  ];
}

function renderReceive() {
  const task = state.task;
  if (!task.order) return app.append(orderList(state.catalog.purchaseOrders, "No open purchase orders here."));
  app.append(h("p", { class: "doc" }, `Receiving ${task.order.id} from ${task.order.partner ?? "?"}`));
  app.append(h("table", { class: "lines" }, task.order.lines.map((line) =>
    h("tr", { "data-sku": line.sku }, h("td", {}, line.sku), h("td", { class: "n" }, `${line.open} open`)))));
  if (!task.item) return;
  const line = task.order.lines.find((l) => l.sku === task.item.sku);
  app.append(h("form", { class: "act", onsubmit: (event) => {
    event.preventDefault();
    const qty = value("qty");
    enqueue({ kind: "receive", po: task.order.id, sku: task.item.sku, qty, lot: value("lot") || undefined,
      expiry: value("expiry") || undefined, serials: value("serial") ? [value("serial")] : undefined },
      `Receive ${qty} × ${task.item.sku} on ${task.order.id}`);
    state.task = { order: task.order };
  } }, itemFields(task, line ? line.open : "1"), h("button", { id: "do", class: "big go" }, "Receive")));
}

function stockOf(item) { return item.stock.filter((s) => Number(s.qty) > 0); }

function renderMove() {
  const task = state.task;
  const putaway = state.mode === "putaway";
  if (!task.item) return app.append(h("p", { class: "muted" }, "Scan the item."));
  const stock = stockOf(task.item);
  const froms = [...new Set(stock.map((s) => s.location))];
  const home = `${state.catalog.warehouse}/STOCK`;
  const from = task.from && froms.includes(task.from) ? task.from : (putaway && froms.includes(home) ? home : froms[0]);
  const bins = state.catalog.locations.filter((path) => path !== from);
  const others = state.catalog.role === "warehouse_operator" ? [] :
    state.catalog.warehouses.filter((code) => code !== state.catalog.warehouse);
  const destinations = putaway ? bins.filter((path) => path.startsWith(`${home}/`)) : [...bins, ...others];
  if (!froms.length) return app.append(h("p", { class: "message error" }, `No stock of ${task.item.sku} here.`));
  const there = (path) => stock.filter((s) => s.location === path).reduce((sum, s) => sum + Number(s.qty), 0);
  app.append(h("form", { class: "act", onsubmit: (event) => {
    event.preventDefault();
    const qty = value("qty"), source = value("from"), target = value("to");
    enqueue({ kind: state.mode, sku: task.item.sku, qty, from: source, to: target, lot: value("lot") || undefined,
      serials: value("serial") ? [value("serial")] : undefined }, `${putaway ? "Put away" : "Transfer"} ${qty} × ${task.item.sku} to ${target}`);
    state.task = {};
  } }, itemFields(task, String(there(from))), choice("from", `From (${there(from)} there)`, froms, from),
  choice("to", "To (scan a bin)", destinations, task.to && destinations.includes(task.to) ? task.to : destinations[0]),
  h("button", { id: "do", class: "big go" }, putaway ? "Put away" : "Transfer")));
}

function renderPick() {
  const task = state.task;
  if (!task.order) return app.append(orderList(state.catalog.salesOrders.filter((o) => o.lines.some((l) => Number(l.reserved) > 0)),
    "No sales orders with reserved stock here."));
  const lines = task.order.lines.filter((line) => Number(line.reserved) > 0);
  const complete = lines.every((line) => (task.picked[line.sku] ?? 0) >= Number(line.reserved));
  app.append(h("p", { class: "doc" }, `Picking ${task.order.id} for ${task.order.partner ?? "?"}`));
  app.append(h("table", { class: "lines" }, lines.map((line) => {
    const picked = task.picked[line.sku] ?? 0;
    return h("tr", { "data-sku": line.sku, class: picked >= Number(line.reserved) ? "picked" : "" },
      h("td", {}, line.sku), h("td", { class: "n" }, `${picked} / ${line.reserved}`),
      h("td", {}, h("button", { class: "small", "aria-label": `All of ${line.sku} picked`,
        onclick: () => { task.picked[line.sku] = Number(line.reserved); render(); } }, "All")));
  })));
  app.append(h("button", { id: "do", class: "big go", disabled: !complete, onclick: () => {
    enqueue({ kind: "pick", order: task.order.id }, `Pick and ship ${task.order.id}`);
    state.task = {};
  } }, complete ? "Ship" : "Scan each item"));
}

function pickScanned(found) {
  const task = state.task;
  if (!task.order) return say("error", "Choose or scan the sales order first.");
  const line = task.order.lines.find((l) => l.sku === found.item.sku && Number(l.reserved) > 0);
  if (!line) return say("error", `${found.item.sku} is not to be picked for ${task.order.id}.`);
  const picked = (task.picked[line.sku] ?? 0) + Number(found.count ?? 1);
  if (picked > Number(line.reserved)) return say("error", `Only ${line.reserved} of ${line.sku} are to be picked.`);
  task.picked[line.sku] = picked;
  say("ok", `${line.sku}: ${picked} of ${line.reserved}`);
}

function renderCount() {
  const task = state.task;
  const at = task.at ?? state.catalog.warehouse;
  app.append(h("p", { class: "doc", id: "count-at" }, `Counting at ${at}`));
  if (!task.item) return app.append(h("p", { class: "muted" }, "Scan the location, then the item."));
  const here = task.item.stock.filter((s) => s.location === at || (at === state.catalog.warehouse && s.location.startsWith(`${at}/`)));
  const system = here.reduce((sum, s) => sum + Number(s.qty), 0);
  app.append(h("form", { class: "act", onsubmit: (event) => {
    event.preventDefault();
    const qty = value("qty");
    enqueue({ kind: "count", sku: task.item.sku, at, qty, lot: value("lot") || undefined,
      expected: state.catalog.blindCounts ? undefined : String(system) }, `Count ${qty} × ${task.item.sku} at ${at}`);
    state.task = { at };
  } }, h("p", { class: "item", id: "item" }, h("strong", {}, task.item.sku), ` ${task.item.name}`),
  state.catalog.blindCounts ? h("p", { class: "muted", id: "blind" }, "Blind count: the system quantity is not shown.")
    : h("p", { id: "system" }, `System: ${system} ${task.item.unit}`),
  field("qty", `Counted (${task.item.unit})`, "", { inputmode: "decimal", required: true }),
  task.item.tracking === "lot" ? field("lot", "Lot", task.lot) : null,
  h("button", { id: "do", class: "big go" }, "Count")));
}

async function renderQueue() {
  const list = document.getElementById("queue");
  const actions = (await allActions()).sort((a, b) => b.created - a.created);
  const waiting = actions.filter((a) => a.state === "queued").length;
  const conflicts = actions.filter((a) => a.state === "conflict").length;
  document.getElementById("pending").textContent = String(waiting);
  document.getElementById("conflicts").textContent = String(conflicts);
  list.replaceChildren(...actions.filter((a) => a.state !== "posted" || Date.now() - a.answered < 3_600_000).slice(0, 30)
    .map((action) => h("li", { class: action.state, "data-key": action.key, "data-state": action.state },
      h("span", { class: "what" }, action.summary),
      h("span", { class: "badge" }, { queued: "waiting", posted: `posted #${action.posting}`, conflict: "refused",
        discarded: "discarded" }[action.state]),
      action.state === "conflict" ? h("div", { class: "conflict" },
        h("p", { class: "reason" }, `${action.code}: ${action.message}`),
        h("button", { class: "small", onclick: () => resolveConflict(action.key, "retry") }, "Try again"),
        h("button", { class: "small", onclick: () => resolveConflict(action.key, "discard") }, "Discard")) : null)));
}

// MARK: - Camera

async function camera() {
  const detector = new BarcodeDetector();
  const video = h("video", { class: "camera-view", playsinline: true, muted: true });
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch (error) {
    return say("error", "The camera is not available: scan or type instead.");
  }
  app.prepend(video);
  await video.play();
  const stop = () => { video.srcObject.getTracks().forEach((track) => track.stop()); video.remove(); };
  const look = async () => {
    if (!video.isConnected) return;
    const codes = await detector.detect(video).catch(() => []);
    if (codes.length) { stop(); scanned(codes[0].rawValue); } else requestAnimationFrame(look);
  };
  video.addEventListener("click", stop);
  look();
}

// MARK: - Start

addEventListener("online", () => { setOnline(true); sync(); });
addEventListener("offline", () => setOnline(false));
addEventListener("keydown", (event) => {
  // A keyboard-wedge scanner types wherever the focus is: with nothing focused, into the scan field.
  if (document.activeElement === document.body && event.key.length === 1) document.getElementById("scan")?.focus();
});
setInterval(() => { if (navigator.onLine) sync(); }, 10_000);
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/scan/sw.js", { scope: "/scan/" });
setOnline(navigator.onLine);
loadCatalog().then(sync);
