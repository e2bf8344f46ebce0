"""The lab's Gradescope zip in a fake /autograder tree: run_autograder grades the submission into
results/results.json (valid under exercises/tests/validate_results.py), with a full-marks solution,
an empty submission, and an interpreter that cannot start (the script's own fallback)."""
import os
import subprocess
import sys
import zipfile

import pytest

from conftest import LABS_DIR, VALIDATE, read
from gradlab.labs import assemble


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    out = tmp_path_factory.mktemp("zip")
    paths = assemble.build(LABS_DIR / "lab3_batchnorm.py", out / "lab3")
    root = out / "autograder"
    for sub in ("source", "submission", "results"):
        (root / sub).mkdir(parents=True)
    with zipfile.ZipFile(paths["zip"]) as z:
        names = z.namelist()
        z.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        os.chmod(root / "source" / script, 0o755)
    return root, paths, names


def run(root, **env):
    return subprocess.run([str(root / "source" / "run_autograder")], cwd=root, capture_output=True, text=True,
                          env=dict(os.environ, AUTOGRADER_ROOT=str(root), **{"GRADLAB_PYTHON": sys.executable, **env}))


def validate(path, score):
    v = subprocess.run([sys.executable, str(VALIDATE), str(path), "--expect-score", str(score)],
                       capture_output=True, text=True)
    assert v.returncode == 0, v.stdout + v.stderr


def test_zip_layout(tree):
    _, _, names = tree
    assert {"setup.sh", "run_autograder", "hidden_tests.py", "lab.json"} <= set(names)
    assert "gradlab/pyproject.toml" in names and "gradlab/python/gradlab/labs/grade.py" in names
    assert not any(n.startswith("gradlab/labs/") for n in names), "the lab sources (solutions) stay out of the zip"
    assert not any("cifar" in n.lower() and n.endswith(".bin") for n in names)


def test_solution_full_marks_in_the_fake_tree(tree):
    root, paths, _ = tree
    (root / "submission" / "lab3_batchnorm.ipynb").write_bytes(paths["solution"].read_bytes())
    r = run(root)
    assert r.returncode == 0, r.stderr
    validate(root / "results" / "results.json", 18)
    (root / "submission" / "lab3_batchnorm.ipynb").unlink()


def test_empty_submission_still_writes_results(tree):
    root, _, _ = tree
    r = run(root)
    assert r.returncode == 0, r.stderr
    validate(root / "results" / "results.json", 0)
    assert "no .ipynb" in read(root / "results" / "results.json")["output"]


def test_interpreter_that_cannot_start(tree):
    root, _, _ = tree
    (root / "results" / "results.json").unlink()
    r = run(root, GRADLAB_PYTHON="/bin/false")
    assert r.returncode == 0
    validate(root / "results" / "results.json", 0)
