// The barcoded console: one module, no dependencies, served by barcoded itself.
//
// Every value from the server reaches the page as text (textContent, never
// HTML). The key lives in this tab's sessionStorage and travels only in the
// Authorization header of requests to this server; the server decides what
// each key may do, the page only hides what a key may not.

const KEY_ITEM = "barcoded.key";
/** Why the last session ended, for the sign-in form of the page loaded afresh. */
const SIGNED_OUT_ITEM = "barcoded.signed-out";
/** The label sheet, kept over a reload of this tab. */
const SHEET_ITEM = "barcoded.labels";
/** The label stock chosen for the sheet. */
const SIZE_ITEM = "barcoded.label-size";
const ADMIN_PAGES = new Set(["plugins", "history", "stock", "orders", "keys", "audit"]);
const PAGES = new Set(["scan", "lookup", "catalog", "labels", ...ADMIN_PAGES]);

const session = { key: null, name: null, role: null };
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- helpers

/** An element with attributes (`on*` are listeners) and text or element children. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Replaces the children of `node`. */
function fill(node, ...children) {
  node.replaceChildren();
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
}

/** A table body's rows, or one row saying there is nothing; kept in the order and filter chosen. */
function fillRows(table, rows, empty) {
  const body = table.tBodies[0];
  const columns = table.tHead.rows[0].cells.length;
  fill(body, rows.length ? rows : el("tr", {}, el("td", { colspan: columns, class: "empty" }, empty)));
  const sorted = [...table.tHead.rows[0].cells].findIndex((th) => th.hasAttribute("aria-sort"));
  if (sorted >= 0) sortRows(table, sorted, table.tHead.rows[0].cells[sorted].getAttribute("aria-sort") === "ascending");
  filterRows(table);
}

/**
 * Makes each heading of a `.grid` table a button that sorts its rows by that
 * column, ascending then descending (`aria-sort` says which); a cell's
 * `data-sort` is its value when it shows another (a time in the local zone).
 */
function sortable(table) {
  const headings = [...table.tHead.rows[0].cells];
  headings.forEach((th, index) => {
    if (th.dataset.sort === "none") return;
    const button = el("button", { type: "button", class: "sort" }, th.textContent);
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      for (const other of headings) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      sortRows(table, index, ascending);
    });
    th.replaceChildren(button);
  });
}

function sortRows(table, index, ascending) {
  const numeric = table.tHead.rows[0].cells[index].classList.contains("num");
  const rows = [...table.tBodies[0].rows].filter((row) => !row.querySelector("td.empty"));
  const key = (row) => {
    const cell = row.cells[index];
    return cell ? (cell.dataset.sort ?? cell.innerText.trim()) : "";
  };
  const compare = numeric
    ? (a, b) => (parseFloat(key(a)) || 0) - (parseFloat(key(b)) || 0)
    : (a, b) => key(a).localeCompare(key(b), undefined, { numeric: true, sensitivity: "base" });
  rows.sort((a, b) => (ascending ? compare(a, b) : compare(b, a)));
  table.tBodies[0].append(...rows);
}

/** Hides the rows of `table` that do not contain its filter box's text (any case). */
function filterRows(table) {
  const box = document.querySelector(`input[data-filter="${table.id}"]`);
  const wanted = box ? box.value.trim().toLowerCase() : "";
  for (const row of table.tBodies[0].rows) {
    if (row.querySelector("td.empty")) continue;
    row.hidden = !!wanted && !row.innerText.toLowerCase().includes(wanted);
  }
}

function setUpTables() {
  for (const table of document.querySelectorAll("table.grid")) sortable(table);
  for (const box of document.querySelectorAll("input[data-filter]")) {
    box.addEventListener("input", () => filterRows($(box.dataset.filter)));
  }
}

/** The names of the C0 control characters, by code: GS is 0x1D. */
const CONTROL_NAMES = ["NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR",
  "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"];

/** Text with each control character written as its substitute, `<GS>`, which every font can show. */
function visible(text) {
  return String(text ?? "").replace(/[\u0000-\u001f]/g, (c) => `<${CONTROL_NAMES[c.charCodeAt(0)]}>`);
}

/** Scanned data for reading: control characters as marked names, so `GS` cannot pass for text. */
function dataView(text) {
  const parts = String(text ?? "").split(/([\u0000-\u001f])/);
  return parts.filter((part) => part !== "").map((part) => (/^[\u0000-\u001f]$/.test(part)
    ? el("span", { class: "control", title: `control character 0x${part.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}` },
      CONTROL_NAMES[part.charCodeAt(0)])
    : part));
}

function notice(message, kind = "info") {
  const node = $("notice");
  node.textContent = message;
  node.className = `notice ${kind}`;
  node.hidden = !message;
}

/**
 * A product's price with at least two decimals, as tills print it: JSON
 * numbers reach the page as floats, which drop trailing zeros (3.20 is 3.2).
 */
function price(product) {
  const amount = Number(product.unitPrice);
  const decimals = (String(product.unitPrice).split(".")[1] || "").length;
  return `${amount.toFixed(Math.min(4, Math.max(2, decimals)))} ${product.currency}`;
}

/** A table cell showing `time` in the browser's zone, sorting by the instant. */
function timeCell(time) {
  return el("td", { "data-sort": time || "" }, when(time));
}

function when(time) {
  return time ? new Date(time).toLocaleString() : "";
}

// ---------------------------------------------------------------- the API

