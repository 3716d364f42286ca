// Write barcode decoder plugins for barcoded in JavaScript.
//
// A plugin module's default export is an object (or a class) with
// InvenTree's attributes and a `scan` method:
//
//   import { Invalid, ScanResult } from "barcoded-plugin";
//
//   export default {
//     NAME: "shelf",
//     TITLE: "Shelf labels",
//     DESCRIPTION: "Decodes SHELF-<aisle>-<bay> location labels.",
//     VERSION: "1.0.0",
//     AUTHOR: "Example Stores <dev@example.com>",
//     scan(barcodeData) {
//       if (!barcodeData.startsWith("SHELF-")) return null;      // not mine
//       const m = /^SHELF-(\d+)-(\d+)$/.exec(barcodeData);
//       if (!m) throw new Invalid("expected SHELF-<aisle>-<bay>"); // mine, but broken
//       return new ScanResult("SHELF", { fields: { aisle: m[1], bay: m[2] } });
//     },
//   };
//
// `scan` may also return a plain object, as InvenTree plugins return a dict:
// an empty one means "not mine", one with an `error` key "mine but invalid",
// and any other becomes the answer's JSON payload (its `format`,
// `lookupCode`, `uomCode`, `quantity` and `fields` keys fill those fields of
// the answer instead; InvenTree's keys in it, such as `supplierpart` and
// `success`, also appear at the top of the scan's answer). Any other
// exception fails the scan: the server logs it and
// asks the next plugin.
//
// Every scan runs in a fresh instance, with no files, network or
// environment; `console.log` and `console.error` go to the server log. Calls
// to the server (`config`, and when granted `catalog`, `stock`,
// `purchasing`) throw a `HostError` when refused. Outside a component (in
// unit tests under Node) they reach the `FakeHost` of "barcoded-plugin/testing".
//
// A supplier plugin (InvenTree's SupplierBarcodeMixin) extends
// `SupplierBarcodePlugin` from "barcoded-plugin/supplier" and writes only
// `extractBarcodeFields`.

/** Thrown from `scan`: the data is this plugin's format, but invalid.
 * `reason` is shown to the till operator; `format` defaults to NAME. */
export class Invalid extends Error {
  constructor(reason, format = undefined) {
    super(reason);
    this.name = "Invalid";
    this.reason = String(reason);
    this.format = format;
  }
}

/** A call to the server was not carried out. `kind` is "not-granted",
 * "refused" or "unavailable". Do not retry in a loop: every call counts
 * against the scan's 64, refused ones included. */
export class HostError extends Error {
  constructor(kind, message) {
    super(`${kind}: ${message}`);
    this.name = "HostError";
    this.kind = kind;
    this.hostMessage = message;
  }
}

/** A successful decode. `fields` is an object or a list of [key, value]
 * pairs, in the order found; values become text. `payload` is passed to the
 * client as JSON (an object is encoded; a string must already be JSON). */
export class ScanResult {
  constructor(format, { lookupCode = null, uomCode = null, quantity = null, fields = [], payload = null } = {}) {
    this.format = format;
    this.lookupCode = lookupCode;
    this.uomCode = uomCode;
    this.quantity = quantity;
    this.fields = fields;
    this.payload = payload;
  }
}

let host = null;

/** Makes `next` answer the calls to the server; returns the one it replaces. */
export function setHost(next) {
  const previous = host;
  host = next;
  return previous;
}

function current() {
  if (host === null) {
    throw new Error("no host: outside a component, install one with FakeHost from barcoded-plugin/testing");
  }
  return host;
}

/** Settings the operator gave this plugin (`barcoded plugin config NAME key=value`). */
export const config = {
  /** The value set for `key`, or null. */
  get: (key) => current().configGet(key),
  /** Every setting as [key, value] pairs, sorted by key. */
  all: () => current().configAll(),
};

/** Read-only catalog queries; each needs `catalog-read`. */
export const catalog = {
  /** The active barcode record and its product ({barcode, product}) for a scanned value, or null. */
  byBarcode: (code) => current().byBarcode(code),
  /** The product with this SKU, or null. */
  bySku: (sku) => current().bySku(sku),
  /** Products listing `part` among their supplier part numbers (at most 16). */
  bySupplierPart: (part) => current().bySupplierPart(part),
};

/** Stock on hand: `level` needs `stock-read`, `adjust` needs `stock-write`.
 * Changes are booked only if this plugin's answer is the scan's decode. */
