"""Receiving goods against purchase orders; needs ``po-receive``."""

from . import _host


def receive(order: str, sku: str, quantity: int):
    """Books ``quantity`` units of ``sku`` as received against ``order``;
    returns the :class:`OrderLine` after the receipt."""
    return _host.current().receive(order, sku, quantity)
