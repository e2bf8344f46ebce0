"""The lab source format: cells, solution blocks, hints, and errors that name the line."""
import pytest

from gradlab.labs import source

LAB = """# %% [markdown]
# # Title
# %%
def f(x):
    # BEGIN SOLUTION: return twice x
    return 2 * x
    # END SOLUTION
# %% [hidden]
@test(points=1)
def t(nb):
    assert nb.f(1) == 2
"""


def test_cells_and_versions():
    lab = source.parse(LAB, "demo")
    assert [c.kind for c in lab.cells] == ["markdown", "code", "hidden"]
    assert lab.cells[0].source == "# Title"
    assert source.student(lab.cells[1].source) == "def f(x):\n    raise NotImplementedError('f: return twice x')"
    assert source.solution(lab.cells[1].source) == "def f(x):\n    return 2 * x"
    assert "@test" in lab.hidden_source() and len(lab.markdown_and_code()) == 2


@pytest.mark.parametrize("bad,phrase", [
    ("# %%\n# BEGIN SOLUTION\nx = 1\n", "never closed"),
    ("# %%\n# END SOLUTION\n", "without BEGIN"),
    ("# %%\n# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", "inside a solution block"),
    ("x = 1\n# %%\n", "before the first"),
    ("# %% [answers]\n", "unknown cell kind"),
])
def test_malformed_sources_are_refused_with_the_line(bad, phrase):
    with pytest.raises(source.LabSourceError, match=phrase):
        source.parse(bad, "bad", "bad.py")
