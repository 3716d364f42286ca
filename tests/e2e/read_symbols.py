"""Reads every barcode in a PNG with zxing-cpp (PyPI), an independent
decoder, and prints them as JSON: format, text (GS as \\u001d, as scanned)
and the symbology identifier (]E0, ]C1, ]d2, ...). Used by tests/e2e/labels.rs."""
import json
import sys

import zxingcpp
from PIL import Image

found = zxingcpp.read_barcodes(Image.open(sys.argv[1]), text_mode=zxingcpp.TextMode.Plain)
print(json.dumps([
    {"format": str(code.format), "text": code.text, "symbology": code.symbology_identifier}
    for code in found
]))
