"""InvenTree's ``plugin.mixins``, for plugins moved over with only their
imports changed: ``from plugin.mixins import BarcodeMixin`` becomes
``from barcoded_plugin.mixins import BarcodeMixin``."""

from ._plugin import BarcodeMixin, SettingsMixin

__all__ = ["BarcodeMixin", "SettingsMixin"]
