"""Read-only queries of the server's catalog; each needs ``catalog-read``
(``barcoded plugin grant NAME catalog-read``) and raises
:class:`barcoded_plugin.HostError` without it."""

from . import _host


def by_barcode(code: str):
    """The active :class:`BarcodeMatch` for a scanned value, or ``None``."""
    return _host.current().by_barcode(code)


def by_sku(sku: str):
    """The :class:`Product` with this SKU, or ``None``."""
    return _host.current().by_sku(sku)


def by_supplier_part(part: str):
    """Products listing ``part`` among their supplier part numbers (at most 16)."""
    return _host.current().by_supplier_part(part)