class ApiError extends Error {
  /** `field`: the request body's field the server named as at fault. */
  constructor(status, message, field = null) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

/**
 * Sends one request with the session's key. Answers `{status, data}` for any
 * status; a 401 ends the session, since the key no longer works.
 */
async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${session.key}` };
  const init = { method, headers, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" };
  if (body instanceof Blob) {
    headers["Content-Type"] = "application/wasm";
    init.body = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "The server cannot be reached.");
  }
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : await response.blob();
  if (response.status === 401) {
    signOut("The server refused the key (it may have been revoked). Sign in again.");
    throw new ApiError(401, "The key was refused.");
  }
  return { status: response.status, data };
}

/** The data of a 2xx answer; anything else throws with the server's message. */
async function ok(request) {
  const { status, data } = await request;
  if (status >= 200 && status < 300) return data;
  if (status === 403) throw new ApiError(403, "This needs an admin key.");
  throw new ApiError(status, (data && data.error) || `The server answered ${status}.`, data && data.field);
}

/** Runs `action`, showing what went wrong instead of throwing. */
async function guarded(action) {
  try {
    return await action();
  } catch (error) {
    if (error.status !== 401) notice(error.message, "error");
    return undefined;
  }
}

/** Takes the messages `submit` put at a form's fields away. */
function clearFieldErrors(form) {
  for (const message of form.querySelectorAll(".field-error")) message.remove();
  for (const control of form.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
    control.removeAttribute("aria-describedby");
  }
}

/**
 * Runs `action` for `form`. A refusal that names a field (the server's
 * `{error, field}`) is shown beside the control whose `data-field` is that
 * field, or the nearest one (`lines[0].ordered`, else `lines`); anything
 * else in the notice. Answers what `action` did, or undefined.
 */
async function submit(form, action) {
  clearFieldErrors(form);
  try {
    return await action();
  } catch (error) {
    if (error.status === 401) return undefined;
    const control = fieldControl(form, error.field);
    if (!control) {
      notice(error.message, "error");
      return undefined;
    }
    const id = `${form.id}-${control.dataset.field.replace(/\W/g, "-")}-error`;
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", id);
    const message = el("span", { class: "field-error", id, role: "alert" }, error.message);
    const label = control.closest("label");
    if (label) label.append(message);
    else control.after(message);
    control.focus();
    return undefined;
  }
}

/** The control of `form` for `field`, or for the field it is part of. */
function fieldControl(form, field) {
  for (let path = field; path; path = path.replace(/(\.[^.[]+|\[\d+\])$/, "") || null) {
    const control = [...form.querySelectorAll("[data-field]")].find((c) => c.dataset.field === path);
    if (control) return control;
    if (!/(\.[^.[]+|\[\d+\])$/.test(path)) break;
  }
  return null;
}

/** A labelled input for the body field `field`. */
function fieldInput(label, field, attributes = {}) {
  return el("label", {}, label, el("input", { type: "text", spellcheck: "false", "data-field": field, ...attributes }));
}

// ---------------------------------------------------------------- session

async function signIn(key) {
  session.key = key;
  const { status, data } = await fetch("/api/user/me/", {
    headers: { Authorization: `Bearer ${key}` },
    cache: "no-store",
    credentials: "omit",
  }).then(async (r) => ({ status: r.status, data: await r.json().catch(() => null) }),
    () => ({ status: 0, data: null }));
  if (status !== 200 || !data) {
    session.key = null;
    sessionStorage.removeItem(KEY_ITEM);
    return status === 0 ? "The server cannot be reached." : "The server refused this key.";
  }
  session.name = data.username;
  session.role = data.role;
  sessionStorage.setItem(KEY_ITEM, key);
  return null;
}

/**
 * Ends the session by loading the page afresh: nothing the last key saw (a
 * new key's secret, the key list, plugin details) stays in the page for the
 * next one to find, and the next sign-in starts on the Scan page.
 */
function signOut(message = "") {
  Object.assign(session, { key: null, name: null, role: null });
  sessionStorage.removeItem(KEY_ITEM);
  sessionStorage.setItem(SIGNED_OUT_ITEM, message);
  history.replaceState(null, "", location.pathname);
  location.reload();
}

function showSignIn(message) {
  $("app").hidden = true;
  $("signin").hidden = false;
  $("signin-key").value = "";
  $("signin-error").textContent = message;
  $("signin-key").focus();
}

function showApp() {
  $("signin").hidden = true;
  $("app").hidden = false;
  $("who").textContent = `${session.name} (${session.role})`;
  for (const node of document.querySelectorAll("[data-role=admin]")) {
    node.hidden = session.role !== "admin";
  }
  route();
}

// ---------------------------------------------------------------- pages

const loaders = {};

function route() {
  if (!session.key) return;
  const wanted = location.hash.replace(/^#/, "") || "scan";
  let page = PAGES.has(wanted) ? wanted : "scan";
  if (ADMIN_PAGES.has(page) && session.role !== "admin") page = "denied";
  notice("");
  for (const section of document.querySelectorAll("main > section")) {
    section.hidden = section.dataset.page !== page;
  }
  for (const link of document.querySelectorAll("nav a")) {
    if (link.getAttribute("href") === `#${page}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  // Busy until its loader answers, so that nothing acts on the last visit's rows.
  const loader = loaders[page];
  if (loader) {
    const section = document.querySelector(`main > section[data-page="${page}"]`);
    section.setAttribute("aria-busy", "true");
    guarded(loader).finally(() => section.removeAttribute("aria-busy"));
  }
  const focus = { scan: "scan-input", lookup: "lookup-code", catalog: "catalog-q" }[page];
  if (focus) $(focus).focus();
}

// ------------------------------------------------------------ shared views

/** The till's line for a catalog record: `4× CA | Dragonvale Cat Senior 2kg`. */
function tillLine(barcode, product) {
  const name = product ? product.name : `no product ${barcode.productSku}`;
  return `${barcode.quantity}× ${barcode.uomCode} | ${name}`;
}

function definitions(pairs) {
  return el("dl", { class: "fields" }, pairs.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, dataView(value))]));
}

/**
 * The catalog's answer: the till line and the record, or, for a code that
 * named a product but no barcode record, the product with the plugin's own
 * quantity and unit when it gave them.
 */
function recordView(barcode, product, result = {}) {
  if (!barcode && product) {
    const pack = result.quantity && result.uom_code ? `${result.quantity}× ${result.uom_code} | ` : "";
    return el("div", { class: "record" },
      el("p", { class: "till", "data-test": "till" }, `${pack}${product.name}`),
      definitions([["SKU", product.sku], ["Category", product.category], ["Price", price(product)]]),
      el("p", { class: "muted" }, "The code names this product; no barcode record carries it."));
  }
  if (!barcode) return el("p", { class: "muted" }, "Not in the catalog.");
  return el("div", { class: "record" },
    el("p", { class: "till", "data-test": "till" }, tillLine(barcode, product)),
    definitions([
      ["Barcode", barcode.barcode],
      ["Type", `${barcode.barcodeType} (${barcode.format})`],
      ["SKU", barcode.productSku],
      ["Unit", `${barcode.uomCode} × ${barcode.quantity}${barcode.isDefault ? ", default" : ""}`],
      ...(product ? [["Category", product.category], ["Price", price(product)]] : []),
    ]));
}

function actionsView(actions) {
  if (!actions) return null;
  const items = [
    ...actions.movements.map((m) =>
      el("li", {}, `Stock ${m.delta > 0 ? "+" : ""}${m.delta} ${m.sku} at ${m.location}, now ${m.level} (${m.reason})`)),
    ...actions.receipts.map((r) =>
      el("li", {}, `Received ${r.quantity} × ${r.sku} on ${r.order}: ${r.received} of ${r.ordered}`)),
    ...actions.refused.map((r) => el("li", { class: "error" }, `Refused ${r.call} (${r.error}): ${r.reason}`)),
  ];
  return items.length ? el("div", {}, el("h3", {}, "Actions"), el("ul", { class: "actions" }, items)) : null;
}

function diagnosticsView(diagnostics) {
  if (!diagnostics || !diagnostics.length) return null;
  return el("div", {}, el("h3", {}, "Diagnostics"), el("ul", { class: "diagnostics" },
    diagnostics.map((d) => el("li", {}, `${d.plugin}: ${d.error}${d.limit ? ` (limit: ${d.limit})` : ""}`))));
}

function rawView(data) {
  return el("details", { class: "raw" }, el("summary", {}, "Answer as JSON"), el("pre", {}, JSON.stringify(data, null, 2)));
}

// ---------------------------------------------------------------- scan

/** Substitutes scanners can be set to send for GS, RS and EOT (see the page's help). */
const SUBSTITUTES = [
  [/\{GS\}|\^\]/gi, "\u001d"],
  [/\{RS\}|\^\^/gi, "\u001e"],
  [/\{EOT\}|\^D/gi, "\u0004"],
];
const NAMED = new RegExp(`<(${CONTROL_NAMES.join("|")})>`, "gi");

/**
 * The data to send, with `<GS>` and the like (how this page shows control
 * characters) made control characters; with `scannerSubstitutes`, also
 * `{GS}`, `^]` and Unicode's control pictures.
 */
function restore(text, scannerSubstitutes) {
  let data = text.replace(NAMED, (_, name) => String.fromCharCode(CONTROL_NAMES.indexOf(name.toUpperCase())));
  if (!scannerSubstitutes) return data;
  for (const [pattern, control] of SUBSTITUTES) data = data.replace(pattern, control);
  return data.replace(/[\u2400-\u241f]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x2400));
}

