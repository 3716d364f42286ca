"""Mouser's labels: ECIA data identifiers in ISO/IEC 15434, behind the
standard header or the malformed `>[)>06` of older labels. Mouser prints
the customer's purchase order in `K` and the manufacturer part in `1P`."""

from barcoded_plugin import InvenTreePlugin
from barcoded_plugin.mixins import SettingsMixin, SupplierBarcodeMixin
from barcoded_plugin.translation import gettext_lazy as _


class MouserLabels(SupplierBarcodeMixin, SettingsMixin, InvenTreePlugin):
    NAME = "MouserLabels"
    SLUG = "mouser"
    TITLE = _("Mouser labels")
    DESCRIPTION = _("Matches Mouser's ECIA labels to supplier parts and receives them")
    VERSION = "1.0.0"
    AUTHOR = _("barcoded developers")

    DEFAULT_SUPPLIER_NAME = "Mouser"
    SETTINGS = {
        "SUPPLIER_ID": {
            "name": _("Supplier"),
            "description": _("The supplier's name in the catalog, if not Mouser"),
        }
    }
    CLAIMS = [r"^\[\)>\x1e06\x1d", r"^>\[\)>06\x1d"]

    def extract_barcode_fields(self, barcode_data):
        return self.parse_ecia_barcode2d(barcode_data)
