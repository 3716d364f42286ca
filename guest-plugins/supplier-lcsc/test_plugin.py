"""Native tests: `python3 -m unittest` here, with the SDK on PYTHONPATH.
The label is InvenTree's test vector (guest-plugins/ecia/vectors)."""

import json
import pathlib
import unittest

from barcoded_plugin import OrderLine, Product, PurchaseOrder, SupplierPart
from barcoded_plugin.testing import FakeHost, receive, scan

from plugin import LcscLabels

VECTOR = next(v for v in json.loads(
    (pathlib.Path(__file__).parent / "../ecia/vectors/supplier-labels.json").read_text()
)["vectors"] if v["name"].startswith("LCSC"))
SWITCH = Product("SW-102", "Slide switch", supplier_parts=[SupplierPart("LCSC", "C312270")])


class Labels(unittest.TestCase):
    def test_fields_read_as_invenTree_reads_them(self):
        self.assertEqual(LcscLabels().extract_barcode_fields(VECTOR["data"]), VECTOR["fields"])

    def test_what_is_not_an_lcsc_qr_has_no_fields(self):
        for data in ("{pc:C1", "{pc}", "{}", "pc:C1", "{pc:C1:x}", "4006381333931"):
            self.assertEqual(LcscLabels().extract_barcode_fields(data), {}, data)

    def test_a_label_names_its_product(self):
        with FakeHost(products=[SWITCH], grants=("catalog-read",)):
            answer = scan(LcscLabels, VECTOR["data"])
        self.assertEqual((answer.lookup_code, answer.quantity, answer.format),
                         ("SW-102", 2, "LCSC label"))

    def test_a_label_is_received_against_the_order_lcsc_references(self):
        order = PurchaseOrder("PO-7", "LCSC", "SO2009291337", "DOCK",
                              [OrderLine("PO-7", "SW-102", 4)])
        with FakeHost(products=[SWITCH], orders=[order]) as host:
            self.assertIn("success", receive(LcscLabels, VECTOR["data"]))
        self.assertEqual(host.receipts, [("PO-7", "SW-102", 2, "DOCK")])


if __name__ == "__main__":
    unittest.main()
