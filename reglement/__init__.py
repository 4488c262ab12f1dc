"""reglement: privacy regulations as code."""

from importlib.metadata import version as _version

__version__ = _version("reglement")
