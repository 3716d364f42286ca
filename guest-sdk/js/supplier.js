// Supplier labels, as InvenTree's SupplierBarcodeMixin reads them, for
// JavaScript plugins: extend `SupplierBarcodePlugin` and write only
// `extractBarcodeFields(barcodeData)`, returning the label's fields under the
// standard names below (the same names the Python SDK and the Rust SDK's
// `supplier` module use). Scans then match the fields to the catalog, and
// `POST /api/barcode/po-receive/` receives the label against its purchase
// order.
//
//   import { SupplierBarcodePlugin } from "barcoded-plugin/supplier";
//
//   export default class DigiKey extends SupplierBarcodePlugin {
//     static NAME = "digikey";
//     static DEFAULT_SUPPLIER_NAME = "DigiKey";
//     extractBarcodeFields(data) { return SupplierBarcodePlugin.parseEciaBarcode2d(data); }
//   }
//
// The catalog has no companies: a supplier is a name. The `SUPPLIER_ID`
// setting matches supplier names exactly (ignoring case);
// DEFAULT_SUPPLIER_NAME matches any name containing it. A manufacturer part
// number is recorded as a supplier part under the manufacturer's name.

import { HostError, catalog, config, purchasing } from "./index.js";

const HEADER = "[)>\x1e06\x1d";
const OLD_MOUSER_HEADER = ">[)>06\x1d";
const TRAILER = "\x1e\x04";
const DELIMITER = "\x1d";

/** The standard field names, InvenTree's. */
export const FIELDS = Object.freeze({
  CUSTOMER_ORDER_NUMBER: "customer_order_number",
  SUPPLIER_ORDER_NUMBER: "supplier_order_number",
  PACKING_LIST_NUMBER: "packing_list_number",
  SHIP_DATE: "ship_date",
  CUSTOMER_PART_NUMBER: "customer_part_number",
  SUPPLIER_PART_NUMBER: "supplier_part_number",
  PURCHASE_ORDER_LINE: "purchase_order_line",
  QUANTITY: "quantity",
  DATE_CODE: "date_code",
  LOT_CODE: "lot_code",
  COUNTRY_OF_ORIGIN: "country_of_origin",
  MANUFACTURER: "manufacturer",
  MANUFACTURER_PART_NUMBER: "manufacturer_part_number",
});

/** ECIA data identifiers and the names they are read as, in the order they
 * are tried: a field takes the first identifier that prefixes it. */
export const ECIA_FIELDS = Object.freeze([
  ["K", FIELDS.CUSTOMER_ORDER_NUMBER],
  ["1K", FIELDS.SUPPLIER_ORDER_NUMBER],
  ["11K", FIELDS.PACKING_LIST_NUMBER],
  ["6D", FIELDS.SHIP_DATE],
  ["9D", FIELDS.DATE_CODE],
  ["10D", FIELDS.DATE_CODE],
  ["4K", FIELDS.PURCHASE_ORDER_LINE],
  ["14K", FIELDS.PURCHASE_ORDER_LINE],
  ["P", FIELDS.SUPPLIER_PART_NUMBER],
  ["1P", FIELDS.MANUFACTURER_PART_NUMBER],
  ["30P", FIELDS.SUPPLIER_PART_NUMBER],
  ["1T", FIELDS.LOT_CODE],
  ["4L", FIELDS.COUNTRY_OF_ORIGIN],
  ["1V", FIELDS.MANUFACTURER],
  ["Q", FIELDS.QUANTITY],
]);

/** A supplier name: `exact` names match only themselves (ignoring case),
 * others any name that contains them. */
export class Company {
  constructor(name, exact = false) {
    this.pk = this.name = String(name);
    this.exact = exact;
  }

  matches(name) {
    if (!name) return false;
    const mine = this.name.toLowerCase();
    const theirs = String(name).toLowerCase();
    return this.exact ? mine === theirs : theirs.includes(mine);
  }
}

const lists = (product, part) => product.supplierParts.some((entry) => entry.part === part);

/** A label's quantity as whole units, or null when it has none (or one that
 * is not a whole number from 1 to 4294967295). */
