"""Packages for setuptools; every other setting is in pyproject.toml.

The checkout keeps ``resources/`` (icons, themes, vendor presets, demo word
lists) beside ``omnidesk/``, where the PyInstaller spec and the code running
from a checkout read it.  A wheel has no checkout, so the folder is installed
inside the package as ``omnidesk/resources``, which ``omnidesk.core.paths``
looks for.  pyproject.toml can find packages or name them, but not find them
and map one to a folder elsewhere: hence this file.
"""

from setuptools import find_namespace_packages, setup

# Its folders count as packages too: setuptools warns about data in a folder
# that is not one.
RESOURCES = ["omnidesk.resources", *(f"omnidesk.resources.{name}" for name in find_namespace_packages("resources"))]

setup(
    packages=[*find_namespace_packages(include=["omnidesk", "omnidesk.*"]), *RESOURCES],
    package_dir={"omnidesk.resources": "resources"},
)
