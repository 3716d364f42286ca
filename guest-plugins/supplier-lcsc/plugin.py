"""LCSC's QR codes: `{pbn:...,on:SO...,pc:C312270,pm:...,qty:2,...}`, with
the LCSC part number in `pc`, the manufacturer's in `pm`, the quantity in
`qty` and LCSC's order in `on`."""

import re

from barcoded_plugin import InvenTreePlugin
from barcoded_plugin.mixins import SettingsMixin, SupplierBarcodeMixin
from barcoded_plugin.translation import gettext_lazy as _

# `{key:value,key:value}`: keys non-empty, values possibly empty.
PAIRS = re.compile(r"\{[^:,{}]+:[^:,{}]*(,[^:,{}]+:[^:,{}]*)*\}")


class LcscLabels(SupplierBarcodeMixin, SettingsMixin, InvenTreePlugin):
    NAME = "LcscLabels"
    SLUG = "lcsc"
    TITLE = _("LCSC labels")
    DESCRIPTION = _("Matches LCSC's QR codes to supplier parts and receives them")
    VERSION = "1.0.0"
    AUTHOR = _("barcoded developers")

    DEFAULT_SUPPLIER_NAME = "LCSC"
    SETTINGS = {
        "SUPPLIER_ID": {
            "name": _("Supplier"),
            "description": _("The supplier's name in the catalog, if not LCSC"),
        }
    }
    CLAIMS = [r"^\{.*\}$"]

    NAMES = {
        "pc": SupplierBarcodeMixin.SUPPLIER_PART_NUMBER,
        "pm": SupplierBarcodeMixin.MANUFACTURER_PART_NUMBER,
        "qty": SupplierBarcodeMixin.QUANTITY,
        "on": SupplierBarcodeMixin.SUPPLIER_ORDER_NUMBER,
    }

    def extract_barcode_fields(self, barcode_data):
        if not PAIRS.fullmatch(barcode_data):
            return {}
        pairs = self.split_fields(barcode_data, delimiter=",", header="{", trailer="}")
        values = dict(pair.split(":", 1) for pair in pairs)
        return {name: values[key] for key, name in self.NAMES.items() if key in values}
