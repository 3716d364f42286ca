"""InvenTree's own labels: the short form `INV-SI123` its QR codes print by
default, and the older JSON form `{"stockitem": 123}`.

A short-form code is a prefix (`INV-` unless the operator sets `prefix`),
a two-letter type and the object's number. A part label (`PA`) names a part
of the catalog when the operator maps part numbers to SKUs: with
`catalog-read` granted, the plugin looks up the SKU `part_sku` makes of the
number (`{pk}` by default) and adds the product's name.
"""

import json
import re

from barcoded_plugin import BarcodeMixin, HostError, Invalid, InvenTreePlugin, ScanResult, catalog
from barcoded_plugin import SettingsMixin

# InvenTree's type codes and the model each stands for.
TYPES = {
    "PA": "part",
    "SI": "stockitem",
    "SL": "stocklocation",
    "SP": "supplierpart",
    "MP": "manufacturerpart",
    "PO": "purchaseorder",
    "SO": "salesorder",
    "RO": "returnorder",
    "BO": "build",
}
MODELS = set(TYPES.values())


class InvenTreeLabels(BarcodeMixin, SettingsMixin, InvenTreePlugin):
    NAME = "inventree-labels"
    TITLE = "InvenTree labels"
    DESCRIPTION = "Decodes InvenTree's short-form (INV-SI123) and JSON ({\"part\": 12}) labels."
    VERSION = "1.0.0"
    AUTHOR = "barcoded examples"
    SETTINGS = {
        "prefix": {"default": "INV-"},
        "part_sku": {"default": "{pk}"},
    }

    def claims(self):
        """Asked when the server loads the plugin: what ``scan`` looks at
        first, the configured prefix or a JSON object."""
        return ["^" + re.escape(self.get_setting("prefix")), r"^\{"]

    def scan(self, barcode_data):
        prefix = self.get_setting("prefix")
        if barcode_data.startswith(prefix):
            return self.short_form(barcode_data, prefix)
        if barcode_data.startswith("{"):
            return self.json_form(barcode_data)
        return None

    def short_form(self, data, prefix):
        code, number = data[len(prefix) : len(prefix) + 2], data[len(prefix) + 2 :]
        if code not in TYPES:
            raise Invalid(f"unknown type {code!r}; expected one of {', '.join(TYPES)}", "INV")
        if not (number.isascii() and number.isdigit()):
            raise Invalid(f"{number!r} is not an object number", "INV")
        return self.label(TYPES[code], int(number), data, "INV-" + code)

    def json_form(self, data):
        try:
            value = json.loads(data)
        except ValueError:
            return None  # Some other format's braces (LCSC's QR codes, say).
        if not isinstance(value, dict) or len(value) != 1:
            return None
        model, pk = next(iter(value.items()))
        if model not in MODELS:
            return None
        if not isinstance(pk, int) or isinstance(pk, bool) or pk < 0:
            raise Invalid(f"{model} number {pk!r} is not a whole number", "INV-JSON")
        return self.label(model, pk, data, "INV-JSON")

    def label(self, model, pk, data, format):
        fields = {"model": model, "pk": pk}
        if model == "part":
            fields.update(self.part(pk))
        return ScanResult(format, lookup_code=data, fields=fields, payload={model: {"pk": pk}})

    def part(self, pk):
        """The catalog's product for a part number, when the plugin may read it."""
        sku = self.get_setting("part_sku").replace("{pk}", str(pk))
        try:
            product = catalog.by_sku(sku)
        except HostError as error:
            print(f"part {pk}: catalog not read ({error.kind})")
            return {}
        if product is None:
            return {"sku": sku}
        return {"sku": sku, "name": product.name}
