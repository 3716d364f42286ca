// Native tests: `node --test` in this folder.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Invalid } from "barcoded-plugin";
import { FakeHost, scan } from "barcoded-plugin/testing";
import plugin from "./plugin.js";

test("decodes a shelf label with the site setting", () => {
  const answer = new FakeHost({ config: { site: "north" } }).run(() => scan(plugin, "SHELF-12-3"));
  assert.deepEqual(answer.fields, [
    { key: "site", value: "north" },
    { key: "aisle", value: "12" },
    { key: "bay", value: "3" },
  ]);
});

test("a broken shelf label is invalid and other data not ours", () => {
  const host = new FakeHost();
  assert.throws(() => host.run(() => scan(plugin, "SHELF-12-x")), Invalid);
  assert.equal(host.run(() => scan(plugin, "4006381333931")), null);
});
