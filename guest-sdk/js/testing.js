// A fake server for unit-testing plugins under Node (`node --test`).
//
//   import { FakeHost, scan } from "barcoded-plugin/testing";
//   const host = new FakeHost({ config: { prefix: "INV-" }, products: [{ sku: "SKU-1", name: "Bolt" }] });
//   const answer = host.run(() => scan(plugin, "INV-PA1"));
//
// Calls to capabilities not in `grants` throw HostError("not-granted"), as
// the server does; by default every capability is granted. `orders` are
// purchase orders ({number, supplier, supplierReference, location, lines:
// [{sku, ordered, received}]}); `receive` runs a receipt, whose calls refuse
// a label received before.

import { receiveLabel } from "./component.js";
import { HostError, instantiate, normalize, setHost } from "./index.js";

export const ALL = ["catalog-read", "stock-read", "stock-write", "po-receive"];

/** What the server would get from `exported` (a plugin module's default
 * export) for `data`: null, or the answer in the server's shape; throws
 * Invalid for "mine but invalid". */
export function scan(exported, data) {
  return normalize(instantiate(exported), data);
}

/** What the server would get from `exported` asked to receive the label
 * `data` as `POST /api/barcode/po-receive/` asks ({order, line, location,
 * autoAllocate}): null, or the plugin's answer with InvenTree's keys
 * (`success`, `action_required` or `error`, and `lineitem`). Run it inside
 * `host.run`. */
export function receive(exported, data, request = {}) {
  return receiveLabel(instantiate(exported), data, request);
}

export class FakeHost {
  constructor({ config = {}, products = [], barcodes = [], stock = {}, orders = [], grants = ALL } = {}) {
    this.config = { ...config };
    this.products = new Map(products.map((p) => [p.sku, { supplierParts: [], ...p }]));
    this.barcodes = new Map(barcodes.map((b) => [b.barcode, b]));
    this.stock = { ...stock }; // "sku@location" -> quantity
    this.orders = new Map(
      orders.map((o) => [
        o.number,
        { supplier: null, supplierReference: null, location: "RECEIVING", ...o, lines: o.lines.map((l) => ({ received: 0, ...l, order: o.number })) },
      ]),
    );
    this.grants = new Set(grants);
    this.adjustments = []; // {sku, location, delta, reason}, in call order
    this.receipts = []; // {order, sku, quantity, location}
    this.labels = new Set(); // the labels received
  }

  /** Runs `f` with this host answering the calls; returns what `f` returns. */
  run(f) {
    this.label = null;
    const previous = setHost(this);
    try {
      return f();
    } finally {
      setHost(previous);
    }
  }

  need(capability) {
    if (!this.grants.has(capability)) throw new HostError("not-granted", `needs ${capability}`);
  }

  configGet(key) {
    return this.config[key] ?? null;
  }

  configAll() {
    return Object.entries(this.config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  byBarcode(code) {
    this.need("catalog-read");
    const record = this.barcodes.get(code);
    return record ? { barcode: record, product: this.products.get(record.productSku) ?? null } : null;
  }

  bySku(sku) {
    this.need("catalog-read");
    return this.products.get(sku) ?? null;
  }

  bySupplierPart(part) {
    this.need("catalog-read");
    return [...this.products.values()]
      .filter((p) => p.supplierParts.some((s) => s.part === part))
      .sort((a, b) => (a.sku < b.sku ? -1 : 1))
      .slice(0, 16);
  }

  level(sku, location) {
    this.need("stock-read");
    return this.stock[`${sku}@${location}`] ?? 0;
  }

  adjust(sku, location, delta, reason) {
    this.need("stock-write");
    if (!this.products.has(sku)) throw new HostError("refused", `no product with SKU ${sku}`);
    const key = `${sku}@${location}`;
    this.stock[key] = (this.stock[key] ?? 0) + delta;
    this.adjustments.push({ sku, location, delta, reason });
  }

  receive(order, sku, quantity, location) {
    this.need("po-receive");
    const found = this.orders.get(order);
    const line = found?.lines.find((l) => l.sku === sku);
    if (!line) throw new HostError("refused", `purchase order ${order} has no line for SKU ${sku}`);
    if (this.label !== null && this.labels.has(this.label)) throw new HostError("refused", "Item has already been received");
    if (line.received + quantity > line.ordered) {
      throw new HostError("refused", `receiving ${quantity} of SKU ${sku} against purchase order ${order} would make ${line.received + quantity} received of ${line.ordered} ordered`);
    }
    line.received += quantity;
    if (this.label !== null) this.labels.add(this.label);
    this.receipts.push({ order, sku, quantity, location: location ?? found.location });
    return { order, sku, ordered: line.ordered, received: line.received };
  }

  order(number) {
    this.need("catalog-read");
    const found = this.orders.get(number);
    return found ? structuredClone(found) : null;
  }

  ordersBySupplierReference(reference) {
    this.need("catalog-read");
    return [...this.orders.values()]
      .filter((o) => o.supplierReference === reference)
      .sort((a, b) => (a.number < b.number ? -1 : 1))
      .slice(0, 16)
      .map((o) => structuredClone(o));
  }

  /** Runs a receipt of `data` (see `receive`) with this host: its calls
   * are those of a receipt, which refuse a label received before. */
  receiveLabel(exported, data, request = {}) {
    return this.run(() => {
      this.label = data;
      try {
        return receive(exported, data, request);
      } finally {
        this.label = null;
      }
    });
  }
}
