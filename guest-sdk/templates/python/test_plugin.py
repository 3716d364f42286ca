"""Native tests: `python3 -m unittest` in this folder."""

import unittest

from barcoded_plugin import Invalid
from barcoded_plugin.testing import FakeHost, scan

from plugin import ShelfPlugin


class Shelf(unittest.TestCase):
    def test_decodes_a_shelf_label_with_the_site_setting(self):
        with FakeHost(config={"site": "north"}):
            answer = scan(ShelfPlugin, "SHELF-12-3")
        self.assertEqual(answer.fields, [("site", "north"), ("aisle", "12"), ("bay", "3")])

    def test_a_broken_shelf_label_is_invalid_and_other_data_not_ours(self):
        with FakeHost():
            with self.assertRaises(Invalid):
                scan(ShelfPlugin, "SHELF-12-x")
            self.assertIsNone(scan(ShelfPlugin, "4006381333931"))


if __name__ == "__main__":
    unittest.main()
