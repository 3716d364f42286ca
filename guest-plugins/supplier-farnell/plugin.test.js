// Native tests: `node --test` here (barcoded-plugin resolved from
// node_modules, as `just test` links it). The labels are ECIA labels in the
// shape of InvenTree's test vectors (guest-plugins/ecia/vectors).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import test from "node:test";

import { FakeHost, receive, scan } from "barcoded-plugin/testing";
import plugin from "./plugin.js";

const vectors = JSON.parse(readFileSync(new URL("../ecia/vectors/supplier-labels.json", import.meta.url)))
  .vectors;
const GS = "\x1d";
const label = (...fields) => `[)>\x1e06${GS}${fields.join(GS)}\x1e\x04`;
const LABEL = label("P1234567", "1PRC0603-10K", "KPO-77", "1K900123", "Q50");
const RESISTOR = { sku: "RES-10K", name: "10k resistor 0603", supplierParts: [{ supplier: "Farnell", part: "1234567" }, { supplier: "Yageo", part: "RC0603-10K" }] };
const order = () => ({ number: "PO-77", supplier: "Farnell", supplierReference: "900123", location: "DOCK", lines: [{ sku: "RES-10K", ordered: 100 }] });

test("ECIA labels read as InvenTree reads them, in every SDK", () => {
  for (const vector of vectors.filter((v) => v.data.includes(`06${GS}`))) {
    assert.deepEqual(new plugin().extractBarcodeFields(vector.data), vector.fields, vector.name);
  }
  assert.deepEqual(new plugin().extractBarcodeFields("4006381333931"), {});
});

test("a label names its product, with only catalog-read", () => {
  const host = new FakeHost({ products: [RESISTOR], grants: ["catalog-read"] });
  const answer = host.run(() => scan(plugin, LABEL));
  assert.equal(answer.lookupCode, "RES-10K");
  assert.equal(answer.quantity, 50);
  assert.equal(answer.uomCode, "EA");
  assert.equal(answer.format, "ISO 15434");
  assert.equal(JSON.parse(answer.payload).supplierpart.SKU, "1234567");
  assert.ok(answer.fields.some((f) => f.key === "manufacturer_part_number" && f.value === "RC0603-10K"));
});

test("a part another supplier sells is not mine", () => {
  const other = { ...RESISTOR, supplierParts: [{ supplier: "Mouser", part: "1234567" }] };
  const host = new FakeHost({ products: [other] });
  assert.equal(host.run(() => scan(plugin, LABEL)), null);
});

test("a label is received once, into the client's location", () => {
  const host = new FakeHost({ products: [RESISTOR], orders: [order()] });
  const first = host.receiveLabel(plugin, LABEL, { location: "BIN-9" });
  assert.equal(first.success, "Received purchase order line item");
  assert.deepEqual(first.lineitem, { pk: "RES-10K", quantity: 50, supplier_part: "1234567", purchase_order: "PO-77", location: "BIN-9" });
  const again = host.receiveLabel(plugin, LABEL);
  assert.equal(again.error, "Item has already been received");
  assert.deepEqual(host.receipts, [{ order: "PO-77", sku: "RES-10K", quantity: 50, location: "BIN-9" }]);
});

test("without a quantity, or asked not to allocate, nothing is booked", () => {
  const host = new FakeHost({ products: [RESISTOR], orders: [order()] });
  const noQuantity = label("P1234567", "KPO-77");
  assert.equal(host.receiveLabel(plugin, noQuantity).action_required, "Further information required to receive line item");
  assert.equal(host.receiveLabel(plugin, LABEL, { autoAllocate: false }).lineitem.quantity, 50);
  assert.deepEqual(host.receipts, []);
  assert.equal(host.run(() => receive(plugin, label("P999", "KPO-77", "Q1"))), null);
});
