"""Native tests: `python3 -m unittest` here, with the SDK on PYTHONPATH.
Labels are InvenTree's test vectors (guest-plugins/ecia/vectors, from
InvenTree's test_supplier_barcodes.py)."""

import json
import pathlib
import unittest

from barcoded_plugin import OrderLine, Product, PurchaseOrder, SupplierPart
from barcoded_plugin.testing import FakeHost, receive, scan

from plugin import MouserLabels

VECTORS = {v["name"]: v for v in json.loads(
    (pathlib.Path(__file__).parent / "../ecia/vectors/supplier-labels.json").read_text()
)["vectors"]}
NEW = VECTORS["MOUSER_BARCODE"]["data"]  # KP0-1337, 1PMC34063ADR, Q3
OLD = VECTORS["MOUSER_BARCODE_OLD (malformed old header \">[)>06\")"]["data"]
WITHOUT_QUANTITY = VECTORS["MOUSER without quantity"]["data"]

REGULATOR = Product("REG-34063", "MC34063 switching regulator", supplier_parts=[
    SupplierPart("Mouser", "595-MC34063ADR"), SupplierPart("TI", "MC34063ADR")])
# Another product of Mouser's: labels naming only an MPN must tell them apart.
LDO = Product("LDO-320", "LDK320 regulator", supplier_parts=[
    SupplierPart("Mouser", "511-LDK320ADU33R"), SupplierPart("ST", "LDK320ADU33R")])


def order(number="P0-1337", sku="REG-34063"):
    return PurchaseOrder(number, "Mouser", None, "GOODS-IN", [OrderLine(number, sku, 10)])


class Fields(unittest.TestCase):
    def test_new_and_old_headers_read_as_invenTree_reads_them(self):
        for name in ("MOUSER_BARCODE", "MOUSER_BARCODE_OLD (malformed old header \">[)>06\")",
                     "MOUSER without quantity"):
            vector = VECTORS[name]
            self.assertEqual(MouserLabels().extract_barcode_fields(vector["data"]),
                             vector["fields"], name)


class Scans(unittest.TestCase):
    def test_the_manufacturer_part_alone_finds_mousers_part(self):
        for label, sku in ((NEW, "REG-34063"), (OLD, "LDO-320")):
            with FakeHost(products=[REGULATOR, LDO], grants=("catalog-read",)):
                answer = scan(MouserLabels, label)
            self.assertEqual(answer.lookup_code, sku)
            payload = json.loads(answer.payload)
            self.assertEqual(payload["manufacturerpart"]["part"], sku)
            self.assertEqual(payload["supplierpart"]["supplier"], "Mouser")


class Receipts(unittest.TestCase):
    def test_the_customer_order_number_names_our_order(self):
        with FakeHost(products=[REGULATOR, LDO], orders=[order()]) as host:
            answer = receive(MouserLabels, NEW)
        self.assertEqual(answer["success"], "Received purchase order line item")
        self.assertEqual(host.receipts, [("P0-1337", "REG-34063", 3, "GOODS-IN")])

    def test_a_label_without_quantity_asks_for_it_and_books_nothing(self):
        with FakeHost(products=[REGULATOR, LDO], orders=[order()]) as host:
            answer = receive(MouserLabels, WITHOUT_QUANTITY)
        self.assertEqual(answer["action_required"],
                         "Further information required to receive line item")
        self.assertEqual(answer["lineitem"]["quantity"], 10)
        self.assertEqual(host.receipts, [])

    def test_the_clients_order_wins_over_the_labels(self):
        with FakeHost(products=[REGULATOR, LDO], orders=[order(), order("PO-9")]) as host:
            receive(MouserLabels, NEW, order="PO-9")
        self.assertEqual(host.receipts, [("PO-9", "REG-34063", 3, "GOODS-IN")])

    def test_a_line_of_another_part_is_refused(self):
        with FakeHost(products=[REGULATOR, LDO],
                      orders=[PurchaseOrder("P0-1337", "Mouser", None, "GOODS-IN", [
                          OrderLine("P0-1337", "REG-34063", 10),
                          OrderLine("P0-1337", "LDO-320", 10)])]):
            answer = receive(MouserLabels, NEW, order="P0-1337", line="LDO-320")
        self.assertEqual(answer["error"], "Supplier part does not match line item")


if __name__ == "__main__":
    unittest.main()
