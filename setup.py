"""The one thing pyproject.toml cannot say: setuptools' package discovery plus a mapped package.

Every package under mockserver/ is found (find_packages, never a hand list), and the top-level fixtures/ folder
ships as `mockserver.fixtures` (pyproject's [tool.setuptools.package-dir] maps it). pyproject's
`[tool.setuptools.packages.find]` cannot add a package that lives outside the tree it searches, so the list is
built here; everything else stays in pyproject.toml. tests/providers/test_packaging.py checks the result.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["mockserver", "mockserver.*"]), "mockserver.fixtures"])
