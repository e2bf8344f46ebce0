"""The student notebooks run in Jupyter (a real kernel, nbclient): every public check cell fails with
the stub's NotImplementedError and its hint, never another error; the solution notebooks run with every
public check printing its "ok:" line."""
import json
import os
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
NotebookClient = pytest.importorskip("nbclient").NotebookClient

from conftest import LABS


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """A kernelspec that runs this interpreter (the one with gradlab: a venv's, or /usr/bin/python3
    with PYTHONPATH), found through JUPYTER_PATH; Debian's own python3 kernel lacks a pip-installed gradlab."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "gradlab-labs-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f",
                                                           "{connection_file}"],
                                                  "display_name": "gradlab labs test", "language": "python"}))
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(root) + (os.pathsep + old if old else "")
    yield "gradlab-labs-test"
    if old is None:
        del os.environ["JUPYTER_PATH"]
    else:
        os.environ["JUPYTER_PATH"] = old


def execute(path, tmp_path, kernel):
    nb = nbformat.read(str(path), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name=kernel, allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb


def errors(nb):
    return [(i, o) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


@pytest.mark.parametrize("lab", LABS)
def test_student_notebook_public_checks_fail_with_the_stub_message(built, lab, tmp_path, kernel):
    nb = execute(built[lab]["student"], tmp_path, kernel)
    errs = errors(nb)
    assert errs, "the student notebook should fail its checks"
    for i, o in errs:
        assert o["ename"] == "NotImplementedError", (i, o["ename"], o["evalue"])
        assert o["evalue"], f"cell {i}: a NotImplementedError without a hint"
    check_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "check." in c.source
                   and "import" not in c.source]
    failing = {i for i, _ in errs}
    assert set(check_cells) <= failing, "every public check cell fails while its stub is unwritten"


@pytest.mark.parametrize("lab", LABS)
def test_solution_notebook_runs_and_every_check_passes(built, lab, tmp_path, kernel):
    nb = execute(built[lab]["solution"], tmp_path, kernel)
    assert not errors(nb), errors(nb)[:1]
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert text.count("ok: ") >= 3, text
