"""Decodes shelf labels: SHELF-<aisle>-<bay>, such as SHELF-12-3."""

from barcoded_plugin import BarcodeMixin, InvenTreePlugin, Invalid, ScanResult, config


class ShelfPlugin(BarcodeMixin, InvenTreePlugin):
    NAME = "shelf"
    TITLE = "Shelf labels"
    DESCRIPTION = "Decodes SHELF-<aisle>-<bay> location labels."
    VERSION = "0.1.0"
    AUTHOR = "Example Stores <dev@example.com>"
    # The server asks this plugin only about data these patterns match:
    # cover everything scan() decodes or rejects.
    CLAIMS = ["^SHELF-"]

    def scan(self, barcode_data):
        # Not ours: answer None, so that the next plugin is asked.
        if not barcode_data.startswith("SHELF-"):
            return None
        # Ours, but broken: say why, in words a till operator can act on.
        aisle, _, bay = barcode_data[len("SHELF-"):].partition("-")
        if not (aisle.isascii() and aisle.isdigit() and bay.isascii() and bay.isdigit()):
            raise Invalid("expected SHELF-<aisle>-<bay>, both numbers", "SHELF")
        # An operator setting (`barcoded plugin config shelf site=north`).
        site = config.get("site") or "main"
        # What a plugin prints goes to the server log, tagged with its name.
        print(f"shelf label: aisle {aisle}, bay {bay} at {site}")
        return ScanResult("SHELF", fields={"site": site, "aisle": aisle, "bay": bay})
