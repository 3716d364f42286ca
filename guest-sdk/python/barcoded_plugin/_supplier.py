"""InvenTree's ``SupplierBarcodeMixin``: a supplier plugin writes only
``extract_barcode_fields``, and the mixin matches the fields to the catalog
and to purchase orders, answers scans, and receives labels.

InvenTree's models map onto the catalog this way:

- A *supplier part* is a product's ``(supplier, part)`` pair, the supplier
  named as in ``SUPPLIER_ID`` or ``DEFAULT_SUPPLIER_NAME`` (``DigiKey``)
  and the part as the supplier prints it (``296-LM358BIDDFRCT-ND``).
- A *manufacturer part number* is recorded the same way, under the
  manufacturer's name (``TI:LM358BIDDFR``): a product listing the MPN under
  any name has that manufacturer part.
- A *supplier* (InvenTree's company) is a name: the ``SUPPLIER_ID`` setting
  (``barcoded plugin config NAME SUPPLIER_ID=DigiKey``) matches supplier
  names exactly, ignoring case; ``DEFAULT_SUPPLIER_NAME`` matches any name
  containing it, ignoring case, as InvenTree finds its company.
- A *purchase order* is found by its number (the label's customer order
  number) or by its supplier reference (the supplier's order number).
"""

import re

from . import catalog, purchasing
from ._model import HostError
from ._plugin import BarcodeMixin, SettingsMixin
from .translation import gettext_lazy as _

_HEADER = "[)>\x1e06\x1d"
_OLD_MOUSER_HEADER = ">[)>06\x1d"
_TRAILER = "\x1e\x04"
_DELIMITER = "\x1d"


class Company:
    """A supplier, known by name. ``exact`` names match only themselves
    (ignoring case); others match any name that contains them."""

    def __init__(self, name, exact=False):
        self.pk = self.name = str(name)
        self.exact = exact

    def matches(self, name):
        if not name:
            return False
        mine, theirs = self.name.casefold(), str(name).casefold()
        return mine == theirs if self.exact else mine in theirs

    def __eq__(self, other):
        return isinstance(other, Company) and other.name.casefold() == self.name.casefold()

    def __repr__(self):
        return f"Company({self.name!r})"


class MatchedSupplierPart:
    """A product's part number at a supplier, as InvenTree's model reads:
    ``SKU`` is the supplier's number, ``part`` the catalog's product."""

    def __init__(self, product, entry):
        self.part = product
        self.supplier = Company(entry.supplier, exact=True)
        self.SKU = self.pk = entry.part

    def format_matched_response(self):
        return {"pk": self.pk, "SKU": self.SKU, "supplier": self.supplier.name,
                "part": self.part.sku}


class MatchedManufacturerPart:
    """A product's manufacturer part number (``MPN``) and its product."""

    def __init__(self, product, entry):
        self.part = product
        self.manufacturer = Company(entry.supplier, exact=True)
        self.MPN = self.pk = entry.part

    def format_matched_response(self):
        return {"pk": self.pk, "MPN": self.MPN, "manufacturer": self.manufacturer.name,
                "part": self.part.sku}


class StockLocation:
    """A stock location, known by name."""

    def __init__(self, name):
        self.pk = self.name = str(name)


