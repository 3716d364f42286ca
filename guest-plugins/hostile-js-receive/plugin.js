// Hostile: a supplier plugin whose receipt never ends, or answers more than
// any limit allows, as its `mode` setting says (`loop`, the default, or
// `flood`); its scans are harmless. The sandbox must stop its receipt and
// po-receive must go on to the next plugin.
import { config } from "barcoded-plugin";
import { SupplierBarcodePlugin } from "barcoded-plugin/supplier";

export default class HostileReceiver extends SupplierBarcodePlugin {
  static NAME = "hostile-js-receive";
  static TITLE = "Receipt bomb (JavaScript)";
  static DESCRIPTION = "A supplier plugin whose receipts loop forever or flood their answer.";
  static VERSION = "0.1.0";
  static AUTHOR = "barcoded test suite";

  extractBarcodeFields(data) {
    return SupplierBarcodePlugin.parseEciaBarcode2d(data);
  }

  scanReceiveItem() {
    if (config.get("mode") === "flood") {
      const error = "x".repeat(1 << 20);
      return { error, lineitem: { pk: "y".repeat(1 << 20), quantity: 1 } };
    }
    for (;;) {}
  }
}
