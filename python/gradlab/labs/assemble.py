"""Builds one lab: student notebook, solution notebook, hidden tests, Gradescope autograder zip.
(Not named build.py: pyproject.toml's sdist.exclude "build*" would drop it from the package.)

    python -m gradlab.labs build labs/lab1_autograd.py --out dist/lab1
    -> dist/lab1/student/lab1_autograd.ipynb    (stubs raise NotImplementedError with a hint)
       dist/lab1/solution/lab1_autograd.ipynb   (the instructor's version)
       dist/lab1/hidden_tests.py                (what the grader runs; never given to students)
       dist/lab1/autograder.zip                 (Gradescope: setup.sh, run_autograder, the tests, gradlab's source)
"""
import json
import os
import subprocess
import zipfile
from pathlib import Path

from gradlab.labs import source as src

# What `pip install .` needs from a clone (pyproject.toml drives the CMake build).
PACKAGE_PATHS = ["pyproject.toml", "CMakeLists.txt", "cmake", "engine", "cuda", "python", "resnet",
                 "exercises", "notebooks_export", "scripts/setup.sh"]
HIDDEN_HEADER = '"""Hidden tests of {name}, generated from its lab source by `python -m gradlab.labs build`."""\n' \
                "import numpy as np  # noqa: F401\nimport gradlab  # noqa: F401\nfrom gradlab.labs.hidden import test  # noqa: F401\n\n"


def notebook(cells, name):
    """An nbformat-4 notebook (plain JSON, so building needs no Jupyter package)."""
    def cell(i, kind, text):
        c = {"id": f"cell-{i:03d}", "cell_type": kind, "metadata": {}, "source": text.splitlines(keepends=True)}
        if kind == "code":
            c.update(execution_count=None, outputs=[])
        return c
    return {"nbformat": 4, "nbformat_minor": 5, "cells": [cell(i, k, t) for i, (k, t) in enumerate(cells)],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}, "gradlab_lab": name}}


def render(lab, version):
    """The (kind, text) cells of the student or solution notebook."""
    pick = src.student if version == "student" else src.solution
    return [(c.kind, c.source if c.kind == "markdown" else pick(c.source)) for c in lab.markdown_and_code()]


def load(path):
    path = Path(path)
    return src.parse(path.read_text(encoding="utf-8"), name=path.stem, path=str(path))


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_notebook(path, cells, name):
    _write(Path(path), json.dumps(notebook(cells, name), indent=1) + "\n")


def build(lab_path, out, repo=None, zip_autograder=True):
    """Writes the four outputs under `out`; returns their paths."""
    lab = load(lab_path)
    out = Path(out)
    paths = {"student": out / "student" / f"{lab.name}.ipynb", "solution": out / "solution" / f"{lab.name}.ipynb",
             "tests": out / "hidden_tests.py"}
    for version in ("student", "solution"):
        write_notebook(paths[version], render(lab, version), lab.name)
    _write(paths["tests"], HIDDEN_HEADER.format(name=lab.name) + lab.hidden_source() + "\n")
    if zip_autograder:
        paths["zip"] = out / "autograder.zip"
        autograder_zip(paths["zip"], lab.name, paths["tests"], repo or _repo_of(lab_path))
    return paths


def _repo_of(lab_path):
    root = Path(lab_path).resolve().parent
    while root != root.parent and not (root / "pyproject.toml").exists():
        root = root.parent
    return root if (root / "pyproject.toml").exists() else None


def _tracked(repo):
    """The files of `repo` that pip install needs: tracked by git (or every file, outside git)."""
    try:
        names = subprocess.run(["git", "-C", str(repo), "ls-files", "-z", "--", *PACKAGE_PATHS], check=True,
                               capture_output=True).stdout.decode().split("\0")
        names = [n for n in names if n]
    except (OSError, subprocess.CalledProcessError):
        names = []
    if not names:
        names = [str(p.relative_to(repo)) for top in PACKAGE_PATHS for p in
                 ([repo / top] if (repo / top).is_file() else (repo / top).rglob("*")) if p.is_file()]
    return [n for n in names if (repo / n).is_file() and not n.endswith(".ipynb")]


def autograder_zip(path, name, tests_path, repo):
    """setup.sh and run_autograder at the root (Gradescope's layout), hidden_tests.py, lab.json and, under
    gradlab/, the source that setup.sh installs with pip (no binary: Gradescope's Ubuntu is not this Debian)."""
    here = Path(__file__).resolve().parent / "autograder"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for script in ("setup.sh", "run_autograder"):
            info = zipfile.ZipInfo(script)
            info.external_attr = 0o100755 << 16
            z.writestr(info, (here / script).read_text())
        z.write(tests_path, "hidden_tests.py")
        z.writestr("lab.json", json.dumps({"lab": name}) + "\n")
        if repo is not None:
            for n in _tracked(Path(repo)):
                z.write(Path(repo) / n, f"gradlab/{n}")
    os.replace(tmp, path)
