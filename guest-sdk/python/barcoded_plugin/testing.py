"""A fake server for unit-testing plugins in plain Python (``python -m unittest``).

    from barcoded_plugin.testing import FakeHost
    from barcoded_plugin import Product

    with FakeHost(config={"prefix": "INV-"}, products=[Product("SKU-1", "Bolt")]) as host:
        answer = MyPlugin().scan("INV-PA1")
    assert host.adjustments == []

Calls to capabilities not in ``grants`` raise ``HostError("not-granted")``, as
the server does; by default every capability is granted.
"""

from ._host import install
from ._model import BarcodeMatch, HostError, OrderLine

ALL = ("catalog-read", "stock-read", "stock-write", "po-receive")


class FakeHost:
    def __init__(self, config=None, products=(), barcodes=(), stock=None, orders=None,
                 grants=ALL):
        self.config = dict(config or {})
        self.products = {p.sku: p for p in products}
        self.barcodes = {b.barcode: b for b in barcodes}
        self.stock = dict(stock or {})  # (sku, location) -> quantity
        self.orders = dict(orders or {})  # (order, sku) -> [ordered, received]
        self.grants = set(grants)
        self.adjustments = []  # (sku, location, delta, reason), in call order
        self.receipts = []  # (order, sku, quantity)
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

    def receive(self, order, sku, quantity):
        self._need("po-receive")
        line = self.orders.get((order, sku))
        if line is None:
            raise HostError("refused", f"order {order} has no line for {sku}")
        if line[1] + quantity > line[0]:
            raise HostError("refused", f"order {order} line {sku} would go over {line[0]}")
        line[1] += quantity
        self.receipts.append((order, sku, quantity))
        return OrderLine(order, sku, line[0], line[1])


def scan(plugin, data):
    """What the server would get from ``plugin`` (a plugin class or
    instance) for ``data``: ``None``, or a :class:`ScanResult` with fields as
    ``(key, text)`` pairs and the payload as JSON text. Raises
    :class:`Invalid` for "mine but invalid"."""
    from ._answer import normalize

    return normalize(plugin() if isinstance(plugin, type) else plugin, data)
