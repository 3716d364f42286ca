"""A fake server for unit-testing plugins in plain Python (``python -m unittest``).

    from barcoded_plugin.testing import FakeHost
    from barcoded_plugin import Product

    with FakeHost(config={"prefix": "INV-"}, products=[Product("SKU-1", "Bolt")]) as host:
        answer = MyPlugin().scan("INV-PA1")
    assert host.adjustments == []

Calls to capabilities not in ``grants`` raise ``HostError("not-granted")``, as
the server does; by default every capability is granted.

``orders`` are :class:`barcoded_plugin.PurchaseOrder` objects, received into
as the server would (``host.receipts`` lists what was booked, as
``(order, sku, quantity, location)``). ``receiving=True`` makes the calls
those of a receipt, which refuses a label received before; ``host.labels``
holds the labels received.
"""

import copy

from ._host import install
from ._model import BarcodeMatch, HostError, OrderLine, PurchaseOrder

ALL = ("catalog-read", "stock-read", "stock-write", "po-receive")


class FakeHost:
    def __init__(self, config=None, products=(), barcodes=(), stock=None, orders=None,
                 grants=ALL):
        self.config = dict(config or {})
        self.products = {p.sku: p for p in products}
        self.barcodes = {b.barcode: b for b in barcodes}
        self.stock = dict(stock or {})  # (sku, location) -> quantity
        self.orders = {o.number: copy.deepcopy(o) for o in orders or ()}
        self.grants = set(grants)
        self.adjustments = []  # (sku, location, delta, reason), in call order
        self.receipts = []  # (order, sku, quantity, location)
        self.label = None  # the label of the receipt under way, if any
        self.labels = set()
        self._previous = None

    def __enter__(self):
        self._previous = install(self)
        return self

    def __exit__(self, *exc):
        install(self._previous)

    def _need(self, capability):
        if capability not in self.grants:
            raise HostError("not-granted", f"needs {capability}")

    def config_get(self, key):
        return self.config.get(key)

    def config_all(self):
        return sorted(self.config.items())

    def by_barcode(self, code):
        self._need("catalog-read")
        record = self.barcodes.get(code)
        return None if record is None else BarcodeMatch(record, self.products.get(record.product_sku))

    def by_sku(self, sku):
        self._need("catalog-read")
        return self.products.get(sku)

    def by_supplier_part(self, part):
        self._need("catalog-read")
        found = [p for p in self.products.values() if any(s.part == part for s in p.supplier_parts)]
        return sorted(found, key=lambda p: p.sku)[:16]

    def level(self, sku, location):
        self._need("stock-read")
        return self.stock.get((sku, location), 0)

    def adjust(self, sku, location, delta, reason):
        self._need("stock-write")
        if sku not in self.products:
            raise HostError("refused", f"no product with SKU {sku}")
        self.stock[(sku, location)] = self.stock.get((sku, location), 0) + delta
        self.adjustments.append((sku, location, delta, reason))

    def receive(self, order, sku, quantity, location):
        self._need("po-receive")
        found = self.orders.get(order)
        line = None if found is None else found.line(sku)
        if line is None:
            raise HostError("refused", f"purchase order {order} has no line for SKU {sku}")
        if self.label is not None and self.label in self.labels:
            raise HostError("refused", "Item has already been received")
        if line.received + quantity > line.ordered:
            raise HostError(
                "refused",
                f"receiving {quantity} of SKU {sku} against purchase order {order} would make "
                f"{line.received + quantity} received of {line.ordered} ordered",
            )
        line.received += quantity
        if self.label is not None:
            self.labels.add(self.label)
        self.receipts.append((order, sku, quantity, location or found.location))
        return OrderLine(order, sku, line.ordered, line.received)

    def order(self, number):
        self._need("catalog-read")
        return copy.deepcopy(self.orders.get(number))

    def orders_by_supplier_reference(self, reference):
        self._need("catalog-read")
        found = [o for o in self.orders.values() if o.supplier_reference == reference]
        return copy.deepcopy(sorted(found, key=lambda o: o.number)[:16])


def scan(plugin, data):
    """What the server would get from ``plugin`` (a plugin class or
    instance) for ``data``: ``None``, or a :class:`ScanResult` with fields as
    ``(key, text)`` pairs and the payload as JSON text. Raises
    :class:`Invalid` for "mine but invalid"."""
    from ._answer import normalize

    return normalize(plugin() if isinstance(plugin, type) else plugin, data)


def receive(plugin, data, order=None, line=None, location=None, auto_allocate=True):
    """What the server would get from ``plugin`` (a class or instance) asked
    to receive the label ``data`` as ``POST /api/barcode/po-receive/`` asks
    (the order's number, the line's SKU, a location name): ``None``, or the
    plugin's answer as a dict with InvenTree's keys (``success``,
    ``action_required`` or ``error``, and ``lineitem``). The calls it makes
    are those of a receipt: the current FakeHost refuses a label received
    before."""
    from ._host import current
    from ._receipt import receive_label

    plugin = plugin() if isinstance(plugin, type) else plugin
    host = current()
    if isinstance(host, FakeHost):
        host.label = data
    try:
        return receive_label(plugin, data, order, line, location, auto_allocate)
    finally:
        if isinstance(host, FakeHost):
            host.label = None
