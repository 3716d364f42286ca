"""Purchase orders: reading them needs ``catalog-read``, receiving goods
against them ``po-receive``."""

from . import _host


def receive(order: str, sku: str, quantity: int):
    """Books ``quantity`` units of ``sku`` as received against ``order``,
    into the order's location; returns the :class:`OrderLine` after it."""
    return _host.current().receive(order, sku, quantity, None)


def receive_into(order: str, sku: str, quantity: int, location: str):
    """As :func:`receive`, into ``location``. During a receipt the server
    also refuses a label received before (``Item has already been received``)."""
    return _host.current().receive(order, sku, quantity, location)


def order(number: str):
    """The :class:`PurchaseOrder` numbered ``number``, or ``None``."""
    return _host.current().order(number)


def orders_by_supplier_reference(reference: str):
    """The purchase orders whose ``supplier_reference`` is ``reference`` (at most 16)."""
    return _host.current().orders_by_supplier_reference(reference)
