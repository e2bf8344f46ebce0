"""Shared fixtures: each lab built once per session (student/solution notebooks, hidden tests),
and helpers that write notebooks and grade them with the real grader (a child process each)."""
import json
import sys
from pathlib import Path

import pytest

LABS_DIR = Path(__file__).resolve().parents[1]
REPO = LABS_DIR.parent
LABS = ["lab1_autograd", "lab2_conv_matrix", "lab3_batchnorm", "lab4_resnet"]
VALIDATE = REPO / "exercises" / "tests" / "validate_results.py"

from gradlab.labs import assemble, grade  # noqa: E402


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """{lab: {"student": path, "solution": path, "tests": path}} (no zip: test_autograder builds one)."""
    out = tmp_path_factory.mktemp("built")
    return {lab: assemble.build(LABS_DIR / f"{lab}.py", out / lab, zip_autograder=False) for lab in LABS}


def notebook_from_source(text, name, path, version="solution"):
    """Builds one notebook version from lab source text (a mutated solution, say)."""
    from gradlab.labs import source
    lab = source.parse(text, name=name)
    assemble.write_notebook(path, assemble.render(lab, version), name)
    return path


def notebook_of_cells(cells, path):
    assemble.write_notebook(path, [("code", c) for c in cells], "test")
    return path


def grade_file(notebook, tests, **limits):
    """Grades and checks results.json against Gradescope's fields; returns (results, {test: passed})."""
    import subprocess
    r = grade.grade(notebook, tests, limits or None)
    out = Path(notebook).with_suffix(".results.json")
    grade.write_json(out, r)
    check = subprocess.run([sys.executable, str(VALIDATE), str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    return r, {t["name"]: t["status"] == "passed" for t in r["tests"]}


def failed(verdicts):
    return {name for name, passed in verdicts.items() if not passed}


def read(path):
    return json.loads(Path(path).read_text())
