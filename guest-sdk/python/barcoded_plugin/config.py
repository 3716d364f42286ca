"""Settings the operator gave this plugin (``barcoded plugin config NAME key=value``).
Always available; read-only."""

from . import _host


def get(key: str):
    """The value set for ``key``, or ``None``."""
    return _host.current().config_get(key)


def all():
    """Every setting, as ``(key, value)`` pairs sorted by key."""
    return _host.current().config_all()
