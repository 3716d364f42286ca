# InvenTree's barcode plugin example (docs: "Barcode Mixin"), exactly as it
# is printed there except for its four imports, which name barcoded's SDK.
# It claims nothing (an empty dict is "no match", as in InvenTree) and
# prints each scan to the server log.
from barcoded_plugin.translation import gettext_lazy as _

from barcoded_plugin import InvenTreeBarcodeMixin
from barcoded_plugin import InvenTreePlugin
from barcoded_plugin.mixins import BarcodeMixin

class InvenTreeBarcodePlugin(BarcodeMixin, InvenTreePlugin):

    NAME = "MyBarcode"
    TITLE = "My Barcodes"
    DESCRIPTION = "support for barcodes"
    VERSION = "0.0.1"
    AUTHOR = "Michael"

    status = 0

    def scan(self, barcode_data):

        self.status = self.status+1
        print('Started barcode plugin', self.status)
        print(barcode_data)
        response = {}
        return response
