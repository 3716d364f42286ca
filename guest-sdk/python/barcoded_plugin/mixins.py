"""InvenTree's ``plugin.mixins``, for plugins moved over with only their
imports changed: ``from plugin.mixins import SupplierBarcodeMixin`` becomes
``from barcoded_plugin.mixins import SupplierBarcodeMixin``."""

from ._plugin import BarcodeMixin, SettingsMixin
from ._supplier import SupplierBarcodeMixin

__all__ = ["BarcodeMixin", "SettingsMixin", "SupplierBarcodeMixin"]