/** Keys that stand for control characters, as wedge scanners in "control + ASCII" mode send them. */
function controlFor(event) {
  if (!event.ctrlKey || event.altKey || event.metaKey) return null;
  if (event.key === "]" || event.code === "BracketRight") return "<GS>";
  if (event.key === "^" || (event.shiftKey && event.code === "Digit6")) return "<RS>";
  if (event.key === "d" || event.key === "D") return "<EOT>";
  return null;
}

/** A scanner types a burst far faster than a person: keys this close belong to one scan. */
const BURST_GAP_MS = 40;

function setUpScan() {
  const input = $("scan-input");
  let lastKey = 0;
  let pendingEnter = null;
  const insert = (text) => input.setRangeText(text, input.selectionStart, input.selectionEnd, "end");
  input.addEventListener("keydown", (event) => {
    const now = performance.now();
    if (pendingEnter !== null) {
      // More of the burst came after an Enter: the Enter was a line break in the data.
      clearTimeout(pendingEnter);
      pendingEnter = null;
      insert("<LF>");
    }
    const control = controlFor(event);
    if (control) {
      event.preventDefault();
      insert(control);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (now - lastKey < BURST_GAP_MS) {
        pendingEnter = setTimeout(() => {
          pendingEnter = null;
          scan();
        }, BURST_GAP_MS * 2);
      } else {
        scan();
      }
    }
    lastKey = now;
  });
  // Pasted or scanned control characters stay, shown as their substitutes.
  input.addEventListener("input", () => {
    const shown = visible(input.value);
    if (shown !== input.value) {
      const at = input.selectionStart;
      input.value = shown;
      input.setSelectionRange(at, at);
    }
  });
  $("scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    scan();
  });
}

/** The latest scan sent: only its answer may fill the answer area. */
let scansSent = 0;

/**
 * Sends the scanned code. The answer area shows this scan and nothing older:
 * it is cleared when the scan is sent, and a scan that gets no answer says
 * so there, so a clerk never reads the last item as this one.
 */
async function scan() {
  const input = $("scan-input");
  const text = input.value.trim();
  if (!text) return;
  const data = restore(text, $("scan-substitutes").checked);
  input.value = "";
  input.focus();
  const mine = ++scansSent;
  notice("");
  fill($("scan-result"), el("p", { class: "muted", "data-test": "pending" }, "Scanning ", dataView(data), " …"));
  let view;
  try {
    const answer = await api("POST", "/api/barcode/", { barcode_data: data });
    view = scanView(answer.status, answer.data);
  } catch (error) {
    if (error.status === 401) return;
    view = unansweredView(data, error.message);
  }
  logScan(data, view);
  if (mine === scansSent) fill($("scan-result"), view);
}

/** Most scans the Scan page lists. */
const MAX_LOGGED_SCANS = 200;

/** Lists a scan, newest first, with its verdict as the answer area showed it. */
function logScan(data, view) {
  const verdict = view.querySelector(".verdict");
  const refused = view.querySelector("[data-test=refused-actions]");
  const log = $("scan-log");
  log.prepend(el("li", { class: view.classList.contains("refused") || refused ? "bad" : "ok" },
    el("time", {}, new Date().toLocaleTimeString()), " ", el("code", {}, dataView(data)), " ",
    verdict ? verdict.textContent.trim() : "", refused ? ` (${refused.textContent})` : ""));
  while (log.children.length > MAX_LOGGED_SCANS) log.lastElementChild.remove();
  $("scan-log-box").hidden = false;
}

/**
 * A decode's fields in the plugin's order (`field_order`; a JavaScript
 * object would list keys such as `10` first), named ones such as batch and
 * expiry before raw application identifiers.
 */
function orderedFields(result) {
  const fields = result.fields || {};
  const order = Array.isArray(result.field_order) ? result.field_order : Object.keys(fields);
  const known = order.filter((key) => Object.hasOwn(fields, key));
  const raw = (key) => /^\d+$/.test(key);
  return [...known.filter((key) => !raw(key)), ...known.filter(raw)].map((key) => [key, fields[key]]);
}

function unansweredView(data, why) {
  return el("article", { class: "answer refused", "data-test": "unanswered" },
    el("p", { class: "verdict" }, el("span", { class: "badge bad" }, "Not scanned"), " ", why),
    el("p", { class: "data" }, dataView(data)),
    el("p", { class: "reason" }, "Nothing was decoded or booked: scan it again."));
}

function scanView(status, data) {
  if (status === 200) {
    const result = data.result || {};
    const fields = orderedFields(result);
    const refused = (data.actions && data.actions.refused) || [];
    return el("article", { class: refused.length ? "answer decoded warned" : "answer decoded" },
      el("p", { class: "verdict" }, el("span", { class: "badge ok" }, data.linked ? "Linked" : "Decoded"),
        ` ${result.format || ""}`, data.plugin ? ` by ${data.plugin}` : " by a barcode link"),
      refused.length ? el("p", { class: "warning-banner", "data-test": "refused-actions", role: "alert" },
        `Not booked: ${refused.map((r) => `${r.call} refused (${r.reason})`).join("; ")}`) : null,
      el("p", { class: "data" }, dataView(data.barcode_data)),
      recordView(data.barcode, data.product, result),
      fields.length ? el("div", {}, el("h3", {}, "Fields"), definitions(fields.map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]))) : null,
      result.lookup_code ? definitions([["Lookup code", result.lookup_code]]) : null,
      actionsView(data.actions), diagnosticsView(data.diagnostics), rawView(data));
  }
  if (data && (status === 422 || status === 404)) {
    return el("article", { class: "answer refused" },
      el("p", { class: "verdict" }, el("span", { class: "badge bad" }, status === 422 ? "Invalid" : "No match"),
        status === 422 ? ` ${data.format} by ${data.plugin}` : " no plugin recognised this"),
      el("p", { class: "data" }, dataView(data.barcode_data)),
      status === 422 ? el("p", { class: "reason" }, data.reason) : null,
      diagnosticsView(data.diagnostics), rawView(data));
  }
  return el("article", { class: "answer refused" },
    el("p", { class: "verdict" }, el("span", { class: "badge bad" }, `Error ${status}`), " ", (data && data.error) || ""));
}

// ---------------------------------------------------------------- lookup

function lookupPath(code, uom) {
  const query = uom ? `?uomCode=${encodeURIComponent(uom)}` : "";
  return `/api/barcode/lookup/${encodeURIComponent(code)}${query}`;
}

function setUpLookup() {
  $("lookup-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $("lookup-code").value.trim();
    const uom = $("lookup-uom").value.trim();
    guarded(async () => {
      const { status, data } = await api("GET", lookupPath(code, uom));
      fill($("lookup-result"), status === 200
        ? el("article", { class: "answer decoded" }, recordView(data.barcode, data.product), rawView(data))
        : el("p", { class: "error" }, (data && data.error) || `The server answered ${status}.`));
    });
  });
}

// ---------------------------------------------------------------- catalog

let catalogNext = null;

function setUpCatalog() {
  $("catalog-form").addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(() => searchCatalog(false));
  });
  $("catalog-more").addEventListener("click", () => guarded(() => searchCatalog(true)));
  $("catalog-new").addEventListener("click", () => showProductForm(null));
}

loaders.catalog = async () => {
  if (catalogNext === null && !$("catalog-table").tBodies[0].rows.length) await searchCatalog(false);
  if (session.role === "admin") await loadLinks();
};

