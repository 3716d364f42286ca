"""Native tests: `python3 -m unittest` in this folder (with the SDK on PYTHONPATH)."""

import json
import unittest

from barcoded_plugin import Invalid, Product
from barcoded_plugin.testing import FakeHost, scan

from plugin import InvenTreeLabels


class ShortForm(unittest.TestCase):
    def test_stock_item(self):
        with FakeHost():
            answer = scan(InvenTreeLabels, "INV-SI123")
        self.assertEqual(answer.format, "INV-SI")
        self.assertEqual(answer.fields, [("model", "stockitem"), ("pk", "123")])
        self.assertEqual(json.loads(answer.payload), {"stockitem": {"pk": 123}})

    def test_part_names_its_product(self):
        with FakeHost(products=[Product("P-12", "Bolt M4")], config={"part_sku": "P-{pk}"}):
            answer = scan(InvenTreeLabels, "INV-PA12")
        self.assertIn(("name", "Bolt M4"), answer.fields)

    def test_part_without_the_grant_still_decodes(self):
        with FakeHost(grants=()):
            answer = scan(InvenTreeLabels, "INV-PA12")
        self.assertEqual(answer.fields, [("model", "part"), ("pk", "12")])

    def test_unknown_type_is_invalid(self):
        with FakeHost(), self.assertRaises(Invalid) as raised:
            scan(InvenTreeLabels, "INV-XX1")
        self.assertIn("unknown type", raised.exception.reason)

    def test_prefix_is_configurable(self):
        with FakeHost(config={"prefix": "ACME-"}):
            self.assertIsNone(scan(InvenTreeLabels, "INV-SI1"))
            self.assertEqual(scan(InvenTreeLabels, "ACME-SI1").format, "INV-SI")


class JsonForm(unittest.TestCase):
    def test_location(self):
        with FakeHost():
            self.assertEqual(scan(InvenTreeLabels, '{"stocklocation": 7}').format, "INV-JSON")

    def test_other_json_is_not_mine(self):
        with FakeHost():
            self.assertIsNone(scan(InvenTreeLabels, '{"sku": 7}'))
            self.assertIsNone(scan(InvenTreeLabels, "{pbn:PICK1,pc:C1}"))


if __name__ == "__main__":
    unittest.main()
