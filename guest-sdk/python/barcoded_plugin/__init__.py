"""Write barcode decoder plugins for barcoded in Python, in InvenTree's shape.

A plugin is a class with InvenTree's attributes and a ``scan`` method::

    from barcoded_plugin import BarcodeMixin, InvenTreePlugin, Invalid, ScanResult

    class ShelfPlugin(BarcodeMixin, InvenTreePlugin):
        NAME = "shelf"
        TITLE = "Shelf labels"
        DESCRIPTION = "Decodes SHELF-<aisle>-<bay> location labels."
        VERSION = "1.0.0"
        AUTHOR = "Example Stores <dev@example.com>"

        def scan(self, barcode_data):
            if not barcode_data.startswith("SHELF-"):
                return None                      # not mine: the next plugin is asked
            aisle, _, bay = barcode_data[6:].partition("-")
            if not (aisle.isdigit() and bay.isdigit()):
                raise Invalid("expected SHELF-<aisle>-<bay>")  # mine, but broken
            return ScanResult("SHELF", fields={"aisle": aisle, "bay": bay})

``scan`` may also return a plain ``dict``, as InvenTree plugins do: an empty
one means "not mine", one with an ``error`` key means "mine but invalid", and
any other becomes the answer's JSON payload (its ``format``, ``lookup_code``,
``uom_code``, ``quantity`` and ``fields`` keys, where present, fill those
fields of the answer instead). InvenTree's keys in it (``part``,
``stockitem``, ``supplierpart``, ... and ``success``) also appear at the top of
the scan's answer, where InvenTree's clients read them. Any other exception fails the scan: the server logs it
and asks the next plugin.

Every scan runs in a fresh instance (no state survives between scans) with
no files, network or environment. ``print`` goes to the server log. Calls to
the server go through :mod:`barcoded_plugin.config`, and, when the operator
grants them, :mod:`barcoded_plugin.catalog`, :mod:`barcoded_plugin.stock` and
:mod:`barcoded_plugin.purchasing`; they raise :class:`HostError` when refused.
Outside a component (in your unit tests) these calls reach the fake host of
:mod:`barcoded_plugin.testing`.

An InvenTree plugin moves over with its imports changed::

    from django.utils.translation import gettext_lazy as _  ->  from barcoded_plugin.translation import gettext_lazy as _
    from InvenTree.models import InvenTreeBarcodeMixin      ->  from barcoded_plugin import InvenTreeBarcodeMixin
    from plugin import InvenTreePlugin                      ->  from barcoded_plugin import InvenTreePlugin
    from plugin.mixins import BarcodeMixin                  ->  from barcoded_plugin.mixins import BarcodeMixin
    from plugin.mixins import SupplierBarcodeMixin          ->  from barcoded_plugin.mixins import SupplierBarcodeMixin

A supplier plugin (InvenTree's ``SupplierBarcodeMixin``) writes only
``extract_barcode_fields``; scans match its fields to the catalog, and
``POST /api/barcode/po-receive/`` receives its labels against purchase
orders (see :mod:`barcoded_plugin._supplier` for how InvenTree's models map
onto the catalog).
"""

from ._model import (
    BarcodeMatch,
    BarcodeRecord,
    HostError,
    Invalid,
    OrderLine,
    Product,
    PurchaseOrder,
    ScanResult,
    SupplierPart,
)
from ._plugin import BarcodeMixin, InvenTreeBarcodeMixin, InvenTreePlugin, SettingsMixin
from ._supplier import SupplierBarcodeMixin
from . import catalog, config, purchasing, stock

__all__ = [
    "BarcodeMatch",
    "BarcodeMixin",
    "BarcodeRecord",
    "HostError",
    "Invalid",
    "InvenTreeBarcodeMixin",
    "InvenTreePlugin",
    "OrderLine",
    "Product",
    "PurchaseOrder",
    "ScanResult",
    "SettingsMixin",
    "SupplierBarcodeMixin",
    "SupplierPart",
    "catalog",
    "config",
    "purchasing",
    "stock",
]
