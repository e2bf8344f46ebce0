"""Grading never fails because of the student: an endless loop, exhausted memory, a crash of the
interpreter, an exception or a syntax error costs only the tests that need that code, within the
limits, and results.json is always written (and valid: grade_file checks it)."""
import json
import time

import pytest

from conftest import failed, grade_file, notebook_of_cells

LAB = "lab1_autograd"
# Generous enough for a loaded 2-core machine (an import or a check cell must never hit them).
LIMITS = {"memory_mb": 1024, "cell_seconds": 5.0, "test_seconds": 10.0, "total_seconds": 120.0}
ALL = {"tanh_forward", "tanh_backward", "sigmoid_forward", "sigmoid_backward", "matmul_forward_and_backward",
       "softmax_cross_entropy", "exercise_7_8_example", "exercise_7_8_other_network"}


@pytest.fixture(scope="module")
def solution_cells(built):
    nb = json.loads(built[LAB]["solution"].read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def graded(cells, tmp_path, built, **limits):
    start = time.monotonic()
    r, verdicts = grade_file(notebook_of_cells(cells, tmp_path / "sub.ipynb"), built[LAB]["tests"],
                             **dict(LIMITS, **limits))
    return r, verdicts, time.monotonic() - start


def with_cell(cells, at, text):
    return cells[:at] + [text] + cells[at:]


def test_endless_loop_costs_nothing_else(solution_cells, built, tmp_path):
    r, verdicts, seconds = graded(with_cell(solution_cells, 2, "while True:\n    pass"), tmp_path, built)
    assert not failed(verdicts) and seconds < LIMITS["total_seconds"]
    assert "stopped after 5 s" in r["output"]


def test_loop_that_swallows_the_alarm_is_killed_and_skipped(solution_cells, built, tmp_path):
    stubborn = "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass"
    r, verdicts, seconds = graded(with_cell(solution_cells, 2, stubborn), tmp_path, built)
    assert not failed(verdicts) and seconds < LIMITS["total_seconds"]
    assert "alarm was ignored" in r["output"] and "graded again without it" in r["output"]


def test_exhausting_memory_is_a_memory_error_in_that_cell(solution_cells, built, tmp_path):
    hogs = ["import numpy as np\nhuge = np.ones((1 << 36,))",
            "grow = []\nwhile True:\n    grow.append(bytearray(1 << 20))"]
    cells = with_cell(with_cell(solution_cells, 2, hogs[0]), 3, hogs[1])
    r, verdicts, seconds = graded(cells, tmp_path, built)
    assert not failed(verdicts) and seconds < LIMITS["total_seconds"]
    assert r["output"].count("MemoryError") == 2


def test_raise_in_a_first_cell_of_its_own(solution_cells, built, tmp_path):
    r, verdicts, _ = graded(with_cell(solution_cells, 0, "raise RuntimeError('my first cell')"), tmp_path, built)
    assert not failed(verdicts) and "cell 1: RuntimeError: my first cell" in r["output"]


def test_raise_in_the_first_cell_before_the_imports(solution_cells, built, tmp_path):
    cells = ["raise RuntimeError('before the imports')\n" + solution_cells[0]] + solution_cells[1:]
    r, verdicts, _ = graded(cells, tmp_path, built)
    assert r["score"] == 0 and failed(verdicts) == ALL  # nothing after it could run, and each test says why
    assert all("NameError" in t["output"] or "does not define" in t["output"] for t in r["tests"])


def test_syntax_error_costs_only_that_cells_tests(solution_cells, built, tmp_path):
    cells = [c.replace("return grad * y * (1 - y)", "return grad * y * (1 - y") for c in solution_cells]
    r, verdicts, _ = graded(cells, tmp_path, built)
    assert failed(verdicts) == {"sigmoid_forward", "sigmoid_backward"}
    assert "SyntaxError" in r["output"]
    assert "does not define `Sigmoid`" in next(t["output"] for t in r["tests"] if t["name"] == "sigmoid_forward")


@pytest.mark.parametrize("crash", ["import ctypes\nctypes.string_at(0)", "import os\nos._exit(3)",
                                   "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"])
def test_crash_of_the_interpreter_skips_that_cell(solution_cells, built, tmp_path, crash):
    r, verdicts, _ = graded(with_cell(solution_cells, 3, crash), tmp_path, built)
    assert not failed(verdicts), r["output"]
    assert "the Python process died" in r["output"] and "graded again without it" in r["output"]


def test_endless_loop_inside_a_tested_function_fails_only_its_tests(solution_cells, built, tmp_path):
    cells = [c.replace("y = gradlab.tanh(x)", "while True: pass") for c in solution_cells]
    r, verdicts, seconds = graded(cells, tmp_path, built)
    assert {"tanh_forward", "tanh_backward"} <= failed(verdicts)
    assert "time limit" in next(t["output"] for t in r["tests"] if t["name"] == "tanh_forward")
    assert {"sigmoid_forward", "matmul_forward_and_backward"}.isdisjoint(failed(verdicts)) and seconds < LIMITS["total_seconds"]


def test_flood_of_output_and_files_stay_in_a_fresh_folder(solution_cells, built, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spam = "for _ in range(200000):\n    print('x' * 100)\nopen('left_behind.txt', 'w').write('x')\nimport os\nHERE = os.getcwd()"
    r, verdicts, _ = graded(with_cell(solution_cells, 2, spam), tmp_path, built)
    assert not failed(verdicts) and not (tmp_path / "left_behind.txt").exists()


def test_not_a_notebook_and_an_empty_folder(built, tmp_path):
    bad = tmp_path / "sub.ipynb"
    bad.write_text("{ this is not json")
    r, verdicts = grade_file(bad, built[LAB]["tests"], **LIMITS)
    assert r["score"] == 0 and "could not be read" in r["output"]
    (tmp_path / "empty").mkdir()
    from gradlab.labs import grade
    r = grade.grade(tmp_path / "empty", built[LAB]["tests"], LIMITS)
    assert r["score"] == 0 and "no .ipynb" in r["output"] and len(r["tests"]) == len(ALL)


def test_command_line_always_writes_results(built, tmp_path):
    import subprocess
    import sys
    out = tmp_path / "results" / "results.json"
    subprocess.run([sys.executable, "-m", "gradlab.labs", "grade", str(tmp_path / "missing.ipynb"), "--tests",
                    str(built[LAB]["tests"]), "--results", str(out)], check=True, capture_output=True)
    assert json.loads(out.read_text())["score"] == 0
    broken = tmp_path / "broken_tests.py"
    broken.write_text("raise SyntaxError('instructor typo')\n")
    subprocess.run([sys.executable, "-m", "gradlab.labs", "grade", str(built[LAB]["solution"]), "--tests",
                    str(broken), "--results", str(out)], check=True, capture_output=True)
    assert "the autograder failed" in json.loads(out.read_text())["output"]


def test_patching_the_checks_does_not_pass_the_hidden_tests(solution_cells, built, tmp_path):
    cheat = "import gradlab.labs.checks as c\nc.compare = lambda *a, **k: None\nc.check_backward = lambda *a, **k: None"
    cells = [c.replace("return grad * (1 - y * y)", "return -grad * (1 - y * y)") for c in solution_cells]
    r, verdicts, _ = graded(with_cell(cells, 1, cheat), tmp_path, built)
    assert "tanh_backward" in failed(verdicts)
