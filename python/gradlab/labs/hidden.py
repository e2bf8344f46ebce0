"""What hidden tests are written with: the @test decorator and `nb`, the student's notebook.

    @test(points=2)
    def tanh_backward(nb):             # nb.Tanh: the Tanh the student's notebook defined
        check_backward(nb.Tanh.apply, [x], names=["x"], what="Tanh")

A test passes when it returns; a LabCheckError (or any exception) fails it with its message.
"""
from gradlab.labs.checks import LabCheckError

REGISTRY = []


def test(points, name=None, visibility="visible"):
    """Registers a hidden test worth `points`; its name defaults to the function's name."""
    def register(fn):
        REGISTRY.append({"name": name or fn.__name__, "points": float(points), "fn": fn,
                         "visibility": visibility})
        return fn
    return register


class Notebook:
    """The student's namespace; a missing name fails only the tests that use it, with a reason."""

    def __init__(self, namespace, cell_errors):
        self._ns = namespace
        self._errors = cell_errors   # [(cell number, one-line error)]

    def __getattr__(self, name):
        if name in self._ns:
            return self._ns[name]
        why = "; ".join(f"cell {i}: {e}" for i, e in self._errors[:3])
        raise LabCheckError(f"your notebook does not define `{name}`" +
                            (f" (cells that did not run to the end: {why})" if why else
                             " (is the cell that defines it still in the notebook, under that name?)"))