const isAdmin = () => session.role === "admin";

async function searchCatalog(more) {
  const q = $("catalog-q").value.trim();
  const path = more && catalogNext ? catalogNext : `/api/catalog/products?q=${encodeURIComponent(q)}&limit=50`;
  const page = await ok(api("GET", path));
  const rows = page.results.map(({ product, barcodes }) => el("tr", { "data-sku": product.sku },
    el("td", {}, el("code", {}, product.sku)),
    el("td", {}, product.name),
    el("td", {}, product.category),
    el("td", { class: "num" }, price(product)),
    el("td", {}, el("ul", { class: "codes" }, barcodes.map((b) => el("li", { class: b.isActive ? "" : "inactive", "data-id": b.id },
      el("code", {}, b.barcode), ` ${b.quantity}× ${b.uomCode}`, b.isActive ? "" : " (inactive)",
      el("button", { type: "button", class: "small quiet", onclick: () => guarded(() => addLabel({ code: b.barcode, uom: b.uomCode }, 1)) }, "Label"),
      isAdmin() && el("button", { type: "button", class: "small quiet", "data-action": "edit-barcode", onclick: () => showBarcodeForm(b) }, "Edit"),
      isAdmin() && el("button", { type: "button", class: "small quiet", "data-action": "toggle-active", onclick: () => guarded(() => setActive(b, !b.isActive)) },
        b.isActive ? "Deactivate" : "Reactivate")))),
      el("button", { type: "button", class: "small quiet", onclick: () => guarded(() => addLabel({ sku: product.sku }, 1)) }, "Product label"),
      isAdmin() && el("button", { type: "button", class: "small quiet", "data-action": "edit-product", onclick: () => showProductForm(product) }, "Edit product"),
      isAdmin() && el("button", { type: "button", class: "small quiet", "data-action": "add-barcode", onclick: () => showBarcodeForm({ productSku: product.sku }) }, "Add barcode"))));
  if (more) $("catalog-table").tBodies[0].append(...rows);
  else fillRows($("catalog-table"), rows, q ? `No product matches "${q}".` : "The catalog is empty.");
  catalogNext = page.next;
  $("catalog-more").hidden = !page.next;
  if (!more) {
    fill($("catalog-match"));
    if (q) {
      const { status, data } = await api("GET", lookupPath(q, ""));
      if (status === 200) fill($("catalog-match"), el("div", { class: "answer decoded" }, el("h3", {}, "Barcode match"), recordView(data.barcode, data.product)));
    }
  }
}

/** The catalog's rows again after a change, with the same search. */
async function refreshCatalog() {
  catalogNext = null;
  await searchCatalog(false);
}

/** An editor form in the catalog page, with Save and Cancel. */
function editor(id, title, fields, save) {
  const form = el("form", { id, class: "detail editor", autocomplete: "off", novalidate: true },
    el("h2", {}, title), el("div", { class: "row" }, fields),
    el("div", { class: "row" }, el("button", { type: "submit" }, "Save"),
      el("button", { type: "button", class: "quiet", onclick: () => fill($("catalog-editor")) }, "Cancel")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, async () => {
      await save(form);
      fill($("catalog-editor"));
      await refreshCatalog();
    });
  });
  fill($("catalog-editor"), form);
  form.querySelector("input:not([readonly])").focus();
  return form;
}

const value = (form, field) => form.querySelector(`[data-field="${field}"]`).value.trim();

function showProductForm(product) {
  const p = product || { sku: "", name: "", category: "", unitPrice: "", currency: "EUR", supplierParts: [] };
  editor("product-form", product ? `Edit ${p.sku}` : "New product", [
    fieldInput("SKU", "sku", { value: p.sku, required: true, readonly: !!product }),
    fieldInput("Name", "name", { value: p.name, required: true, size: 30 }),
    fieldInput("Category", "category", { value: p.category, required: true }),
    fieldInput("Unit price", "unitPrice", { value: String(p.unitPrice), inputmode: "decimal", size: 8 }),
    fieldInput("Currency", "currency", { value: p.currency, size: 4, maxlength: 3 }),
    el("label", {}, "Supplier parts (SUPPLIER:PART, one per line)",
      el("textarea", { "data-field": "supplierParts", rows: 2, spellcheck: "false" },
        (p.supplierParts || []).map((s) => `${s.supplier}:${s.part}`).join("\n"))),
  ], async (form) => {
    const sku = value(form, "sku");
    if (!sku) throw new ApiError(400, "Give the product a SKU.", "sku");
    const supplierParts = [];
    for (const line of value(form, "supplierParts").split("\n").map((l) => l.trim()).filter(Boolean)) {
      const at = line.indexOf(":");
      if (at < 1) throw new ApiError(400, `Write each supplier part as SUPPLIER:PART, not "${line}".`, "supplierParts");
      supplierParts.push({ supplier: line.slice(0, at).trim(), part: line.slice(at + 1).trim() });
    }
    await ok(api("PUT", `/api/catalog/products/${encodeURIComponent(sku)}`, {
      name: value(form, "name"), category: value(form, "category"), unitPrice: value(form, "unitPrice"),
      currency: value(form, "currency"), supplierParts,
    }));
    notice(`Saved ${sku}.`);
  });
}

const BARCODE_TYPES = ["EAN", "UPC", "GTIN", "SSCC", "GS1-128", "CODE128", "QR", "DATAMATRIX", "INTERNAL"];

function showBarcodeForm(record) {
  const b = { barcode: "", barcodeType: "EAN", format: "", uomCode: "EA", quantity: 1, isDefault: false, ...record };
  const editing = !!b.id;
  editor("barcode-form", editing ? `Edit barcode ${b.barcode}` : `New barcode for ${b.productSku}`, [
    fieldInput("Barcode", "barcode", { value: b.barcode, required: true, size: 20 }),
    fieldInput("Type", "barcodeType", { value: b.barcodeType, list: "barcode-types", size: 10 }),
    el("datalist", { id: "barcode-types" }, BARCODE_TYPES.map((t) => el("option", { value: t }))),
    fieldInput("Format", "format", { value: b.format, placeholder: "as the type", size: 10 }),
    fieldInput("Product SKU", "productSku", { value: b.productSku, required: true }),
    fieldInput("Unit", "uomCode", { value: b.uomCode, size: 4 }),
    fieldInput("Units in the pack", "quantity", { value: String(b.quantity), inputmode: "numeric", size: 5 }),
    el("label", { class: "check" }, el("input", { type: "checkbox", "data-field": "isDefault", checked: b.isDefault }), " Default for the code"),
  ], async (form) => {
    const quantity = value(form, "quantity");
    if (!/^\d+$/.test(quantity)) throw new ApiError(400, "Units in the pack is a whole number, such as 12.", "quantity");
    const body = {
      barcode: value(form, "barcode"), barcodeType: value(form, "barcodeType"), format: value(form, "format") || null,
      productSku: value(form, "productSku"), uomCode: value(form, "uomCode"), quantity: Number(quantity),
      isDefault: form.querySelector('[data-field="isDefault"]').checked,
    };
    const saved = editing
      ? await ok(api("PUT", `/api/catalog/barcodes/${encodeURIComponent(b.id)}`, body))
      : await ok(api("POST", "/api/catalog/barcodes", body));
    notice(`Saved barcode ${saved.barcode} for ${saved.productSku}.`);
  });
}

