// The component side of the SDK: the `decoder` export made from a plugin
// module, the server's imports as the SDK's host, and `console`. The build
// writes an entry module that imports the WIT interfaces and calls these;
// plugin code never imports this file.

import { HostError, Invalid, instantiate, normalize, pluginInfo, purchasing as sdkPurchasing } from "./index.js";

/** The `decoder` export for a plugin module's default export. */
export function decoderFor(exported) {
  // Made once, at build time: the snapshot keeps it, so a scan does not pay for it.
  const plugin = instantiate(exported);
  const info = pluginInfo(plugin);
  return {
    info: () => info,
    scan(data) {
      try {
        return normalize(plugin, data);
      } catch (error) {
        // A thrown {format, reason} is the WIT `err` case.
        if (error instanceof Invalid) throw { format: error.format, reason: error.reason };
        throw error;
      }
    },
  };
}

/** The `claims` export: the plugin's `claims()` method, asked when the
 * server loads it (its settings readable), or its static CLAIMS; none
 * declares nothing, and the plugin is asked about every scan. */
export function claimsFor(exported) {
  const plugin = instantiate(exported);
  return {
    patterns() {
      const declared = typeof plugin.claims === "function" ? plugin.claims() : (plugin.constructor?.CLAIMS ?? plugin.CLAIMS ?? []);
      return Array.from(declared, String);
    },
  };
}

/** The server's imports, with their errors thrown as HostError. */
export function witHost({ config, catalog, stock, purchasing }) {
  const call = (f) => {
    try {
      return f();
    } catch (error) {
      const payload = error?.payload ?? error;
      if (payload && typeof payload.tag === "string") throw new HostError(payload.tag, String(payload.val));
      throw error;
    }
  };
  return {
    configGet: (key) => config.get(key) ?? null,
    configAll: () => config.all(),
    byBarcode: (code) => call(() => catalog.byBarcode(code)) ?? null,
    bySku: (sku) => call(() => catalog.bySku(sku)) ?? null,
    bySupplierPart: (part) => call(() => catalog.bySupplierPart(part)),
    level: (sku, location) => call(() => stock.level(sku, location)),
    adjust: (sku, location, delta, reason) => call(() => stock.adjust(sku, location, delta, reason)),
    receive: (order, sku, quantity, location) =>
      call(() => (location === null ? purchasing.receive(order, sku, quantity) : purchasing.receiveInto(order, sku, quantity, location))),
    order: (number) => tidyOrder(call(() => purchasing.order(number))),
    ordersBySupplierReference: (reference) => call(() => purchasing.ordersBySupplierReference(reference)).map(tidyOrder),
  };
}

function tidyOrder(order) {
  if (order === null || order === undefined) return null;
  return { ...order, supplier: order.supplier ?? null, supplierReference: order.supplierReference ?? null };
}

const STATUSES = [
  ["error", "refused"],
  ["action_required", "action-required"],
  ["success", "received"],
];

/** The `receiving` export: the plugin's `scanReceiveItem` (which
 * SupplierBarcodePlugin provides), its answer turned into the server's
 * receipt. A plugin without it answers null: it is not asked to receive. */
export function receivingFor(exported) {
  const plugin = instantiate(exported);
  return {
    receive(data, request) {
      const answer = receiveLabel(plugin, data, request);
      if (!answer || Object.keys(answer).length === 0) return undefined;
      const [key, status] = STATUSES.find(([key]) => key in answer) ?? [null, "refused"];
      const fields = plugin.barcodeFields ?? {};
      const line = answer.lineitem;
      return {
        status,
        message: key === null ? "the plugin's answer says nothing" : String(answer[key]),
        line:
          line && line.pk !== undefined && line.pk !== null
            ? {
                order: String(line.purchase_order ?? ""),
                sku: String(line.pk),
                quantity: Math.min(Math.max(Math.trunc(Number(line.quantity) || 0), 0), 0xffffffff),
                location: line.location === null || line.location === undefined ? undefined : String(line.location),
                supplierPart: line.supplier_part === null || line.supplier_part === undefined ? undefined : String(line.supplier_part),
              }
            : undefined,
        fields: Object.entries(fields).map(([k, v]) => [String(k), String(v)]),
      };
    },
  };
}

/** Calls `plugin.scanReceiveItem` for the label `data` with the order (its
 * number), line (its SKU) and location (its name) the client named;
 * returns its answer (an object, or null: not this plugin's). */
export function receiveLabel(plugin, data, { order = null, line = null, location = null, autoAllocate = true } = {}) {
  if (typeof plugin.scanReceiveItem !== "function") return null;
  let purchaseOrder = null;
  let lineItem = null;
  if (order !== null && order !== undefined) {
    purchaseOrder = sdkPurchasing.order(order);
    if (!purchaseOrder) return { error: `There is no purchase order ${order}` };
  }
  if (line !== null && line !== undefined) {
    if (!purchaseOrder) return { error: "Name the purchase_order of the line_item" };
    lineItem = purchaseOrder.lines.find((l) => l.sku === line) ?? null;
    if (!lineItem) return { error: `Purchase order ${order} has no line for ${line}` };
  }
  return plugin.scanReceiveItem(data, { purchaseOrder, lineItem, location: location ?? null, autoAllocate });
}

function utf8(text) {
  const bytes = [];
  for (const ch of unescape(encodeURIComponent(text))) bytes.push(ch.charCodeAt(0));
  return new Uint8Array(bytes);
}

function show(value) {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `console.log`, `info` and `debug` write to stdout, `warn` and `error` to
 * stderr: both reach the server log. The streams are opened per call, since
 * a handle taken at build time does not exist in a scan's fresh instance. */
export function installConsole(stdout, stderr) {
  const line = (values) => utf8(values.map(show).join(" ") + "\n");
  // A stream takes at most 4096 bytes per blocking write.
  const write = (stream, bytes) => {
    for (let at = 0; at < bytes.length; at += 4096) stream.blockingWriteAndFlush(bytes.subarray(at, at + 4096));
  };
  const out = (...values) => write(stdout.getStdout(), line(values));
  const err = (...values) => write(stderr.getStderr(), line(values));
  globalThis.console = { log: out, info: out, debug: out, warn: err, error: err };
}
