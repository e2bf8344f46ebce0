"""Every public function, class, method and property of gradlab has a docstring of its own, as
help() shows it (pybind11's generated signature line alone does not count), and the compiled
module-level functions have signatures (inspect.signature)."""
import inspect
import re

import gradlab

# A line pybind11 generates: name(arg: type, ...) -> type, possibly numbered in overloads.
_SIGNATURE = re.compile(r"^\s*(\d+\.\s+)?[A-Za-z_][\w.]*\(.*\)(\s*->\s*[\w.\[\], |]+)?\s*$")
_MODULES = ("nn", "optim", "models", "autograd", "data")
_DUNDERS = ("__call__", "__getitem__", "__setitem__", "__len__")


def _has_doc(obj):
    doc = getattr(obj, "__doc__", None) or ""
    lines = [line for line in doc.strip().splitlines() if line.strip()]
    return any(not (_SIGNATURE.match(line) and "): " not in line) and line.strip() != "Overloaded function."
               for line in lines)


def _public(module):
    names = getattr(module, "__all__", None) or dir(module)
    return [(n, getattr(module, n)) for n in names if not n.startswith("_") and hasattr(module, n)]


def _undocumented():
    missing, seen = [], set()
    modules = [("gradlab", gradlab)] + [(f"gradlab.{m}", getattr(gradlab, m)) for m in _MODULES]
    for module_name, module in modules:
        for name, obj in _public(module):
            if inspect.ismodule(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            if isinstance(obj, type):
                if not _has_doc(obj):
                    missing.append(f"{module_name}.{name}")
                enum_internals = ("name", "value") if hasattr(obj, "__members__") else ()
                for attr, member in vars(obj).items():
                    if (attr.startswith("_") and attr not in _DUNDERS) or attr in enum_internals:
                        continue
                    if (callable(member) or isinstance(member, property) or "property" in type(member).__name__) \
                            and not _has_doc(member):
                        missing.append(f"{module_name}.{name}.{attr}")
            elif callable(obj) and not _has_doc(obj):
                missing.append(f"{module_name}.{name}")
    return missing


def test_every_public_name_has_a_docstring():
    missing = _undocumented()
    assert not missing, f"{len(missing)} public names without a docstring: {missing}"


def test_compiled_functions_have_signatures():
    for name in ("conv2d", "tensor", "gradcheck", "cross_entropy", "matmul", "zeros"):
        signature = inspect.signature(getattr(gradlab, name))
        assert signature.parameters, name
    assert list(inspect.signature(gradlab.conv2d).parameters)[:3] == ["input", "weight", "bias"]  # PyTorch's names
    assert inspect.signature(gradlab.conv2d).parameters["stride"].default == 1


def test_help_shows_the_layers_shapes():
    assert "[N, in_features]" in gradlab.nn.Linear.__doc__
    assert "[N, C, H, W]" in gradlab.nn.Conv2d.__doc__