async function setActive(record, active) {
  await ok(api("POST", `/api/catalog/barcodes/${encodeURIComponent(record.id)}/${active ? "reactivate" : "deactivate"}`));
  notice(active ? `${record.barcode} is active again: lookups find it.` : `${record.barcode} is deactivated: lookups no longer find it.`);
  await refreshCatalog();
}

async function loadLinks() {
  const data = await ok(api("GET", "/api/admin/links"));
  fillRows($("links-table"), data.links.map((link) => el("tr", { "data-sku": link.productSku },
    el("td", {}, el("code", {}, dataView(link.barcode))), el("td", {}, el("code", {}, link.productSku)),
    el("td", {}, link.isActive ? "active" : "inactive"),
    el("td", {}, confirmButton("Remove", `Remove the link of ${link.productSku}?`, async () => {
      await ok(api("DELETE", `/api/admin/links/${encodeURIComponent(link.productSku)}`));
      notice(`Removed the link of ${link.productSku}: that barcode no longer resolves.`);
      await loadLinks();
    })))), "No linked barcodes: `barcoded catalog link` or InvenTree's link call makes one.");
}

// ---------------------------------------------------------------- labels

/**
 * Labels on the sheet: `{code, uom}` for a barcode record or `{sku}` for a
 * product, with copies; kept in this tab's sessionStorage over a reload.
 */
const sheet = [];

function setUpLabels() {
  sheet.push(...keptSheet());
  $("labels-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $("labels-code").value.trim();
    const sku = $("labels-sku").value.trim();
    const copies = Math.min(100, Math.max(1, Number($("labels-copies").value) || 1));
    if (!code && !sku) {
      notice("Give a barcode or a SKU.", "error");
      return;
    }
    const symbology = $("labels-symbology").value;
    const gs1 = { batch: $("labels-batch").value.trim(), expiry: $("labels-expiry").value.trim() };
    guarded(() => addLabel(code ? { code, uom: $("labels-uom").value.trim(), symbology, ...gs1 } : { sku }, copies));
  });
  const size = () => {
    $("labels-sheet").className = `sheet size-${$("labels-size").value}`;
    sessionStorage.setItem(SIZE_ITEM, $("labels-size").value);
  };
  $("labels-size").value = sessionStorage.getItem(SIZE_ITEM) || "auto";
  if (!$("labels-size").value) $("labels-size").value = "auto";
  $("labels-size").addEventListener("change", size);
  size();
  $("labels-print").addEventListener("click", () => window.print());
  $("labels-clear").addEventListener("click", () => {
    sheet.length = 0;
    keepSheet();
    guarded(drawSheet);
  });
}

/** The sheet this tab kept, or none if what it kept is not a sheet. */
function keptSheet() {
  try {
    const kept = JSON.parse(sessionStorage.getItem(SHEET_ITEM) || "[]");
    if (!Array.isArray(kept)) return [];
    return kept.filter((label) => label && (typeof label.code === "string" || typeof label.sku === "string"))
      .map((label) => ({ ...label, copies: Math.min(100, Math.max(1, Number(label.copies) || 1)) }));
  } catch {
    return [];
  }
}

function keepSheet() {
  sessionStorage.setItem(SHEET_ITEM, JSON.stringify(sheet));
}

/**
 * Adds a label once its code is known to the catalog and its symbol can be
 * drawn; one that cannot is refused, saying why, and the sheet kept as it was.
 */
async function addLabel(label, copies) {
  try {
    await caption(label);
    await ok(api("GET", symbolPath(label)));
  } catch (error) {
    if (error.status === 404) {
      throw new ApiError(404, `${label.sku || label.code} is not in the catalog: nothing was added to the sheet.`);
    }
    if (error.status === 422 || error.status === 400) {
      throw new ApiError(error.status, `${error.message}: nothing was added to the sheet.`);
    }
    throw error;
  }
  sheet.push({ ...label, copies });
  keepSheet();
  notice(`Added to the label sheet (${sheet.length} on it).`);
  if (location.hash === "#labels") await drawSheet();
}

function removeLabel(label) {
  const at = sheet.indexOf(label);
  if (at >= 0) sheet.splice(at, 1);
  keepSheet();
  guarded(drawSheet);
}

/** Object URLs of the drawn QR codes, released when the sheet is drawn again. */
let sheetImages = [];

loaders.labels = drawSheet;

/** Draws every label; one that cannot be drawn says why in its place, and the others still draw. */
async function drawSheet() {
  for (const url of sheetImages) URL.revokeObjectURL(url);
  sheetImages = [];
  const labels = [];
  for (const label of sheet) {
    const remove = el("button", { type: "button", class: "small quiet no-print", onclick: () => removeLabel(label) }, "Remove");
    try {
      const text = await caption(label);
      const url = URL.createObjectURL(await ok(api("GET", symbolPath(label))));
      sheetImages.push(url);
      for (let i = 0; i < label.copies; i += 1) {
        labels.push(el("figure", { class: "label", "data-symbology": label.symbology || "qr" },
          el("img", { src: url, alt: `${SYMBOLOGY_NAMES[label.symbology || "qr"] || "Symbol"}: ${text[0]}` }),
          el("figcaption", {}, el("strong", {}, text[0]), el("br"), text[1]), i === 0 ? remove : null));
      }
    } catch (error) {
      if (error.status === 401) return;
      labels.push(el("figure", { class: "label failed no-print", "data-test": "label-failed" },
        el("p", { class: "error" }, `${label.sku || label.code}: ${error.message}`), remove));
    }
  }
  fill($("labels-sheet"), labels.length ? labels : el("p", { class: "muted no-print" }, "The sheet is empty."));
}

const SYMBOLOGY_NAMES = { qr: "QR code", auto: "Barcode", ean13: "EAN-13", upca: "UPC-A", code128: "Code 128",
  "gs1-128": "GS1-128", datamatrix: "Data Matrix", "gs1-datamatrix": "GS1 Data Matrix" };

/** Where the label's symbol is drawn: the service's QR codes, or a barcode symbol of the record. */
function symbolPath(label) {
  if (label.sku) return `/api/barcode/qr/product/${encodeURIComponent(label.sku)}`;
  const query = new URLSearchParams();
  if (label.uom) query.set("uomCode", label.uom);
  const symbology = label.symbology || "qr";
  if (symbology === "qr") return `/api/barcode/qr/${encodeURIComponent(label.code)}${query.size ? `?${query}` : ""}`;
  if (symbology !== "auto") query.set("symbology", symbology);
  if (label.batch) query.set("batch", label.batch);
  if (label.expiry) query.set("expiry", label.expiry);
  return `/api/barcode/label/${encodeURIComponent(label.code)}${query.size ? `?${query}` : ""}`;
}

/** The label's two lines of text; throws when the catalog does not know its code. */
function caption(label) {
  return label.sku ? productCaption(label.sku) : barcodeCaption(label.code, label.uom);
}

async function barcodeCaption(code, uom) {
  const data = await ok(api("GET", lookupPath(code, uom)));
  return [tillLine(data.barcode, data.product), `${data.barcode.productSku} · ${data.barcode.barcode}`];
}

async function productCaption(sku) {
  const page = await ok(api("GET", `/api/catalog/products?q=${encodeURIComponent(sku)}&limit=200`));
  const found = page.results.find((r) => r.product.sku === sku);
  if (!found) throw new ApiError(404, `No product has the SKU ${sku}.`);
  return [found.product.name, sku];
}

// ---------------------------------------------------------------- plugins

let plugins = [];

