"""The base classes a plugin derives from, named as in InvenTree."""

from . import config


class InvenTreePlugin:
    """Base of every plugin. Set ``NAME`` (or ``SLUG``), ``TITLE``,
    ``DESCRIPTION``, ``VERSION`` and ``AUTHOR`` on your class.

    ``CLAIMS``, regular expressions in Rust's ``regex`` syntax (or a
    ``claims(self)`` method returning them, asked when the server loads the
    plugin, settings readable), says what data the plugin may claim: the
    server then asks it only about data one of them matches, which saves a
    Python plugin's start-up on every other scan. Cover everything ``scan``
    decodes or rejects; empty, the default, means every scan."""

    CLAIMS = ()
    NAME = ""
    SLUG = ""
    TITLE = ""
    DESCRIPTION = ""
    VERSION = "0.0.0"
    AUTHOR = ""

    @classmethod
    def slug(cls) -> str:
        """The machine name: ``SLUG``, or ``NAME`` in lowercase with every
        run of other characters turned into one dash."""
        source = cls.SLUG or cls.NAME or cls.__name__
        out, dash = [], False
        for ch in source.lower():
            if ch.isascii() and ch.isalnum():
                out.append(ch)
                dash = False
            elif out and not dash:
                out.append("-")
                dash = True
        return "".join(out).strip("-")


class BarcodeMixin:
    """Marks a plugin that decodes barcodes: define ``scan(self, barcode_data)``."""

    def scan(self, barcode_data):
        return None


class SettingsMixin:
    """InvenTree's settings, read from the operator's ``plugin config``.

    ``SETTINGS`` maps keys to dicts that may hold a ``default``."""

    SETTINGS: dict = {}

    def get_setting(self, key, default=None):
        value = config.get(key)
        if value is not None:
            return value
        declared = self.SETTINGS.get(key) or {}
        return declared.get("default", default)

    def set_setting(self, key, value):
        """Settings are the operator's (``barcoded plugin config``) and
        read-only to a plugin: this changes nothing. InvenTree's mixins call
        it only to remember what they found, which a fresh instance per scan
        forgets anyway."""


class InvenTreeBarcodeMixin:
    """InvenTree's model mixin for objects with barcodes, imported by some
    plugins; here it adds nothing."""
