"""Omnidesk: offline omnichannel marketing for small businesses."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("omnidesk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"
