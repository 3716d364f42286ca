// Farnell's (and Newark's) reel and bag labels: ECIA data identifiers in
// ISO/IEC 15434, read by the SDK's supplier base. Like InvenTree's supplier
// plugins, it writes only `extractBarcodeFields`; scans match the label to
// the catalog and `po-receive` receives it against its purchase order.
// Another distributor's ECIA labels: install it again under another name
// with the setting SUPPLIER_ID=<that supplier's name in the catalog>.

import { SupplierBarcodePlugin } from "barcoded-plugin/supplier";

export default class FarnellLabels extends SupplierBarcodePlugin {
  static NAME = "farnell";
  static TITLE = "Farnell labels";
  static DESCRIPTION = "Matches Farnell's ECIA labels to supplier parts and receives them";
  static VERSION = "1.0.0";
  static AUTHOR = "barcoded developers";
  static DEFAULT_SUPPLIER_NAME = "Farnell";
  static CLAIMS = ["^\\[\\)>\\x1E06\\x1D", "^>\\[\\)>06\\x1D"];

  extractBarcodeFields(data) {
    return SupplierBarcodePlugin.parseEciaBarcode2d(data);
  }
}
