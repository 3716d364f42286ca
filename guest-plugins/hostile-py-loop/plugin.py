"""Hostile: spins forever on every scan. The CPU limit must end it."""

from barcoded_plugin import BarcodeMixin, InvenTreePlugin


class Spin(BarcodeMixin, InvenTreePlugin):
    NAME = "hostile-py-loop"
    TITLE = "Spins forever (Python)"
    DESCRIPTION = "A Python plugin that never returns."
    VERSION = "0.1.0"
    AUTHOR = "barcoded test suite"

    def scan(self, barcode_data):
        while True:
            pass
