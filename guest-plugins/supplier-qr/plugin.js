// Distributors' QR and 2D labels that are not ISO/IEC 15434: TME's
// `QTY:1 PN:WBP-302 ...` QR code and its older `PWBP-302 Q1 K...` 2D code,
// and LCSC's `{pbn:...,pc:C312270,qty:2,...}` QR code.
//
// With `catalog-read` granted, the supplier part number is looked up in the
// catalog, and the product it names is added to the fields. The operator
// can turn formats off with the setting `formats` (default `tme,lcsc`).

import { HostError, Invalid, ScanResult, catalog, config } from "barcoded-plugin";

function quantity(format, text) {
  if (!/^\d{1,9}$/.test(text ?? "")) throw new Invalid(`quantity ${JSON.stringify(text ?? "")} is not a number`, format);
  return Number(text);
}

// TME's QR code: space-separated KEY:VALUE tokens, then flags and a URL.
function tmeQr(data) {
  const tokens = data.split(" ");
  const pairs = new Map();
  for (const token of tokens) {
    const m = /^([A-Z]+):(.*)$/.exec(token);
    if (m && !token.startsWith("http")) pairs.set(m[1], m[2]);
  }
  if (!pairs.has("QTY") || !pairs.has("PN")) return null;
  const fields = [
    ["supplier_part_number", pairs.get("PN")],
    ["quantity", String(quantity("TME-QR", pairs.get("QTY")))],
  ];
  if (pairs.has("PO")) fields.push(["supplier_order_number", pairs.get("PO").split("/")[0]]);
  if (pairs.has("CPO")) fields.push(["customer_order_number", pairs.get("CPO")]);
  if (pairs.has("MFR")) fields.push(["manufacturer", pairs.get("MFR")]);
  if (pairs.has("MPN")) fields.push(["manufacturer_part_number", pairs.get("MPN")]);
  return { format: "TME-QR", fields, quantity: Number(pairs.get("QTY")) };
}

// TME's older 2D code: tokens that each start with a data identifier.
function tme2d(data) {
  const tokens = data.split(" ");
  if (tokens.length < 2 || !tokens.every((t) => /^(1P|P|Q|K)\S+$/.test(t))) return null;
  const part = tokens.find((t) => /^P/.test(t));
  const qty = tokens.find((t) => /^Q/.test(t));
  if (!part || !qty) return null;
  const n = quantity("TME-2D", qty.slice(1));
  return { format: "TME-2D", fields: [["supplier_part_number", part.slice(1)], ["quantity", String(n)]], quantity: n };
}

// LCSC's QR code: {key:value,...}, without JSON's quotes.
function lcsc(data) {
  if (!data.startsWith("{") || !data.endsWith("}") || data.includes('"')) return null;
  const pairs = new Map(
    data
      .slice(1, -1)
      .split(",")
      .map((item) => [item.slice(0, item.indexOf(":")), item.slice(item.indexOf(":") + 1)]),
  );
  if (!pairs.has("pc") || !pairs.has("pbn")) return null;
  const n = quantity("LCSC-QR", pairs.get("qty"));
  const fields = [
    ["supplier_part_number", pairs.get("pc")],
    ["manufacturer_part_number", pairs.get("pm") ?? ""],
    ["quantity", String(n)],
    ["supplier_order_number", pairs.get("on") ?? ""],
  ];
  return { format: "LCSC-QR", fields, quantity: n };
}

const DECODERS = { tme: [tmeQr, tme2d], lcsc: [lcsc] };

// The catalog's product for a supplier part number, when the plugin may read it.
function product(part) {
  try {
    const found = catalog.bySupplierPart(part);
    return found.length === 1 ? found[0] : null;
  } catch (error) {
    if (error instanceof HostError) {
      console.log(`catalog not read for ${part}: ${error.kind}`);
      return null;
    }
    throw error;
  }
}

export default {
  NAME: "supplier-qr",
  TITLE: "Distributor QR labels",
  DESCRIPTION: "Decodes TME's QR and 2D labels and LCSC's QR labels.",
  VERSION: "1.0.0",
  AUTHOR: "barcoded examples",
  // What the decoders below look for first: the server asks this plugin
  // about nothing else.
  CLAIMS: ["QTY:", "^(1P|P|Q|K)\\S+( (1P|P|Q|K)\\S+)+$", "^\\{(?s:.*)\\}$"],

  scan(barcodeData) {
    const formats = (config.get("formats") ?? "tme,lcsc").split(",").map((f) => f.trim());
    for (const format of formats) {
      for (const decode of DECODERS[format] ?? []) {
        const label = decode(barcodeData);
        if (label === null) continue;
        const spn = label.fields[0][1];
        const found = product(spn);
        if (found) label.fields.push(["sku", found.sku], ["product", found.name]);
        return new ScanResult(label.format, { quantity: label.quantity, uomCode: "EA", fields: label.fields });
      }
    }
    return null;
  },
};
