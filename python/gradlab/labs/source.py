"""A lab source: one Python file in the percent format (as jupytext writes it), with solution
markers. It becomes the student notebook, the solution notebook and the hidden tests.

    # %% [markdown]              a markdown cell: every line starts with "# "
    # # Lab 1: autograd by hand
    # %%                         a code cell (in both notebooks)
    def tanh(x):
        # BEGIN SOLUTION: y = gradlab.tanh(x), save y for backward
        ...                      the solution (solution notebook only)
        # END SOLUTION
    # %% [hidden]                hidden tests (never in a notebook; they go to hidden_tests.py)

In the student notebook a solution block becomes one line, at the marker's indentation:
``raise NotImplementedError("<hint>")``. The markers are otter-grader's (``# BEGIN SOLUTION`` /
``# END SOLUTION``), with the hint after a colon.
"""
import re
from dataclasses import dataclass, field

_CELL = re.compile(r"^# %%(?:\s*\[(\w+)\])?\s*$")
_BEGIN = re.compile(r"^(\s*)# BEGIN SOLUTION(?::\s*(.*))?$")
_END = re.compile(r"^\s*# END SOLUTION\s*$")


class LabSourceError(ValueError):
    """A malformed lab source; the message names the file and the line."""


@dataclass
class Cell:
    kind: str          # "markdown", "code" or "hidden"
    source: str        # the text as in the solution
    line: int          # first line in the lab source (1-based)


@dataclass
class Lab:
    name: str
    cells: list = field(default_factory=list)

    def markdown_and_code(self):
        return [c for c in self.cells if c.kind != "hidden"]

    def hidden_source(self):
        return "\n\n".join(c.source for c in self.cells if c.kind == "hidden")


def parse(text, name="lab", path="<lab>"):
    """Splits a lab source into cells; checks that every solution block is closed."""
    lab = Lab(name)
    kind, start, lines = None, 1, []

    def close():
        body = "\n".join(lines).strip("\n")
        if kind is None:
            if body.strip():
                raise LabSourceError(f"{path}:1: text before the first '# %%' cell marker")
            return
        if kind == "markdown":
            body = "\n".join(re.sub(r"^# ?", "", ln) for ln in body.splitlines())
        if body.strip():
            lab.cells.append(Cell(kind, body, start))

    for number, line in enumerate(text.splitlines(), 1):
        m = _CELL.match(line)
        if m:
            close()
            kind = {None: "code", "markdown": "markdown", "hidden": "hidden"}.get(m.group(1))
            if kind is None:
                raise LabSourceError(f"{path}:{number}: unknown cell kind [{m.group(1)}] (markdown or hidden)")
            start, lines = number + 1, []
        else:
            lines.append(line)
    close()
    for cell in lab.cells:
        if cell.kind == "code":
            student(cell.source, f"{path}:{cell.line}")  # raises on unbalanced markers
    return lab


_DEF = re.compile(r"^(\s*)(?:async\s+)?def\s+(\w+)")
_CLASS = re.compile(r"^(\s*)class\s+(\w+)")


def _enclosing(lines, indent):
    """'Class.method' or 'function' around a line indented by `indent`, from the lines above it."""
    names = []
    for line in reversed(lines):
        m = _DEF.match(line) or _CLASS.match(line)
        if m and len(m.group(1)) < indent:
            names.insert(0, m.group(2))
            indent = len(m.group(1))
    return ".".join(names)


def student(source, where="<cell>"):
    """The student's version of a code cell: each solution block becomes a NotImplementedError
    naming the function it sits in: raise NotImplementedError('Tanh.forward: <hint>')."""
    out, inside = [], None
    lines = source.splitlines()
    for offset, line in enumerate(lines):
        b, e = _BEGIN.match(line), _END.match(line)
        if b:
            if inside is not None:
                raise LabSourceError(f"{where}+{offset}: BEGIN SOLUTION inside a solution block")
            hint = (b.group(2) or "write this part").strip()
            owner = _enclosing(lines[:offset], len(b.group(1)))
            hint = f"{owner}: {hint}" if owner else hint
            out.append(f"{b.group(1)}raise NotImplementedError({hint!r})")
            inside = offset
        elif e:
            if inside is None:
                raise LabSourceError(f"{where}+{offset}: END SOLUTION without BEGIN SOLUTION")
            inside = None
        elif inside is None:
            out.append(line)
    if inside is not None:
        raise LabSourceError(f"{where}+{inside}: BEGIN SOLUTION is never closed")
    return "\n".join(out)


def solution(source):
    """The solution's version of a code cell: the markers' lines removed."""
    return "\n".join(ln for ln in source.splitlines() if not (_BEGIN.match(ln) or _END.match(ln)))