export const stock = {
  level: (sku, location) => current().level(sku, location),
  adjust: (sku, location, delta, reason) => current().adjust(sku, location, delta, reason),
};

/** Purchase orders: reading them needs `catalog-read`, receiving goods
 * against them `po-receive`. */
export const purchasing = {
  /** Books a receipt into the order's location; returns the order line
   * after it: {order, sku, ordered, received}. */
  receive: (order, sku, quantity) => current().receive(order, sku, quantity, null),
  /** As `receive`, into `location`. During a receipt the server refuses a
   * label received before ("Item has already been received"). */
  receiveInto: (order, sku, quantity, location) => current().receive(order, sku, quantity, location),
  /** The order numbered `number` ({number, supplier, supplierReference,
   * location, lines: [{order, sku, ordered, received}]}), or null. */
  order: (number) => current().order(number),
  /** The orders whose supplierReference is `reference` (at most 16). */
  ordersBySupplierReference: (reference) => current().ordersBySupplierReference(reference),
};

/** The plugin object a module's default export stands for. */
export function instantiate(exported) {
  return typeof exported === "function" ? new exported() : exported;
}

function attribute(plugin, key, fallback) {
  const value = plugin[key] ?? plugin.constructor?.[key];
  return value === undefined || value === null ? fallback : String(value);
}

/** Who the plugin says it is: NAME (or SLUG) made a lowercase machine name. */
export function pluginInfo(plugin) {
  const name = attribute(plugin, "NAME", "plugin");
  const slug = attribute(plugin, "SLUG", name)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return {
    name: slug,
    title: attribute(plugin, "TITLE", name),
    description: attribute(plugin, "DESCRIPTION", ""),
    version: attribute(plugin, "VERSION", "0.0.0"),
    author: attribute(plugin, "AUTHOR", ""),
  };
}

/** Calls `plugin.scan(data)` and returns null or the answer in the server's
 * shape ({format, lookupCode, uomCode, quantity, fields: [{key, value}],
 * payload: JSON text or null}); throws Invalid, with its format filled in,
 * for "mine but invalid". */
export function normalize(plugin, data) {
  const name = attribute(plugin, "NAME", "plugin");
  let answer;
  try {
    answer = plugin.scan(data);
  } catch (error) {
    if (error instanceof Invalid) error.format = error.format ?? name;
    throw error;
  }
  if (answer === null || answer === undefined) return null;
  if (answer instanceof ScanResult) return tidy(answer);
  if (typeof answer === "object" && !Array.isArray(answer)) return fromObject(answer, name);
  throw new TypeError(`scan returned ${typeof answer}; return null, a ScanResult or an object`);
}

// The keys of an object answer that fill the answer's own fields, and so
// are left out of its payload.
const ANSWER_KEYS = new Set(["format", "lookupCode", "lookup_code", "uomCode", "uom_code", "quantity", "fields"]);

function fromObject(answer, name) {
  // InvenTree's rules: an empty dict is no match, an `error` key an error.
  if (Object.keys(answer).length === 0) return null;
  if ("error" in answer) throw new Invalid(String(answer.error), answer.format ?? name);
  return tidy(
    new ScanResult(String(answer.format ?? name), {
      lookupCode: answer.lookupCode ?? answer.lookup_code ?? null,
      uomCode: answer.uomCode ?? answer.uom_code ?? null,
      quantity: answer.quantity ?? null,
      fields: answer.fields ?? [],
      payload: Object.fromEntries(Object.entries(answer).filter(([key]) => !ANSWER_KEYS.has(key))),
    }),
  );
}

function tidy(result) {
  const pairs = Array.isArray(result.fields) ? result.fields : Object.entries(result.fields ?? {});
  const text = (v) => (v === null || v === undefined ? null : String(v));
  let payload = result.payload;
  if (payload !== null && payload !== undefined && typeof payload !== "string") payload = JSON.stringify(payload);
  return {
    format: String(result.format),
    lookupCode: text(result.lookupCode),
    uomCode: text(result.uomCode),
    quantity: quantity(result.quantity),
    fields: pairs.map(([key, value]) => ({ key: String(key), value: String(value) })),
    payload: payload ?? null,
  };
}

function quantity(value) {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new TypeError(`quantity ${value} is not a whole number from 0 to 4294967295`);
  }
  return n;
}
