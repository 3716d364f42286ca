"""Native tests: `python3 -m unittest` here, with the SDK on PYTHONPATH.
Labels are InvenTree's test vectors (guest-plugins/ecia/vectors, from
InvenTree's test_supplier_barcodes.py)."""

import json
import pathlib
import unittest

from barcoded_plugin import OrderLine, Product, PurchaseOrder, SupplierPart
from barcoded_plugin.testing import FakeHost, receive, scan

from plugin import DigiKeyLabels

VECTORS = json.loads(
    (pathlib.Path(__file__).parent / "../ecia/vectors/supplier-labels.json").read_text()
)["vectors"]
LABEL = VECTORS[0]["data"]  # P296-LM358BIDDFRCT-ND, 1PLM358BIDDFR, 1K72991337, Q10
LABEL_30P = VECTORS[1]["data"]

AMP = Product("OPAMP-358", "LM358 dual op-amp", supplier_parts=[
    SupplierPart("DigiKey", "296-LM358BIDDFRCT-ND"), SupplierPart("TI", "LM358BIDDFR")])


def order(received=0, supplier="DigiKey"):
    return PurchaseOrder("PO-1", supplier, "72991337", "DOCK",
                         [OrderLine("PO-1", "OPAMP-358", 25, received)])


class Fields(unittest.TestCase):
    def test_both_label_forms_read_as_invenTree_reads_them(self):
        for vector in VECTORS[:2]:
            self.assertEqual(DigiKeyLabels().extract_barcode_fields(vector["data"]),
                             vector["fields"], vector["name"])

    def test_other_data_has_no_fields(self):
        self.assertEqual(DigiKeyLabels().extract_barcode_fields("4006381333931"), {})


class Scans(unittest.TestCase):
    def test_a_label_names_its_product_and_keeps_its_fields(self):
        for label in (LABEL, LABEL_30P):
            with FakeHost(products=[AMP], grants=("catalog-read",)):
                answer = scan(DigiKeyLabels, label)
            self.assertEqual(answer.lookup_code, "OPAMP-358")
            self.assertEqual((answer.quantity, answer.uom_code), (10, "EA"))
            self.assertEqual(answer.format, "ISO 15434")
            self.assertIn(("supplier_part_number", "296-LM358BIDDFRCT-ND"), answer.fields)
            payload = json.loads(answer.payload)
            self.assertEqual(payload["supplierpart"]["SKU"], "296-LM358BIDDFRCT-ND")
            self.assertEqual(payload["company"], {"pk": "DigiKey"})

    def test_a_part_of_another_supplier_or_none_is_not_mine(self):
        mouser = Product("OPAMP-358", "LM358", supplier_parts=[
            SupplierPart("Mouser", "296-LM358BIDDFRCT-ND")])
        for products in ([mouser], []):
            with FakeHost(products=products):
                self.assertIsNone(scan(DigiKeyLabels, LABEL))

    def test_without_catalog_read_nothing_matches_and_the_label_is_not_mine(self):
        with FakeHost(products=[AMP], grants=()):
            self.assertIsNone(scan(DigiKeyLabels, LABEL))

    def test_the_supplier_setting_names_the_supplier_exactly(self):
        renamed = Product("OPAMP-358", "LM358", supplier_parts=[
            SupplierPart("Digi-Key Electronics", "296-LM358BIDDFRCT-ND")])
        with FakeHost(products=[renamed]):
            self.assertIsNone(scan(DigiKeyLabels, LABEL))
        with FakeHost(products=[renamed], config={"SUPPLIER_ID": "digi-key electronics"}):
            self.assertEqual(scan(DigiKeyLabels(), LABEL).lookup_code, "OPAMP-358")

    def test_the_order_is_matched_by_the_suppliers_reference(self):
        with FakeHost(products=[AMP], orders=[order()]):
            payload = json.loads(scan(DigiKeyLabels, LABEL).payload)
        self.assertEqual(payload["purchaseorder"]["pk"], "PO-1")


class Receipts(unittest.TestCase):
    def test_a_label_is_received_once(self):
        with FakeHost(products=[AMP], orders=[order()]) as host:
            answer = receive(DigiKeyLabels, LABEL)
            self.assertEqual(answer["success"], "Received purchase order line item")
            self.assertEqual(answer["lineitem"], {
                "pk": "OPAMP-358", "quantity": 10, "supplier_part": "296-LM358BIDDFRCT-ND",
                "purchase_order": "PO-1", "location": "DOCK"})
            again = receive(DigiKeyLabels, LABEL)
        self.assertEqual(again["error"], "Item has already been received")
        self.assertEqual(host.receipts, [("PO-1", "OPAMP-358", 10, "DOCK")])

    def test_the_clients_location_and_allocation_are_honoured(self):
        with FakeHost(products=[AMP], orders=[order()]) as host:
            answer = receive(DigiKeyLabels, LABEL, location="SHELF-4")
            self.assertEqual(host.receipts, [("PO-1", "OPAMP-358", 10, "SHELF-4")])
        with FakeHost(products=[AMP], orders=[order()]) as host:
            answer = receive(DigiKeyLabels, LABEL, auto_allocate=False)
            self.assertIn("action_required", answer)
            self.assertEqual(host.receipts, [])

    def test_a_complete_line_or_an_order_of_another_supplier_is_not_received(self):
        with FakeHost(products=[AMP], orders=[order(received=25)]):
            self.assertEqual(receive(DigiKeyLabels, LABEL)["error"],
                             "Line item is already completed")
        with FakeHost(products=[AMP], orders=[order(supplier="Mouser")]):
            self.assertIsNone(receive(DigiKeyLabels, LABEL))


if __name__ == "__main__":
    unittest.main()
