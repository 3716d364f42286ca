"""A receipt, as ``POST /api/barcode/po-receive/`` asks for one: the
client's order, line and location turned into the objects InvenTree's
``scan_receive_item`` takes, and its answer read back."""

from . import purchasing
from ._supplier import StockLocation


def receive_label(plugin, data, order, line, location, auto_allocate):
    """Calls ``plugin.scan_receive_item`` for the label ``data`` with the
    order (its number), line (its SKU) and location (its name) the client
    named; returns its answer (a dict, or ``None``: not this plugin's)."""
    receive = getattr(plugin, "scan_receive_item", None)
    if not callable(receive):
        return None
    purchase_order = line_item = None
    if order is not None:
        purchase_order = purchasing.order(order)
        if purchase_order is None:
            return {"error": f"There is no purchase order {order}"}
    if line is not None:
        if purchase_order is None:
            return {"error": "Name the purchase_order of the line_item"}
        line_item = purchase_order.line(line)
        if line_item is None:
            return {"error": f"Purchase order {order} has no line for {line}"}
    answer = receive(
        data,
        None,
        line_item=line_item,
        purchase_order=purchase_order,
        location=None if location is None else StockLocation(location),
        auto_allocate=auto_allocate,
    )
    if answer is not None and not isinstance(answer, dict):
        raise TypeError(
            f"scan_receive_item returned a {type(answer).__name__}; return None or a dict"
        )
    return answer
