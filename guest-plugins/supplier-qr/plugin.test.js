// Native tests: `node --test` in this folder, with the SDK importable as
// barcoded-plugin (`barcoded plugin new` projects link it; here, NODE_PATH
// does not apply to ES modules, so guest-plugins/build.sh links it).
import assert from "node:assert/strict";
import { test } from "node:test";

import { Invalid } from "barcoded-plugin";
import { FakeHost, scan } from "barcoded-plugin/testing";
import plugin from "./plugin.js";

const TME = "QTY:1 PN:WBP-302 PO:19361337/1 CPO:PO-2023-06-08-001337 MFR:WISHERENTERPRISE MPN:WBP-302 RoHS https://www.tme.eu/details/WBP-302";
const LCSC = "{pbn:PICK2009291337,on:SO2009291337,pc:C312270,pm:ST-1-102-A01-T000-RS,qty:2,mc:,cc:1,pdi:34421807}";

test("TME's QR code", () => {
  const answer = new FakeHost().run(() => scan(plugin, TME));
  assert.equal(answer.format, "TME-QR");
  assert.deepEqual(answer.fields.slice(0, 3), [
    { key: "supplier_part_number", value: "WBP-302" },
    { key: "quantity", value: "1" },
    { key: "supplier_order_number", value: "19361337" },
  ]);
});

test("TME's 2D code", () => {
  const answer = new FakeHost().run(() => scan(plugin, "PWBP-302 1PMPNWBP-302 Q1 K19361337/1"));
  assert.equal(answer.format, "TME-2D");
  assert.equal(answer.quantity, 1);
});

test("LCSC's QR code names the catalog's product", () => {
  const host = new FakeHost({ products: [{ sku: "SW-1", name: "Switch", supplierParts: [{ supplier: "LCSC", part: "C312270" }] }] });
  const answer = host.run(() => scan(plugin, LCSC));
  assert.deepEqual(answer.fields.at(-1), { key: "product", value: "Switch" });
});

test("a bad quantity is invalid", () => {
  assert.throws(() => new FakeHost().run(() => scan(plugin, "QTY:x PN:A")), Invalid);
});

test("formats can be turned off", () => {
  assert.equal(new FakeHost({ config: { formats: "tme" } }).run(() => scan(plugin, LCSC)), null);
});

test("other data is not mine", () => {
  assert.equal(new FakeHost().run(() => scan(plugin, "4006381333931")), null);
});
