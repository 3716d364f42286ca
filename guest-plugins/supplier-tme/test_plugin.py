"""Native tests: `python3 -m unittest` here, with the SDK on PYTHONPATH.
Labels are InvenTree's test vectors (guest-plugins/ecia/vectors)."""

import json
import pathlib
import unittest

from barcoded_plugin import OrderLine, Product, PurchaseOrder, SupplierPart
from barcoded_plugin.testing import FakeHost, receive, scan

from plugin import TmeLabels

VECTORS = {v["name"]: v for v in json.loads(
    (pathlib.Path(__file__).parent / "../ecia/vectors/supplier-labels.json").read_text()
)["vectors"]}
QR = VECTORS["TME_QRCODE (QR, KEY:VALUE)"]
DATAMATRIX = VECTORS["TME_DATAMATRIX_CODE (old space-separated 2D)"]
HOUSING = Product("BOX-302", "WBP-302 housing", supplier_parts=[SupplierPart("TME", "WBP-302")])


class Labels(unittest.TestCase):
    def test_the_qr_reads_as_invenTree_reads_it(self):
        self.assertEqual(TmeLabels().extract_barcode_fields(QR["data"]), QR["fields"])

    def test_the_datamatrix_reads_its_part_and_quantity(self):
        fields = TmeLabels().extract_barcode_fields(DATAMATRIX["data"])
        self.assertEqual({k: fields[k] for k in DATAMATRIX["fields"]}, DATAMATRIX["fields"])
        self.assertEqual(fields["manufacturer_part_number"], "MPNWBP-302")

    def test_both_forms_name_the_product(self):
        for label in (QR["data"], DATAMATRIX["data"]):
            with FakeHost(products=[HOUSING], grants=("catalog-read",)):
                self.assertEqual(scan(TmeLabels, label).lookup_code, "BOX-302", label)

    def test_the_qr_is_received_against_our_order_number(self):
        order = PurchaseOrder("PO-2023-06-08-001337", "TME", None, "DOCK",
                              [OrderLine("PO-2023-06-08-001337", "BOX-302", 5)])
        with FakeHost(products=[HOUSING], orders=[order]) as host:
            self.assertIn("success", receive(TmeLabels, QR["data"], location="BIN-3"))
        self.assertEqual(host.receipts, [("PO-2023-06-08-001337", "BOX-302", 1, "BIN-3")])


if __name__ == "__main__":
    unittest.main()