loaders.plugins = async () => {
  const data = await ok(api("GET", "/api/admin/plugins"));
  const refused = new Map(data.refused.map((r) => [r.name, r.reason]));
  plugins = data.plugins.map((p) => ({ ...p, refused: refused.get(p.name) }));
  defaultLimits = data.default_limits;
  fillRows($("plugins-table"), plugins.map(pluginRow), "No plugin is installed.");
  fill($("plugins-refused"), data.refused.length ? [el("h2", {}, "Refused at load"), el("ul", { class: "diagnostics" },
    data.refused.map((r) => el("li", {}, el("strong", {}, r.name), `: ${r.reason}`)))] : []);
};

function pluginState(p) {
  if (p.quarantine) return el("span", { class: "badge bad", title: p.quarantine.reason }, "quarantined");
  if (p.refused && p.enabled) return el("span", { class: "badge bad", title: p.refused }, "refused at load");
  return el("span", { class: p.enabled ? "badge ok" : "badge" }, p.enabled ? "enabled" : "disabled");
}

/** Its grants, and a warning for each capability it asks for and does not hold. */
function grantsView(p) {
  const missing = p.asks.filter((c) => !p.grants.includes(c));
  return [p.grants.join(", ") || "none",
    missing.length ? el("div", { class: "warning", "data-test": "not-granted" }, `Asks for ${missing.join(", ")}: not granted`) : null];
}

function pluginRow(p, index) {
  const button = (label, action, extra = {}) => el("button", { type: "button", class: "small", onclick: () => guarded(action), ...extra }, label);
  return el("tr", { "data-plugin": p.name },
    el("td", {}, String(index + 1)),
    el("td", {}, el("strong", {}, p.name), ` ${p.info.version}`, el("br"), el("span", { class: "muted" }, p.info.title)),
    el("td", {}, pluginState(p), p.quarantine ? el("div", { class: "muted" }, p.quarantine.reason) : null,
      p.refused && p.enabled && !p.quarantine ? el("div", { class: "muted" }, p.refused) : null),
    el("td", { class: "num" }, String(p.priority)),
    el("td", { class: "num" }, String(p.scans)),
    el("td", { class: "num" }, String(p.failures)),
    el("td", {}, grantsView(p)),
    el("td", { class: "buttons" },
      button("↑", () => move(index, -1), { "aria-label": `Move ${p.name} up`, disabled: index === 0 }),
      button("↓", () => move(index, 1), { "aria-label": `Move ${p.name} down`, disabled: index === plugins.length - 1 }),
      p.enabled && !p.quarantine
        ? button("Disable", () => pluginChange(p.name, "POST", "disable"), { "data-action": "disable" })
        : button("Enable", () => pluginChange(p.name, "POST", "enable"), { "data-action": "enable" }),
      button("Details", () => showPlugin(p.name), { "data-action": "details" }),
      confirmButton("Remove", `Remove ${p.name}?`, () => pluginChange(p.name, "DELETE", ""))));
}

