"""Sphinx configuration of the arisekit documentation site.

Build (warnings are errors, as in CI)::

    python3 -m pip install '.[docs]'
    python3 -m sphinx -W --keep-going -b html docs/site build/docs
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

import arisekit  # noqa: E402  (the installed package: its docstrings are the API reference)

project = "arisekit"
author = "arisekit developers"
copyright = "arisekit developers, Apache-2.0"
release = arisekit.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# API reference from the docstrings (NumPy-style sections; members in each module's __all__ order)
autodoc_default_options = {"members": True, "member-order": "bysource", "show-inheritance": True}
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autosummary_generate = False
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False

myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = f"arisekit {release}"
html_static_path: list[str] = []


def _trait_parameters(app, what, name, obj, options, lines) -> None:
    """List the traits of a traits class (the OVITO modifier's parameters) with label and default."""
    if what != "class" or not hasattr(obj, "class_traits"):
        return
    inherited = set()
    for base in obj.__mro__[1:]:
        if hasattr(base, "class_traits"):
            inherited |= set(base.class_traits())
    rows = []
    for trait_name, trait in obj.class_traits().items():
        if trait_name in inherited or trait_name.startswith("_") or not trait.label:
            continue
        rows.append(f"* ``{trait_name}`` (default ``{trait.default!r}``): {trait.label}")
    if rows:
        lines += ["", ".. rubric:: Parameters (traits)", "", *rows, ""]


def setup(app) -> None:
    app.connect("autodoc-process-docstring", _trait_parameters)
