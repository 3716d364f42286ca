// Decodes shelf labels: SHELF-<aisle>-<bay>, such as SHELF-12-3.

import { Invalid, ScanResult, config } from "barcoded-plugin";

export default {
  NAME: "shelf",
  TITLE: "Shelf labels",
  DESCRIPTION: "Decodes SHELF-<aisle>-<bay> location labels.",
  VERSION: "0.1.0",
  AUTHOR: "Example Stores <dev@example.com>",
  // The server asks this plugin only about data these patterns match:
  // cover everything scan() decodes or rejects.
  CLAIMS: ["^SHELF-"],

  scan(barcodeData) {
    // Not ours: answer null, so that the next plugin is asked.
    if (!barcodeData.startsWith("SHELF-")) return null;
    // Ours, but broken: say why, in words a till operator can act on.
    const m = /^SHELF-(\d+)-(\d+)$/.exec(barcodeData);
    if (!m) throw new Invalid("expected SHELF-<aisle>-<bay>, both numbers", "SHELF");
    // An operator setting (`barcoded plugin config shelf site=north`).
    const site = config.get("site") ?? "main";
    // What a plugin logs goes to the server log, tagged with its name.
    console.log(`shelf label: aisle ${m[1]}, bay ${m[2]} at ${site}`);
    return new ScanResult("SHELF", { fields: { site, aisle: m[1], bay: m[2] } });
  },
};
