"""The values a plugin hands the server and gets back from it."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple, Union

Fields = Union[Dict[str, object], Sequence[Tuple[str, object]]]


@dataclass
class ScanResult:
    """A successful decode: the barcode is this plugin's, and valid.

    ``format`` is the symbology or data format (``EAN-13``, ``INV-SI``).
    ``lookup_code`` is the code the server looks the item up by in its
    catalog; ``uom_code`` (``EA``, ``CA``, ``PL``) and ``quantity`` are set
    when the barcode says so. ``fields`` are the values read out of it, as a
    dict or a list of pairs, in the order found; values are turned into text.
    ``payload`` is passed to the client as JSON: a dict or list is encoded,
    a string must already be JSON.
    """

    format: str
    lookup_code: Optional[str] = None
    uom_code: Optional[str] = None
    quantity: Optional[int] = None
    fields: Fields = field(default_factory=list)
    payload: Union[None, str, dict, list] = None


class Invalid(Exception):
    """Raise it from ``scan`` when the data is this plugin's format but
    invalid (a wrong check digit, say). ``reason`` is shown to the till
    operator; ``format`` defaults to the plugin's ``NAME``. The server keeps
    asking the other plugins and answers with this only if none matches."""

    def __init__(self, reason: str, format: Optional[str] = None):
        super().__init__(reason)
        self.reason = reason
        self.format = format


class HostError(Exception):
    """The server did not carry out a call. ``kind`` is ``not-granted``
    (the operator has not granted the capability), ``refused`` (the call
    breaks a rule, such as an unknown SKU) or ``unavailable`` (the server
    cannot serve it now). Do not retry in a loop: every call counts against
    the scan's 64 calls, refused ones included."""

    def __init__(self, kind: str, message: str):
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


@dataclass
class SupplierPart:
    """A supplier's (or manufacturer's) own number for a product."""

    supplier: str
    part: str


@dataclass
class Product:
    """A product of the catalog."""

    sku: str
    name: str
    category: str = ""
    unit_price: str = "0"
    currency: str = "EUR"
    supplier_parts: List[SupplierPart] = field(default_factory=list)


@dataclass
class BarcodeRecord:
    """One printed code of a product, for one unit of measure."""

    barcode: str
    product_sku: str
    barcode_type: str = "EAN"
    format: str = ""
    uom_code: str = "EA"
    quantity: int = 1
    is_default: bool = True


@dataclass
class BarcodeMatch:
    """A barcode record with its product (``None`` if the catalog has none)."""

    barcode: BarcodeRecord
    product: Optional[Product]


@dataclass
class OrderLine:
    """One line of a purchase order: what was ordered and what has arrived."""

    order: str
    sku: str
    ordered: int
    received: int = 0

    @property
    def pk(self):
        """The line's key, as InvenTree names it: its SKU (one line per SKU)."""
        return self.sku

    def remaining(self) -> int:
        """Units still to be received."""
        return max(self.ordered - self.received, 0)

    def is_completed(self) -> bool:
        """Whether every unit ordered has arrived."""
        return self.received >= self.ordered


@dataclass
class PurchaseOrder:
    """A purchase order. ``number`` is our own reference (InvenTree's
    ``reference``, the customer order number on a supplier's label);
    ``supplier_reference`` the supplier's (their sales order number);
    ``location`` where received goods go unless a receipt names another."""

    number: str
    supplier: Optional[str] = None
    supplier_reference: Optional[str] = None
    location: str = "RECEIVING"
    lines: List[OrderLine] = field(default_factory=list)

    @property
    def pk(self):
        return self.number

    @property
    def reference(self):
        return self.number

    @property
    def destination(self):
        return self.location

    def line(self, sku: str) -> Optional[OrderLine]:
        """The line for ``sku``, or ``None``."""
        return next((line for line in self.lines if line.sku == sku), None)

    def format_matched_response(self):
        return {"pk": self.number, "reference": self.number, "supplier": self.supplier}
