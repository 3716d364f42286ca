// A fake server for unit-testing plugins under Node (`node --test`).
//
//   import { FakeHost, scan } from "barcoded-plugin/testing";
//   const host = new FakeHost({ config: { prefix: "INV-" }, products: [{ sku: "SKU-1", name: "Bolt" }] });
//   const answer = host.run(() => scan(plugin, "INV-PA1"));
//
// Calls to capabilities not in `grants` throw HostError("not-granted"), as
// the server does; by default every capability is granted.

import { HostError, instantiate, normalize, setHost } from "./index.js";

export const ALL = ["catalog-read", "stock-read", "stock-write", "po-receive"];

/** What the server would get from `exported` (a plugin module's default
 * export) for `data`: null, or the answer in the server's shape; throws
 * Invalid for "mine but invalid". */
export function scan(exported, data) {
  return normalize(instantiate(exported), data);
}

export class FakeHost {
  constructor({ config = {}, products = [], barcodes = [], stock = {}, orders = {}, grants = ALL } = {}) {
    this.config = { ...config };
    this.products = new Map(products.map((p) => [p.sku, { supplierParts: [], ...p }]));
    this.barcodes = new Map(barcodes.map((b) => [b.barcode, b]));
    this.stock = { ...stock }; // "sku@location" -> quantity
    this.orders = { ...orders }; // "order/sku" -> {ordered, received}
    this.grants = new Set(grants);
    this.adjustments = []; // {sku, location, delta, reason}, in call order
    this.receipts = []; // {order, sku, quantity}
  }

  /** Runs `f` with this host answering the calls; returns what `f` returns. */
  run(f) {
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

  receive(order, sku, quantity) {
    this.need("po-receive");
    const line = this.orders[`${order}/${sku}`];
    if (!line) throw new HostError("refused", `order ${order} has no line for ${sku}`);
    if (line.received + quantity > line.ordered) {
      throw new HostError("refused", `order ${order} line ${sku} would go over ${line.ordered}`);
    }
    line.received += quantity;
    this.receipts.push({ order, sku, quantity });
    return { order, sku, ordered: line.ordered, received: line.received };
  }
}
