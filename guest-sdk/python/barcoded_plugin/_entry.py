"""The component's `decoder` export, made from a plugin class. The build
writes a module that calls :func:`decoder_for` on the author's module."""

from componentize_py_types import Err
from wit_world.exports import decoder as wit

from ._answer import normalize
from ._model import Invalid
from ._plugin import BarcodeMixin, InvenTreePlugin


def plugin_class(module):
    """The one plugin class defined in ``module``: a class of its own with a
    ``scan`` method and InvenTree's ``NAME``."""
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and value.__module__ == module.__name__
        and callable(getattr(value, "scan", None))
        and (issubclass(value, (BarcodeMixin, InvenTreePlugin)) or hasattr(value, "NAME"))
    ]
    if len(found) != 1:
        names = ", ".join(c.__name__ for c in found) or "none"
        raise SystemExit(
            f"{module.__name__} must define exactly one plugin class (a class with NAME and "
            f"scan(self, barcode_data)); found: {names}"
        )
    return found[0]


def decoder_for(module):
    cls = plugin_class(module)
    # Made once, at build time: the snapshot keeps it, so a scan does not pay for it.
    plugin = cls()
    slug = cls.slug() if hasattr(cls, "slug") else InvenTreePlugin.slug.__func__(cls)
    info = wit.PluginInfo(
        name=slug,
        title=str(cls.TITLE or cls.NAME),
        description=str(getattr(cls, "DESCRIPTION", "")),
        version=str(getattr(cls, "VERSION", "0.0.0")),
        author=str(getattr(cls, "AUTHOR", "")),
    )

    class Decoder:
        def info(self):
            return info

        def scan(self, data):
            try:
                result = normalize(plugin, data)
            except Invalid as invalid:
                raise Err(wit.ScanError(format=invalid.format, reason=invalid.reason))
            if result is None:
                return None
            return wit.ScanResult(
                format=result.format,
                lookup_code=result.lookup_code,
                uom_code=result.uom_code,
                quantity=result.quantity,
                fields=[wit.Field(key=k, value=v) for k, v in result.fields],
                payload=result.payload,
            )

    return Decoder


def claims_for(module):
    """The component's ``claims`` export: the plugin's ``claims()`` method,
    asked when the server loads it (its settings readable), or its
    ``CLAIMS``; none declares nothing, and the plugin is asked about every
    scan."""
    cls = plugin_class(module)

    class Claims:
        def patterns(self):
            plugin = cls()
            declared = plugin.claims() if callable(getattr(plugin, "claims", None)) else getattr(cls, "CLAIMS", ())
            return [str(pattern) for pattern in declared]

    return Claims


def receiving_for(module):
    """The component's ``receiving`` export: the plugin's
    ``scan_receive_item`` (InvenTree's, which ``SupplierBarcodeMixin``
    provides), its answer turned into the server's receipt. A plugin
    without it answers ``None``: it is not asked to receive."""
    from wit_world.exports import receiving as wit_receiving

    from ._receipt import receive_label

    cls = plugin_class(module)
    plugin = cls()
    statuses = (
        ("error", wit_receiving.ReceiptStatus.REFUSED),
        ("action_required", wit_receiving.ReceiptStatus.ACTION_REQUIRED),
        ("success", wit_receiving.ReceiptStatus.RECEIVED),
    )

    class Receiving:
        def receive(self, data, request):
            answer = receive_label(
                plugin, data, request.order, request.line, request.location,
                request.auto_allocate,
            )
            if not answer:
                return None
            status, message = next(
                ((status, str(answer[key])) for key, status in statuses if key in answer),
                (wit_receiving.ReceiptStatus.REFUSED, "the plugin's answer says nothing"),
            )
            fields = getattr(plugin, "barcode_fields", None) or {}
            return wit_receiving.Receipt(
                status=status,
                message=message,
                line=_line_item(wit_receiving, answer.get("lineitem"), fields),
                fields=[(str(k), str(v)) for k, v in fields.items()],
            )

    return Receiving


def _line_item(wit_receiving, line, fields):
    if not isinstance(line, dict) or line.get("pk") is None:
        return None
    quantity = line.get("quantity")
    location = line.get("location")
    part = line.get("supplier_part") or fields.get("supplier_part_number")
    return wit_receiving.LineItem(
        order=str(line.get("purchase_order") or ""),
        sku=str(line["pk"]),
        quantity=min(int(quantity), 0xFFFFFFFF) if isinstance(quantity, (int, float)) and quantity >= 0 else 0,
        location=None if location is None else str(location),
        supplier_part=None if part is None else str(part),
    )
