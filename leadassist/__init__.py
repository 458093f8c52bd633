"""LeadAssist: a desktop lead-research assistant. The version comes from pyproject.toml (single source)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("leadassist")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