/** A button that acts on a second press within five seconds, so one slip cannot destroy. */
function confirmButton(label, question, action) {
  let armed = null;
  const node = el("button", { type: "button", class: "small danger" }, label);
  node.addEventListener("click", () => {
    if (armed === null) {
      node.textContent = question;
      armed = setTimeout(() => {
        armed = null;
        node.textContent = label;
      }, 5000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    guarded(action);
  });
  return node;
}

async function pluginChange(name, method, action, body) {
  const path = `/api/admin/plugins/${encodeURIComponent(name)}${action ? `/${action}` : ""}`;
  const answer = await ok(api(method, path, body));
  if (method === "DELETE") notice(`Removed ${name}.`);
  else changed(name, answer);
  await loaders.plugins();
}

/** Says that a change of plugin `name` took, or that it took and the plugin no longer loads. */
function changed(name, answer) {
  if (answer && answer.refused) notice(`Saved ${name}, but it is refused at load: ${answer.refused}`, "error");
  else notice(`Saved ${name}.`);
}

/** Moves a plugin one place in the scan order: swaps priorities, or numbers all anew on a tie. */
async function move(index, step) {
  const other = index + step;
  const a = plugins[index];
  const b = plugins[other];
  const setPriority = (p, priority) => ok(api("PUT", `/api/admin/plugins/${encodeURIComponent(p.name)}/priority`, { priority }));
  if (a.priority !== b.priority) {
    await setPriority(a, b.priority);
    await setPriority(b, a.priority);
  } else {
    const order = plugins.slice();
    [order[index], order[other]] = [order[other], order[index]];
    for (const [i, p] of order.entries()) await setPriority(p, (i + 1) * 10);
  }
  notice(`Moved ${a.name} ${step < 0 ? "up" : "down"}.`);
  await loaders.plugins();
}

const CAPABILITIES = ["catalog-read", "stock-read", "stock-write", "po-receive"];

/** What each limit a plugin's overrides leave out is, as the server says. */
let defaultLimits = {};

/** The limits an operator may override, in the server's keys and units. */
const LIMITS = [
  ["cpu_time_ms", "CPU time per scan (ms)"], ["memory_mib", "Memory (MiB, at most 256)"],
  ["table_elements", "Table elements"], ["instances", "Core instances"],
  ["output_bytes", "Printed bytes per stream"], ["output_lines", "Printed lines per stream"],
  ["answer_fields", "Answer fields"], ["answer_value_bytes", "Bytes per answer value"],
  ["payload_bytes", "Payload bytes"],
];

/** One number field per limit, empty where the plugin keeps the default. */
function limitFields(overrides) {
  return el("fieldset", { id: "plugin-limits", class: "limits" }, el("legend", {}, "Limits (empty: the default)"),
    LIMITS.map(([key, label]) => el("label", {}, label, el("input", {
      type: "text", inputmode: "numeric", size: 8, "data-field": key, "data-limit": key,
      value: overrides[key] ?? "", placeholder: defaultLimits[key] === undefined ? "default" : `${defaultLimits[key]}`,
    }))));
}

/** The overrides the limit fields hold; a refusal at the field that is not a whole number. */
function limitValues(fieldset) {
  const limits = {};
  for (const input of fieldset.querySelectorAll("[data-limit]")) {
    const text = input.value.trim();
    if (!text) continue;
    if (!/^\d+$/.test(text)) throw new ApiError(400, `${input.dataset.limit} is a whole number, or empty for the default.`, input.dataset.limit);
    limits[input.dataset.limit] = Number(text);
  }
  return limits;
}

function showPlugin(name) {
  const p = plugins.find((plugin) => plugin.name === name);
  if (!p) return;
  const settings = el("textarea", { id: "plugin-settings", rows: 5, spellcheck: "false" },
    Object.entries(p.config).map(([k, v]) => `${k}=${v}`).join("\n"));
  const limits = limitFields(p.limits);
  const grants = CAPABILITIES.map((c) => el("label", { class: "check" },
    el("input", { type: "checkbox", value: c, checked: p.grants.includes(c) }), ` ${c}`,
    p.asks.includes(c) ? "" : el("span", { class: "muted" }, " (not asked for)")));
  const save = async () => {
    const config = {};
    for (const line of settings.value.split("\n").map((l) => l.trim()).filter(Boolean)) {
      const at = line.indexOf("=");
      if (at < 1) throw new ApiError(400, `Settings are key=value lines, not "${line}".`);
      config[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
    const overrides = limitValues(limits);
    await ok(api("PUT", `/api/admin/plugins/${encodeURIComponent(name)}/config`, config));
    await ok(api("PUT", `/api/admin/plugins/${encodeURIComponent(name)}/limits`, overrides));
    const chosen = grants.map((g) => g.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    changed(name, await ok(api("PUT", `/api/admin/plugins/${encodeURIComponent(name)}/grants`, chosen)));
    await loaders.plugins();
    showPlugin(name);
  };
  fill($("plugins-detail"), el("article", { class: "detail", id: "plugin-form" },
    el("h2", {}, `${p.name} ${p.info.version}`),
    el("p", {}, p.info.description),
    definitions([
      ["Title", p.info.title], ["Author", p.info.author],
      ["Signed by", p.signer || "nobody trusted (unsigned)"], ["Digest", p.digest],
      ["Size", `${p.size} bytes`], ["Installed", when(p.installed)],
      ["Asks for", p.asks.join(", ") || "nothing"],
      ["Claims", p.claims ? p.claims.join("   ") : "any data (it declares no patterns)"],
    ]),
    el("label", { for: "plugin-settings" }, "Settings (key=value, one per line)"), settings,
    limits,
    el("fieldset", {}, el("legend", {}, "Grants"), grants),
    el("div", { class: "row" },
      el("button", { type: "button", onclick: () => submit($("plugin-form"), save) }, "Save"),
      el("button", { type: "button", class: "quiet", onclick: () => fill($("plugins-detail")) }, "Close"))));
  $("plugin-settings").focus();
}

function setUpPlugins() {
  $("plugins-upload").addEventListener("submit", (event) => {
    event.preventDefault();
    const file = $("upload-file").files[0];
    if (!file) return;
    const query = new URLSearchParams();
    const name = $("upload-name").value.trim();
    const priority = $("upload-priority").value.trim();
    if (name) query.set("name", name);
    if (priority) query.set("priority", priority);
    if ($("upload-upgrade").checked) query.set("upgrade", "true");
    if ($("upload-disabled").checked) query.set("disabled", "true");
    guarded(async () => {
      const data = await ok(api("POST", `/api/admin/plugins?${query}`, file));
      notice(`${data.plugin.name}: ${data.result}.${data.withheld_grants.length ? ` Grants withheld until you grant them again: ${data.withheld_grants.join(", ")}.` : ""}`);
      $("plugins-upload").reset();
      await loaders.plugins();
    });
  });
}

// ---------------------------------------------------------------- history

let historyNext = null;

loaders.history = () => loadHistory(false);

function setUpHistory() {
  $("history-form").addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(() => loadHistory(false));
  });
  $("history-more").addEventListener("click", () => guarded(() => loadHistory(true)));
}

/** A `datetime-local` value (the browser's time zone) as RFC 3339 in UTC. */
function utc(value) {
  return value ? new Date(value).toISOString() : "";
}

async function loadHistory(more) {
  let path = historyNext;
  if (!more || !path) {
    const query = new URLSearchParams({ limit: "50" });
    for (const [name, id, convert] of [["plugin", "history-plugin"], ["key", "history-key"], ["result", "history-result"],
      ["code", "history-code"], ["since", "history-since", utc], ["until", "history-until", utc]]) {
      const value = $(id).value.trim();
      if (value) query.set(name, convert ? convert(value) : value);
    }
    path = `/api/barcode/history?${query}`;
  }
  const page = await ok(api("GET", path));
  const rows = page.results.map((entry) => el("tr", { "data-result": entry.result },
    timeCell(entry.time), el("td", {}, entry.key || "cli"),
    el("td", {}, el("code", {}, dataView(entry.barcode_data))), el("td", {}, entry.result),
    el("td", {}, entry.plugin || ""), el("td", {}, entry.format || ""), el("td", {}, entry.lookup_code || ""),
    el("td", { class: "num" }, String(entry.duration_us))));
  if (more) $("history-table").tBodies[0].append(...rows);
  else fillRows($("history-table"), rows, "No scan matches.");
  historyNext = page.next;
  $("history-more").hidden = !page.next;
}

// ---------------------------------------------------------------- stock and orders

loaders.stock = async () => {
  const sku = $("stock-sku").value.trim();
  const data = await ok(api("GET", `/api/stock${sku ? `?sku=${encodeURIComponent(sku)}` : ""}`));
  fillRows($("stock-levels"), data.levels.map((l) => el("tr", {},
    el("td", {}, el("code", {}, l.sku)), el("td", {}, l.location), el("td", { class: "num" }, String(l.level)))), "No stock has moved.");
  if (data.more_levels) notice("Showing the first 1,000 levels: give a SKU to see one product's.");
  fillRows($("stock-movements"), data.movements.map((m) => el("tr", {},
    timeCell(m.time), el("td", {}, el("code", {}, m.sku)), el("td", {}, m.location),
    el("td", { class: "num" }, `${m.delta > 0 ? "+" : ""}${m.delta}`), el("td", { class: "num" }, String(m.level)),
    el("td", {}, m.reason), el("td", {}, m.plugin || "operator"), el("td", {}, m.key || ""), el("td", {}, m.order || ""))), "No movements.");
};

loaders.orders = async () => {
  const data = await ok(api("GET", "/api/orders"));
  fill($("orders-list"), data.orders.length ? data.orders.map(orderView) : el("p", { class: "muted" }, "No purchase orders."));
};

function orderView(order) {
  const ordered = order.lines.reduce((n, l) => n + l.ordered, 0);
  const received = order.lines.reduce((n, l) => n + l.received, 0);
  const open = order.lines.filter((l) => l.received < l.ordered);
  return el("article", { class: "order", "data-order": order.number },
    el("h2", {}, order.number, " ", el("span", { class: received >= ordered ? "badge ok" : "badge" },
      received >= ordered ? "received" : `${received} of ${ordered} received`)),
    el("p", { class: "muted" }, [order.supplier, `to ${order.location}`, `created ${when(order.created)}`].filter(Boolean).join(" · ")),
    el("table", { class: "grid" },
      el("thead", {}, el("tr", {}, el("th", {}, "SKU"), el("th", { class: "num" }, "Ordered"),
        el("th", { class: "num" }, "Received"), el("th", { class: "num" }, "Outstanding"))),
      el("tbody", {}, order.lines.map((l) => el("tr", { "data-sku": l.sku }, el("td", {}, el("code", {}, l.sku)),
        el("td", { class: "num" }, String(l.ordered)), el("td", { class: "num" }, String(l.received)),
        el("td", { class: "num" }, String(Math.max(0, l.ordered - l.received))))))),
    open.length ? receiveForms(order, open) : null);
}

/** Receiving against `order`: a supplier's label scanned, or a line by hand. */
function receiveForms(order, open) {
  const scanForm = el("form", { class: "row receive-scan", autocomplete: "off" },
    fieldInput("Scan a supplier label", "barcode", { size: 28, placeholder: "scan the box's label" }),
    el("button", { type: "submit" }, "Receive"));
  scanForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const barcode = restore(value(scanForm, "barcode"), true);
    if (!barcode) return;
    submit(scanForm, async () => {
      const { status, data } = await api("POST", "/api/barcode/po-receive/", { barcode, purchase_order: order.number });
      if (status !== 200) throw new ApiError(status, (data && data.error) || `The server answered ${status}.`, "barcode");
      // A plugin may answer that it needs more, InvenTree's action_required: nothing was booked.
      if (data.action_required) throw new ApiError(200, data.action_required, "barcode");
      notice(data.success || `Received against ${order.number}.`);
      await loaders.orders();
    });
  });
  const handForm = el("form", { class: "row receive-hand", autocomplete: "off" },
    el("label", {}, "Line", el("select", { "data-field": "sku" }, open.map((l) => el("option", { value: l.sku }, `${l.sku} (${l.ordered - l.received} to come)`)))),
    fieldInput("Quantity", "quantity", { inputmode: "numeric", size: 6 }),
    fieldInput("Location", "location", { size: 10, placeholder: order.location }),
    el("button", { type: "submit", class: "quiet" }, "Receive by hand"));
  handForm.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(handForm, async () => {
      const quantity = value(handForm, "quantity");
      if (!/^\d+$/.test(quantity) || Number(quantity) < 1) throw new ApiError(400, "Give how many units arrived, such as 10.", "quantity");
      const sku = value(handForm, "sku");
      const booked = await ok(api("POST", `/api/orders/${encodeURIComponent(order.number)}/receipts`,
        { sku, quantity: Number(quantity), location: value(handForm, "location") || null }));
      const line = booked.receipts[0];
      notice(`Received ${line.quantity} of ${line.sku} against ${line.order}: ${line.received} of ${line.ordered} are in.`);
      await loaders.orders();
    });
  });
  return el("div", { class: "receive" }, el("h3", {}, "Receive"), scanForm, handForm);
}