export function wholeQuantity(quantity) {
  if (quantity === null || quantity === undefined || typeof quantity === "boolean") return null;
  const text = String(quantity).trim();
  if (!/^\d+(\.0*)?$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= 0xffffffff ? n : null;
}

export class SupplierBarcodePlugin {
  static FIELDS = FIELDS;

  /** The label's fields under the standard names; {} when the label is not
   * this supplier's. Every supplier plugin writes this. */
  extractBarcodeFields(_barcodeData) {
    throw new Error("extractBarcodeFields must be implemented by each plugin");
  }

  getFieldValue(key, backup = null) {
    return (this.barcodeFields ?? {})[key] ?? backup;
  }

  get quantity() {
    return this.getFieldValue(FIELDS.QUANTITY);
  }
  get supplierPartNumber() {
    return this.getFieldValue(FIELDS.SUPPLIER_PART_NUMBER);
  }
  get manufacturerPartNumber() {
    return this.getFieldValue(FIELDS.MANUFACTURER_PART_NUMBER);
  }
  get customerOrderNumber() {
    return this.getFieldValue(FIELDS.CUSTOMER_ORDER_NUMBER);
  }
  get supplierOrderNumber() {
    return this.getFieldValue(FIELDS.SUPPLIER_ORDER_NUMBER);
  }

  /** The supplier: the `SUPPLIER_ID` setting, else DEFAULT_SUPPLIER_NAME, else null. */
  getSupplier() {
    const configured = config.get("SUPPLIER_ID");
    const name = configured ?? this.constructor.DEFAULT_SUPPLIER_NAME ?? this.DEFAULT_SUPPLIER_NAME;
    return name ? new Company(name, configured !== null && configured !== undefined) : null;
  }

  /** The one supplier part the label names ({pk, SKU, supplier, part}: `SKU`
   * the supplier's number, `part` the catalog's product), or null: by
   * supplier part number within the supplier, narrowed by manufacturer part
   * number when several match; by the manufacturer part number alone when
   * the label has no supplier part number. */
  getSupplierPart() {
    const sku = this.supplierPartNumber;
    const mpn = this.manufacturerPartNumber;
    if (!sku && !mpn) return null;
    const supplier = this.getSupplier();
    const ofSupplier = (entry) => supplier === null || supplier.matches(entry.supplier);
    let found = [];
    for (const product of catalog.bySupplierPart(sku || mpn)) {
      for (const entry of product.supplierParts) {
        const fits = sku ? entry.part === sku && ofSupplier(entry) : supplier === null ? entry.part === mpn : ofSupplier(entry);
        if (fits) found.push([product, entry]);
      }
    }
    if (sku && mpn && found.length > 1) {
      const narrowed = found.filter(([product]) => lists(product, mpn));
      if (narrowed.length > 0) found = narrowed;
    }
    if (found.length !== 1) return null;
    const [product, entry] = found[0];
    return { pk: entry.part, SKU: entry.part, supplier: entry.supplier, part: product };
  }

  /** The one product listing the label's manufacturer part number (made or
   * supplied by the supplier, when there is one), as {pk, MPN, part}. */
  getManufacturerPart() {
    const mpn = this.manufacturerPartNumber;
    if (!mpn) return null;
    const supplier = this.getSupplier();
    const found = catalog.bySupplierPart(mpn).filter(
      (product) => supplier === null || product.supplierParts.some((entry) => supplier.matches(entry.supplier)),
    );
    return found.length === 1 ? { pk: mpn, MPN: mpn, part: found[0] } : null;
  }

  /** The one purchase order the label names: by customer order number (our
   * order's number), else by supplier order number (its supplier reference),
   * of the supplier when there is one. Needs `catalog-read`. */
  getPurchaseOrder() {
    const customer = this.customerOrderNumber;
    const supplierOrder = this.supplierOrderNumber;
    if (!customer && !supplierOrder) return null;
    let orders = customer ? [purchasing.order(customer)].filter(Boolean) : purchasing.ordersBySupplierReference(supplierOrder);
    const supplier = this.getSupplier();
    if (supplier) orders = orders.filter((order) => supplier.matches(order.supplier));
    return orders.length === 1 ? orders[0] : null;
  }

  /** InvenTree's answer for a label whose fields match: the matches under
   * `supplierpart`, `manufacturerpart` and `purchaseorder`, `company` and
   * `success`, with the product's SKU as the lookup code and the label's
   * fields; null (not mine) when nothing matches. */
  scan(barcodeData) {
    const data = String(barcodeData).trim();
    this.barcodeFields = this.extractBarcodeFields(data) ?? {};
    if (Object.keys(this.barcodeFields).length === 0) return null;
    let order, supplierPart, manufacturerPart;
    try {
      order = this.getPurchaseOrder();
      supplierPart = this.getSupplierPart();
      manufacturerPart = this.getManufacturerPart();
    } catch (error) {
      // Without `catalog-read` nothing can match: not mine, and the refused
      // call tells the operator what to grant.
      if (error instanceof HostError && error.kind === "not-granted") return null;
      throw error;
    }
    if (!supplierPart && !manufacturerPart && !order) return null;
    const answer = {};
    if (order) answer.purchaseorder = { pk: order.number, reference: order.number, supplier: order.supplier ?? null };
    if (supplierPart) {
      answer.supplierpart = { pk: supplierPart.pk, SKU: supplierPart.SKU, supplier: supplierPart.supplier, part: supplierPart.part.sku };
    }
    if (manufacturerPart) answer.manufacturerpart = { pk: manufacturerPart.pk, MPN: manufacturerPart.MPN, part: manufacturerPart.part.sku };
    const supplier = this.getSupplier();
    if (supplier) answer.company = { pk: supplier.pk };
    answer.success = "Found matching item";
    const product = supplierPart?.part ?? manufacturerPart?.part ?? null;
    answer.format = data.startsWith(HEADER) || data.startsWith(OLD_MOUSER_HEADER) ? "ISO 15434" : `${this.constructor.DEFAULT_SUPPLIER_NAME ?? this.constructor.NAME} label`;
    if (product) answer.lookupCode = product.sku;
    answer.quantity = wholeQuantity(this.quantity);
    // A supplier's quantity counts single units: the till shows `10× EA`.
    if (answer.quantity !== null) answer.uomCode = "EA";
    answer.fields = { ...this.barcodeFields };
    return answer;
  }

  /** Receives the label as InvenTree's po-receive does (see the Python
   * SDK's `scan_receive_item`): null unless a supplier, an order of that
   * supplier, a supplier part and one line for it are found; else an answer
   * with `lineitem` and one of `success`, `action_required` or `error`.
   * `purchaseOrder` and `lineItem` are the order and line the client named,
   * `location` a location name. */
  scanReceiveItem(barcodeData, { purchaseOrder = null, lineItem = null, location = null, autoAllocate = true } = {}) {
    const data = String(barcodeData).trim();
    this.barcodeFields = this.extractBarcodeFields(data) ?? {};
    const supplier = this.getSupplier();
    if (!supplier) return null;
    const order = purchaseOrder ?? this.getPurchaseOrder();
    if (!order || !supplier.matches(order.supplier)) return null;
    const part = this.getSupplierPart();
    if (!part) return null;
    let line = lineItem;
    if (!line) {
      const lines = order.lines.filter((l) => l.sku === part.part.sku);
      if (lines.length === 1) line = lines[0];
    }
    if (!line) return null;
    if (line.sku !== part.part.sku) return { error: "Supplier part does not match line item" };
    if (line.received >= line.ordered) return { error: "Line item is already completed" };
    const into = location ?? order.location;
    let quantity = wholeQuantity(this.quantity);
    const actionRequired = !autoAllocate || !into || quantity === null;
    if (quantity === null) quantity = Math.max(line.ordered - line.received, 0);
    const answer = { lineitem: { pk: line.sku, quantity, supplier_part: part.pk, purchase_order: order.number, location: into ?? null } };
    if (actionRequired) {
      answer.action_required = "Further information required to receive line item";
      return answer;
    }
    try {
      purchasing.receiveInto(order.number, line.sku, quantity, into);
      answer.success = "Received purchase order line item";
    } catch (error) {
      if (!(error instanceof HostError)) throw error;
      answer.error = error.hostMessage;
    }
    return answer;
  }

  /** `data` without `header` and `trailer`, split at `delimiter`. */
  static splitFields(data, delimiter = ",", header = "", trailer = "") {
    let text = data;
    if (header && text.startsWith(header)) text = text.slice(header.length);
    if (trailer && text.endsWith(trailer)) text = text.slice(0, -trailer.length);
    return text.split(delimiter);
  }

  /** The fields of an ISO/IEC 15434 format 06 message, also behind Mouser's
   * old `>[)>06` header; [] for anything else. */
  static parseIsoIec15434Barcode2d(data) {
    let text = data;
    if (text.startsWith(OLD_MOUSER_HEADER)) text = HEADER + text.slice(OLD_MOUSER_HEADER.length);
    if (!text.startsWith(HEADER)) return [];
    return SupplierBarcodePlugin.splitFields(text, DELIMITER, HEADER, TRAILER);
  }

  /** The standard fields of an ECIA label; identifiers without a standard
   * name are left out. */
  static parseEciaBarcode2d(data) {
    const fields = {};
    for (const field of SupplierBarcodePlugin.parseIsoIec15434Barcode2d(data)) {
      const known = ECIA_FIELDS.find(([identifier]) => field.startsWith(identifier));
      if (known) fields[known[1]] = field.slice(known[0].length);
    }
    return fields;
  }
}
