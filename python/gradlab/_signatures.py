"""Signatures for the compiled functions, so that inspect.signature, help() and
editors see their arguments.

pybind11 functions are builtins without __signature__ (inspect.signature
raises ValueError on them); their docstring starts with the signature
pybind11 generated, "conv2d(x: gradlab._core.Tensor, ..., stride: object = 1)
-> gradlab._core.Tensor". Each module-level function is exposed in gradlab as
a thin Python function that calls the compiled one and carries that signature
(argument names and defaults; annotations kept as text) and the rest of the
docstring. Overloaded functions keep their compiled form.
"""
import ast
import functools
import inspect
import re

_SIGNATURE_LINE = re.compile(r"^(?P<name>\w+)\((?P<params>.*)\)(?:\s*->\s*(?P<ret>.+))?$")


class _Default:
    """A default value that is not a Python literal, shown as pybind11 wrote it."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def _split_top_level(text):
    """Splits "a: int = 1, b: list[int] = [1, 2]" at the commas outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def _annotation(text):
    return text.strip().replace("gradlab._core.", "gradlab.") if text else inspect.Parameter.empty


def signature_from_doc(doc):
    """The inspect.Signature of pybind11's first docstring line, or None (overloads, no line)."""
    if not doc:
        return None
    match = _SIGNATURE_LINE.match(doc.splitlines()[0].strip())
    if match is None:
        return None
    params, kind = [], inspect.Parameter.POSITIONAL_OR_KEYWORD
    for part in _split_top_level(match.group("params")):
        if part == "*":
            kind = inspect.Parameter.KEYWORD_ONLY
            continue
        if part.startswith("**"):
            params.append(inspect.Parameter(part[2:].split(":")[0].strip(), inspect.Parameter.VAR_KEYWORD))
            continue
        if part.startswith("*"):
            params.append(inspect.Parameter(part[1:].split(":")[0].strip(), inspect.Parameter.VAR_POSITIONAL))
            kind = inspect.Parameter.KEYWORD_ONLY
            continue
        head, _, default_text = part.partition("=")
        name, _, annotation = head.partition(":")
        default = inspect.Parameter.empty
        if default_text:
            try:
                default = ast.literal_eval(default_text.strip())
            except (ValueError, SyntaxError):
                default = _Default(default_text.strip())
        try:
            params.append(inspect.Parameter(name.strip(), kind, default=default, annotation=_annotation(annotation)))
        except ValueError:
            return None  # a name pybind11 made up (arg0) after a default, for example
    try:
        return inspect.Signature(params, return_annotation=_annotation(match.group("ret")))
    except ValueError:
        return None


def _with_signature(name, compiled):
    signature = signature_from_doc(compiled.__doc__)
    if signature is None:
        return compiled

    @functools.wraps(compiled, assigned=("__name__", "__qualname__"))
    def function(*args, **kwargs):
        return compiled(*args, **kwargs)

    lines = compiled.__doc__.splitlines()
    body = "\n".join(lines[1:]).strip()
    function.__doc__ = body  # help() and inspect show the signature themselves
    function.__signature__ = signature
    function.__module__ = "gradlab"
    function.__wrapped_compiled__ = compiled
    return function


def attach(namespace, core):
    """Replaces each compiled module-level function of `core` in `namespace` by a
    wrapper with its signature (classes, submodules and overloads are left as they are)."""
    for name, value in list(namespace.items()):
        if name.startswith("_") or getattr(core, name, None) is not value:
            continue
        if type(value).__name__ == "builtin_function_or_method":
            namespace[name] = _with_signature(name, value)