/** Adds a line of the new order's form. */
function addOrderLine() {
  const rows = $("order-lines");
  const index = rows.children.length;
  rows.append(el("div", { class: "row order-line" },
    fieldInput("SKU", `lines[${index}].sku`, { size: 16 }),
    fieldInput("Quantity", `lines[${index}].ordered`, { inputmode: "numeric", size: 6 })));
}

function setUpOrders() {
  addOrderLine();
  $("order-add-line").addEventListener("click", addOrderLine);
  const form = $("order-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, async () => {
      const lines = [];
      for (let i = 0; i < $("order-lines").children.length; i += 1) {
        const sku = value(form, `lines[${i}].sku`);
        const ordered = value(form, `lines[${i}].ordered`);
        if (!sku && !ordered) continue;
        if (!/^\d+$/.test(ordered)) throw new ApiError(400, "The quantity ordered is a whole number, such as 500.", `lines[${i}].ordered`);
        lines.push({ sku, ordered: Number(ordered) });
      }
      const order = await ok(api("POST", "/api/orders", {
        number: value(form, "number"), supplier: value(form, "supplier") || null,
        supplierReference: value(form, "supplierReference") || null, location: value(form, "location") || null, lines,
      }));
      notice(`Created purchase order ${order.number} with ${order.lines.length} lines; receipts go to ${order.location}.`);
      form.reset();
      fill($("order-lines"));
      addOrderLine();
      await loaders.orders();
    });
  });
}

function setUpStock() {
  $("stock-form").addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(loaders.stock);
  });
  for (const [id, body] of [
    ["adjust-form", (form) => ({ sku: value(form, "sku"), location: value(form, "location"), delta: whole(form, "delta"), reason: value(form, "reason") })],
    ["move-form", (form) => ({ sku: value(form, "sku"), from: value(form, "from"), to: value(form, "to"), quantity: whole(form, "quantity"), reason: value(form, "reason") })],
  ]) {
    const form = $(id);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit(form, async () => {
        const booked = await ok(api("POST", "/api/stock", body(form)));
        notice(booked.movements.map((m) => `${m.sku} at ${m.location} is now ${m.level}.`).join(" "));
        form.reset();
        await loaders.stock();
      });
    });
  }
}

/** A form's field as a whole number (negative allowed), or a refusal at it. */
function whole(form, field) {
  const text = value(form, field);
  if (!/^[-+]?\d+$/.test(text)) throw new ApiError(400, "A whole number of units, such as 12 or -3.", field);
  return Number(text);
}

// ---------------------------------------------------------------- keys

loaders.keys = async () => {
  const data = await ok(api("GET", "/api/admin/keys"));
  fillRows($("keys-table"), data.keys.map((k) => el("tr", { "data-key": k.name },
    el("td", {}, k.name), el("td", {}, k.role), timeCell(k.created),
    el("td", {}, k.name === session.name ? el("span", { class: "muted" }, "this session")
      : confirmButton("Revoke", `Revoke ${k.name}?`, async () => {
        await ok(api("DELETE", `/api/admin/keys/${encodeURIComponent(k.name)}`));
        notice(`Revoked ${k.name}: requests with it are refused from now on.`);
        await loaders.keys();
      })))), "No keys.");
};

function setUpKeys() {
  $("keys-form").addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(async () => {
      const created = await ok(api("POST", "/api/admin/keys", { name: $("keys-name").value.trim(), role: $("keys-role").value }));
      const secret = el("input", { id: "keys-secret", type: "text", readonly: true, value: created.key, size: 48 });
      fill($("keys-created"), el("div", { class: "created" },
        el("p", {}, `Key for ${created.name} (${created.role}). It is shown this once: copy it now.`),
        el("div", { class: "row" }, secret,
          el("button", { type: "button", onclick: () => navigator.clipboard.writeText(created.key).then(() => notice("Copied.")) }, "Copy"),
          el("button", { type: "button", class: "quiet", onclick: () => fill($("keys-created")) }, "Done"))));
      secret.select();
      $("keys-form").reset();
      await loaders.keys();
    });
  });
}

// ---------------------------------------------------------------- audit

let auditNext = null;

loaders.audit = () => loadAudit(false);

function setUpAudit() {
  $("audit-form").addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(() => loadAudit(false));
  });
  $("audit-more").addEventListener("click", () => guarded(() => loadAudit(true)));
}

async function loadAudit(more) {
  let path = auditNext;
  if (!more || !path) {
    const query = new URLSearchParams({ limit: "50" });
    for (const name of ["actor", "operation", "target"]) {
      const value = $(`audit-${name}`).value.trim();
      if (value) query.set(name, value);
    }
    path = `/api/admin/audit?${query}`;
  }
  const page = await ok(api("GET", path));
  const rows = page.results.map((entry) => el("tr", { "data-operation": entry.operation },
    timeCell(entry.time), el("td", {}, entry.via), el("td", {}, entry.actor),
    el("td", {}, el("code", {}, entry.operation)), el("td", {}, el("code", {}, entry.target)),
    el("td", {}, entry.detail)));
  if (more) $("audit-table").tBodies[0].append(...rows);
  else fillRows($("audit-table"), rows, "No change matches.");
  auditNext = page.next;
  $("audit-more").hidden = !page.next;
}

// ---------------------------------------------------------------- start

function start() {
  setUpTables();
  setUpScan();
  setUpLookup();
  setUpCatalog();
  setUpLabels();
  setUpPlugins();
  setUpHistory();
  setUpStock();
  setUpOrders();
  setUpKeys();
  setUpAudit();
  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = await signIn($("signin-key").value.trim());
    if (error) $("signin-error").textContent = error;
    else showApp();
  });
  $("signout").addEventListener("click", () => signOut());
  window.addEventListener("hashchange", route);
  const kept = sessionStorage.getItem(KEY_ITEM);
  const why = sessionStorage.getItem(SIGNED_OUT_ITEM) || "";
  sessionStorage.removeItem(SIGNED_OUT_ITEM);
  if (kept) {
    signIn(kept).then((error) => (error ? showSignIn(error) : showApp()));
  } else {
    showSignIn(why);
  }
}

start();
