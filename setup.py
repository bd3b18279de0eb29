"""Maps the four top-level folders into the `fitcoach` namespace.

pyproject.toml holds the metadata; this file only computes the package list, so a new
sub-package is picked up without editing a hand-kept list. Nothing installs a top-level
`agent`, `ingest`, ... module.
"""

from setuptools import find_packages, setup

AREAS = ("agent", "knowledge", "ingest", "finetune")

packages = []
for area in AREAS:
    packages.append(f"fitcoach.{area}")
    packages.extend(f"fitcoach.{area}.{sub}" for sub in find_packages(area))

setup(packages=packages, package_dir={f"fitcoach.{area}": area for area in AREAS})
