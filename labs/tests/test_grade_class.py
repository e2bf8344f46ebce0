"""grade-class: a folder of notebooks and student folders -> one CSV row per student."""
import csv
import shutil
import subprocess
import sys

from conftest import LABS_DIR, notebook_from_source


def test_class_csv(built, tmp_path):
    lab = "lab3_batchnorm"
    cls = tmp_path / "class"
    cls.mkdir()
    shutil.copy(built[lab]["solution"], cls / "alice.ipynb")
    shutil.copy(built[lab]["student"], cls / "bob.ipynb")
    (cls / "carol, jr").mkdir()  # a Gradescope-style folder, a name with a comma
    text = (LABS_DIR / f"{lab}.py").read_text().replace("momentum * var.ravel() * m / (m - 1)", "momentum * var.ravel()")
    notebook_from_source(text, lab, cls / "carol, jr" / "submission.ipynb")
    (cls / "dave").mkdir()  # submitted nothing
    out = tmp_path / "grades.csv"
    r = subprocess.run([sys.executable, "-m", "gradlab.labs", "grade-class", str(cls), "--tests",
                        str(built[lab]["tests"]), "--csv", str(out), "--jobs", "2"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "graded 4 submissions" in r.stdout
    rows = list(csv.reader(out.open()))
    header, body = rows[0], {row[0]: row for row in rows[1:]}
    assert header[:2] == ["student", "total"] and header[-1] == "notes" and "running_statistics (2)" in header
    assert body["alice"][1] == "18" and body["bob"][1] == "0" and body["carol, jr"][1] == "16"
    assert body["carol, jr"][header.index("running_statistics (2)")] == "0"
    assert body["dave"][1] == "0" and "no .ipynb" in body["dave"][-1]
