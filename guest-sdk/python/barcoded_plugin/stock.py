"""Stock on hand per SKU and location. ``level`` needs ``stock-read``,
``adjust`` needs ``stock-write``. Changes are booked only if this plugin's
answer is the scan's decode."""

from . import _host


def level(sku: str, location: str) -> int:
    """The on-hand quantity, counting this scan's own adjustments."""
    return _host.current().level(sku, location)


def adjust(sku: str, location: str, delta: int, reason: str) -> None:
    """Changes the quantity by ``delta`` (negative takes from stock)."""
    _host.current().adjust(sku, location, delta, reason)
