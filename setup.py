"""Maps the top-level folders into the `fitcoach` namespace.

pyproject.toml holds the metadata; this file only computes the package list, so a new
sub-package is picked up without editing a hand-kept list. `core/` is the root package
`fitcoach` itself (settings, errors, model registry, text helpers, the CLI root and the lazy
facade); each room below it is `fitcoach.<room>`. Nothing installs a top-level `agent`,
`ingest`, ... module.
"""

from setuptools import find_packages, setup

ROOT = "core"
ROOMS = ("ingest", "knowledge", "agent", "finetune")

packages = ["fitcoach"] + [f"fitcoach.{sub}" for sub in find_packages(ROOT)]
package_dir = {"fitcoach": ROOT}
for room in ROOMS:
    packages.append(f"fitcoach.{room}")
    packages.extend(f"fitcoach.{room}.{sub}" for sub in find_packages(room))
    package_dir[f"fitcoach.{room}"] = room

setup(packages=packages, package_dir=package_dir)
