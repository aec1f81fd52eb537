"""No public function or method of arisekit takes more than 8 parameters (issue 15): related parameters go
into one frozen parameter object (ARISEDescriptor, SPMParameters, BatchOptions, ...).

Scanned: every name in ``__all__`` of every public module (no ``_``-prefixed part), functions and the public
methods of classes. Dataclass ``__init__`` methods are not counted: a dataclass *is* the parameter object
(each field named, documented and defaulted). Exceptions are listed below with their reason; the list may only
shrink (an entry that no longer exceeds the limit fails the test until it is removed).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import arisekit

LIMIT = 8

#: Justified exceptions: name -> reason.
JUSTIFIED = {
    "arisekit.model.classifier.ARISEClassifier.__init__": (
        "scikit-learn's estimator contract: every hyperparameter is an explicit keyword of __init__ "
        "(get_params/set_params/clone rely on it)"
    ),
    "arisekit.descriptors.quippy_backend.quippy_soap": "the reference backend: one keyword per quippy field",
    "arisekit.descriptors.quippy_backend.descriptor_string": "quippy's descriptor string: a keyword a field",
}

#: Not yet grouped into parameter objects (owned by other work or still to do); must only shrink.
NOT_YET: dict[str, str] = {}


def _public_callables():
    seen = {}
    for info in pkgutil.walk_packages(arisekit.__path__, "arisekit."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        module = importlib.import_module(info.name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr, None)
            if inspect.isfunction(obj):
                seen.setdefault(f"{obj.__module__}.{obj.__qualname__}", obj)
            elif inspect.isclass(obj) and obj.__module__.startswith("arisekit"):
                for name, value in vars(obj).items():
                    if name.startswith("_") and name != "__init__":
                        continue
                    if name == "__init__" and dataclasses.is_dataclass(obj):
                        continue  # the dataclass is the parameter object
                    func = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
                    if inspect.isfunction(func):
                        seen.setdefault(f"{obj.__module__}.{obj.__qualname__}.{name}", func)
    return seen


def _count(func) -> int:
    return sum(1 for p in inspect.signature(func).parameters.values() if p.name not in ("self", "cls"))


def test_no_public_function_takes_more_than_eight_parameters():
    callables = _public_callables()
    assert "arisekit.spm.core.spm" in callables and "arisekit.batch.runner.run_batch" in callables
    too_many = {q: _count(f) for q, f in callables.items() if _count(f) > LIMIT}
    new = {q: n for q, n in too_many.items() if q not in JUSTIFIED and q not in NOT_YET}
    assert not new, f"public functions with more than {LIMIT} parameters (group them into an object): {new}"
    fixed = sorted(set(NOT_YET) - set(too_many))
    assert not fixed, f"no longer over the limit, remove from NOT_YET: {fixed}"


def test_the_refactored_entry_points_stay_small():
    from arisekit.batch import run_batch
    from arisekit.descriptors import arise_soap, arise_soap_batch
    from arisekit.spm import iter_spm, spm

    for func in (spm, iter_spm, run_batch, arise_soap, arise_soap_batch):
        assert _count(func) <= LIMIT, func.__name__
