"""Builds the optional compiled loops of core.formats (leadassist/core/_speedups.pyx, issue 15). Everything else is
in pyproject.toml. Without a C compiler the build goes on without them (optional=True): core.formats then runs its
pure-Python twins, with the same results."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("leadassist.core._speedups", ["leadassist/core/_speedups.pyx"], optional=True)])
