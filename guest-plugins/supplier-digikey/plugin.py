"""DigiKey's reel and bag labels: ECIA data identifiers in ISO/IEC 15434
(`P` or `30P` the DigiKey part number, `1P` the manufacturer's, `Q` the
quantity, `1K` DigiKey's sales order). Written in the shape of InvenTree's
supplier plugins: only `extract_barcode_fields` is its own."""

from barcoded_plugin import InvenTreePlugin
from barcoded_plugin.mixins import SettingsMixin, SupplierBarcodeMixin
from barcoded_plugin.translation import gettext_lazy as _


class DigiKeyLabels(SupplierBarcodeMixin, SettingsMixin, InvenTreePlugin):
    NAME = "DigiKeyLabels"
    SLUG = "digikey"
    TITLE = _("DigiKey labels")
    DESCRIPTION = _("Matches DigiKey's ECIA labels to supplier parts and receives them")
    VERSION = "1.0.0"
    AUTHOR = _("barcoded developers")

    DEFAULT_SUPPLIER_NAME = "DigiKey"
    SETTINGS = {
        "SUPPLIER_ID": {
            "name": _("Supplier"),
            "description": _("The supplier's name in the catalog, if not DigiKey"),
        }
    }
    CLAIMS = [r"^\[\)>\x1e06\x1d", r"^>\[\)>06\x1d"]

    def extract_barcode_fields(self, barcode_data):
        return self.parse_ecia_barcode2d(barcode_data)