class SupplierBarcodeMixin(BarcodeMixin):
    """Scans and receives a supplier's labels: define
    ``extract_barcode_fields(self, barcode_data)`` returning the label's
    fields under the names below. Grant ``catalog-read`` for scans (it
    reads the catalog and the purchase orders), and ``po-receive`` to
    receive labels."""

    CUSTOMER_ORDER_NUMBER = "customer_order_number"
    SUPPLIER_ORDER_NUMBER = "supplier_order_number"
    PACKING_LIST_NUMBER = "packing_list_number"
    SHIP_DATE = "ship_date"
    CUSTOMER_PART_NUMBER = "customer_part_number"
    SUPPLIER_PART_NUMBER = "supplier_part_number"
    PURCHASE_ORDER_LINE = "purchase_order_line"
    QUANTITY = "quantity"
    DATE_CODE = "date_code"
    LOT_CODE = "lot_code"
    COUNTRY_OF_ORIGIN = "country_of_origin"
    MANUFACTURER = "manufacturer"
    MANUFACTURER_PART_NUMBER = "manufacturer_part_number"

    # What the label's fields say

    def extract_barcode_fields(self, barcode_data: str) -> dict:
        """The label's fields under the standard names; ``{}`` when the
        label is not this supplier's. Every supplier plugin writes this."""
        raise NotImplementedError("extract_barcode_fields must be implemented by each plugin")

    def get_field_value(self, key, backup_value=None):
        fields = getattr(self, "barcode_fields", None) or {}
        return fields.get(key, backup_value)

    @property
    def quantity(self):
        return self.get_field_value(self.QUANTITY)

    @property
    def supplier_part_number(self):
        return self.get_field_value(self.SUPPLIER_PART_NUMBER)

    @property
    def manufacturer_part_number(self):
        return self.get_field_value(self.MANUFACTURER_PART_NUMBER)

    @property
    def customer_order_number(self):
        return self.get_field_value(self.CUSTOMER_ORDER_NUMBER)

    @property
    def supplier_order_number(self):
        return self.get_field_value(self.SUPPLIER_ORDER_NUMBER)

    # What the fields match

    def get_part(self):
        """InvenTree answers ``None`` here too; kept for plugins that override it."""
        return None

    def get_supplier(self, cache=False):
        """The supplier this plugin reads labels of: the ``SUPPLIER_ID``
        setting, else ``DEFAULT_SUPPLIER_NAME``; ``None`` without either or
        without ``SettingsMixin``."""
        if not isinstance(self, SettingsMixin):
            return None
        if cache and hasattr(self, "_supplier"):
            return self._supplier
        configured = self.get_setting("SUPPLIER_ID")
        name = configured or getattr(self, "DEFAULT_SUPPLIER_NAME", None)
        supplier = Company(name, exact=bool(configured)) if name else None
        if cache:
            self._supplier = supplier
        return supplier

    def _forget_supplier(self):
        # `cache=True` keeps the supplier for one scan: in a server each scan
        # is a fresh instance anyway, and a native test may change settings.
        self.__dict__.pop("_supplier", None)

    def get_supplier_part(self):
        """The one supplier part the label names: by supplier part number
        within the supplier, narrowed by manufacturer part number when
        several match; by manufacturer part number alone when the label has
        no supplier part number. ``None`` unless exactly one matches."""
        sku, mpn = self.supplier_part_number, self.manufacturer_part_number
        if not sku and not mpn:
            return None
        supplier = self.get_supplier(cache=True)

        def of_supplier(entry):
            return supplier is None or supplier.matches(entry.supplier)

        if sku:
            found = [
                (product, entry)
                for product in catalog.by_supplier_part(sku)
                for entry in product.supplier_parts
                if entry.part == sku and of_supplier(entry)
            ]
            if mpn and len(found) > 1:
                narrowed = [(p, e) for p, e in found if _lists(p, mpn)]
                found = narrowed or found
        else:
            found = [
                (product, entry)
                for product in catalog.by_supplier_part(mpn)
                for entry in product.supplier_parts
                if (entry.part == mpn if supplier is None else of_supplier(entry))
            ]
        return MatchedSupplierPart(*found[0]) if len(found) == 1 else None

    def get_manufacturer_part(self):
        """The one product listing the label's manufacturer part number
        (made or supplied by the supplier, when there is one), or ``None``."""
        mpn = self.manufacturer_part_number
        if not mpn:
            return None
        supplier = self.get_supplier(cache=True)
        found = []
        for product in catalog.by_supplier_part(mpn):
            entry = next((e for e in product.supplier_parts if e.part == mpn), None)
            if entry is None:
                continue
            if supplier is None or supplier.matches(entry.supplier) or any(
                supplier.matches(e.supplier) for e in product.supplier_parts
            ):
                found.append(MatchedManufacturerPart(product, entry))
        return found[0] if len(found) == 1 else None

    def get_purchase_order(self):
        """The one purchase order the label names: by its customer order
        number (our order's number), else by its supplier order number (the
        order's supplier reference), of the supplier when there is one."""
        customer, supplier_order = self.customer_order_number, self.supplier_order_number
        if not (customer or supplier_order):
            return None
        if customer:
            found = purchasing.order(customer)
            orders = [] if found is None else [found]
        else:
            orders = purchasing.orders_by_supplier_reference(supplier_order)
        supplier = self.get_supplier(cache=True)
        if supplier:
            orders = [order for order in orders if supplier.matches(order.supplier)]
        return orders[0] if len(orders) == 1 else None

    # Answers

    def scan(self, barcode_data):
        """InvenTree's answer for a label whose fields match a supplier
        part, manufacturer part or purchase order: the matches under
        InvenTree's keys (``supplierpart``, ``manufacturerpart``,
        ``purchaseorder``), ``company`` and ``success``; ``None`` (not mine)
        when nothing matches. The answer also names the product the label
        is for (its ``lookup_code`` is the product's SKU), its quantity in
        units (``EA``), and keeps the label's fields."""
        barcode_data = str(barcode_data).strip()
        self._forget_supplier()
        self.barcode_fields = self.extract_barcode_fields(barcode_data)
        if not self.barcode_fields:
            return None
        try:
            matches = {
                "part": self.get_part(),
                "purchaseorder": self.get_purchase_order(),
                "supplierpart": self.get_supplier_part(),
                "manufacturerpart": self.get_manufacturer_part(),
            }
        except HostError as error:
            # Without `catalog-read` nothing can match: not mine, and the
            # refused call tells the operator what to grant.
            if error.kind != "not-granted":
                raise
            return None
        data = {
            model: match.format_matched_response()
            for model, match in matches.items()
            if match is not None and hasattr(match, "pk")
        }
        if not data:
            return None
        supplier = self.get_supplier()
        if supplier:
            data["company"] = {"pk": supplier.pk}
        data["success"] = _("Found matching item")
        product = next(
            (m.part for m in (matches["supplierpart"], matches["manufacturerpart"]) if m), None
        )
        data["format"] = self.barcode_format(barcode_data)
        if product is not None:
            data["lookup_code"] = product.sku
        data["quantity"] = _whole(self.quantity)
        if data["quantity"] is not None:
            # A supplier's quantity counts single units: the till shows `10× EA`.
            data["uom_code"] = "EA"
        data["fields"] = {k: str(v) for k, v in self.barcode_fields.items()}
        return data

    def barcode_format(self, barcode_data):
        """The format shown in scan answers: ``ISO 15434`` for ECIA labels,
        else the supplier's label."""
        if barcode_data.startswith((_HEADER, _OLD_MOUSER_HEADER)):
            return "ISO 15434"
        name = getattr(self, "DEFAULT_SUPPLIER_NAME", None) or type(self).NAME
        return f"{name} label"

    def scan_receive_item(self, barcode_data, user, supplier=None, line_item=None,
                          purchase_order=None, location=None, auto_allocate=True, **kwargs):
        """Receives the label against the line of its purchase order, as
        InvenTree's ``po-receive`` does: ``None`` unless a supplier, an order
        of that supplier, a supplier part and one line for it are found; an
        ``error`` for a line of another part or one already complete;
        ``action_required`` (nothing booked) when the label has no quantity,
        there is no location or ``auto_allocate`` is off; else the units are
        booked through ``purchasing`` and the answer is ``success``. Each
        answer carries ``lineitem``."""
        barcode_data = str(barcode_data).strip()
        self._forget_supplier()
        self.barcode_fields = self.extract_barcode_fields(barcode_data)
        supplier = supplier or self.get_supplier(cache=True)
        if not supplier:
            return None
        purchase_order = purchase_order or self.get_purchase_order()
        if not purchase_order or not supplier.matches(purchase_order.supplier):
            return None
        supplier_part = self.get_supplier_part()
        if not supplier_part:
            return None
        if not line_item:
            lines = [line for line in purchase_order.lines if line.sku == supplier_part.part.sku]
            if len(lines) == 1:
                line_item = lines[0]
        if not line_item:
            return None
        if line_item.sku != supplier_part.part.sku:
            return {"error": _("Supplier part does not match line item")}
        if line_item.is_completed():
            return {"error": _("Line item is already completed")}
        location = location or StockLocation(purchase_order.destination)
        quantity = _whole(self.quantity)
        action_required = not auto_allocate or location is None or quantity is None
        if quantity is None:
            quantity = line_item.remaining()
        response = {
            "lineitem": {
                "pk": line_item.pk,
                "quantity": quantity,
                "supplier_part": supplier_part.pk,
                "purchase_order": purchase_order.pk,
                "location": location.pk if location else None,
            }
        }
        if action_required:
            response["action_required"] = _("Further information required to receive line item")
            return response
        try:
            purchasing.receive_into(purchase_order.number, line_item.sku, quantity, location.pk)
            response["success"] = _("Received purchase order line item")
        except HostError as error:
            response["error"] = error.message
        return response

    # Parsing

    @staticmethod
    def split_fields(barcode_data, delimiter=",", header="", trailer=""):
        """``barcode_data`` without ``header`` and ``trailer``, split at ``delimiter``."""
        if header and barcode_data.startswith(header):
            barcode_data = barcode_data[len(header):]
        if trailer and barcode_data.endswith(trailer):
            barcode_data = barcode_data[: -len(trailer)]
        return barcode_data.split(delimiter)

    @staticmethod
    def parse_isoiec_15434_barcode2d(barcode_data):
        """The fields of an ISO/IEC 15434 format 06 message (``[)>`` RS
        ``06`` GS ... RS EOT), also behind Mouser's old ``>[)>06`` header;
        ``[]`` for anything else."""
        if barcode_data.startswith(_OLD_MOUSER_HEADER):
            barcode_data = _HEADER + barcode_data[len(_OLD_MOUSER_HEADER):]
        if not barcode_data.startswith(_HEADER):
            return []
        return SupplierBarcodeMixin.split_fields(
            barcode_data, delimiter=_DELIMITER, header=_HEADER, trailer=_TRAILER
        )

    @classmethod
    def ecia_field_map(cls):
        """ECIA data identifiers and the standard names they are read as, in
        the order they are tried (a field takes the first that prefixes it)."""
        return {
            "K": cls.CUSTOMER_ORDER_NUMBER,
            "1K": cls.SUPPLIER_ORDER_NUMBER,
            "11K": cls.PACKING_LIST_NUMBER,
            "6D": cls.SHIP_DATE,
            "9D": cls.DATE_CODE,
            "10D": cls.DATE_CODE,
            "4K": cls.PURCHASE_ORDER_LINE,
            "14K": cls.PURCHASE_ORDER_LINE,
            "P": cls.SUPPLIER_PART_NUMBER,
            "1P": cls.MANUFACTURER_PART_NUMBER,
            "30P": cls.SUPPLIER_PART_NUMBER,
            "1T": cls.LOT_CODE,
            "4L": cls.COUNTRY_OF_ORIGIN,
            "1V": cls.MANUFACTURER,
            "Q": cls.QUANTITY,
        }

    @classmethod
    def parse_ecia_barcode2d(cls, barcode_data):
        """The standard fields of an ECIA label (ISO/IEC 15434 with ECIA data
        identifiers); identifiers without a standard name are left out."""
        fields = {}
        for field in cls.parse_isoiec_15434_barcode2d(barcode_data):
            for identifier, name in cls.ecia_field_map().items():
                if field.startswith(identifier):
                    fields[name] = field[len(identifier):]
                    break
        return fields


def _lists(product, part):
    return any(entry.part == part for entry in product.supplier_parts)


_WHOLE = re.compile(r"\s*\d+(\.0*)?\s*")


def _whole(quantity):
    """A label's quantity as whole units, or ``None`` when it has none (or
    one that is not a whole number from 1 to 4294967295)."""
    if quantity is None or isinstance(quantity, bool):
        return None
    text = str(quantity)
    if not _WHOLE.fullmatch(text):
        return None
    value = int(float(text)) if "." in text else int(text)
    return value if 1 <= value <= 0xFFFFFFFF else None
