"""TME's labels: the QR code of `KEY:VALUE` words (`QTY:1 PN:WBP-302
PO:19361337/1 CPO:... MPN:...`), the older DataMatrix of ECIA-prefixed words
(`PWBP-302 1PMPNWBP-302 Q1 K19361337/1`), and ECIA labels. TME's order
number is printed with a line suffix (`19361337/1`) that is cut off."""

import re

from barcoded_plugin import InvenTreePlugin
from barcoded_plugin.mixins import SettingsMixin, SupplierBarcodeMixin
from barcoded_plugin.translation import gettext_lazy as _

QR = re.compile(r"([^\s:]+:[^\s:]+\s+)+(\S+(\s|$)+)+")
WORDS = re.compile(r"(\S+(\s+|$))+")


class TmeLabels(SupplierBarcodeMixin, SettingsMixin, InvenTreePlugin):
    NAME = "TmeLabels"
    SLUG = "tme"
    TITLE = _("TME labels")
    DESCRIPTION = _("Matches TME's QR and DataMatrix labels to supplier parts and receives them")
    VERSION = "1.0.0"
    AUTHOR = _("barcoded developers")

    DEFAULT_SUPPLIER_NAME = "TME"
    SETTINGS = {
        "SUPPLIER_ID": {
            "name": _("Supplier"),
            "description": _("The supplier's name in the catalog, if not TME"),
        }
    }

    CLAIMS = [r"^\[\)>\x1e06\x1d", r"^>\[\)>06\x1d", r"(^|\s)PN:", r"^P\S*\s"]

    QR_NAMES = {
        "PN": SupplierBarcodeMixin.SUPPLIER_PART_NUMBER,
        "CPO": SupplierBarcodeMixin.CUSTOMER_ORDER_NUMBER,
        "PO": SupplierBarcodeMixin.SUPPLIER_ORDER_NUMBER,
        "MPN": SupplierBarcodeMixin.MANUFACTURER_PART_NUMBER,
        "QTY": SupplierBarcodeMixin.QUANTITY,
    }

    def extract_barcode_fields(self, barcode_data):
        if QR.fullmatch(barcode_data):
            fields = {}
            for word in barcode_data.split(" "):
                key, colon, value = word.partition(":")
                if colon and key in self.QR_NAMES:
                    fields[self.QR_NAMES[key]] = value
        elif WORDS.fullmatch(barcode_data):
            fields = {}
            for word in barcode_data.split(" "):
                for identifier, name in self.ecia_field_map().items():
                    if word.startswith(identifier):
                        fields[name] = word[len(identifier):]
        else:
            fields = self.parse_ecia_barcode2d(barcode_data)
        order = fields.get(self.SUPPLIER_ORDER_NUMBER)
        if order is not None:
            fields[self.SUPPLIER_ORDER_NUMBER] = order.split("/")[0]
        return fields
