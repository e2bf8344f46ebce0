"""Grades a whole class: one notebook (or one folder) per student, in parallel; writes a CSV with
one row per student, the total, a column per hidden test and the notes (RFC 4180, as grade-class).

    python -m gradlab.labs grade-class SUBMISSIONS_DIR --tests hidden_tests.py --csv grades.csv [--jobs 2]
"""
import csv
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gradlab.labs import grade as grading


def students(folder):
    """(student, path) pairs: each *.ipynb directly in `folder` (named by its stem) and each subfolder."""
    folder = Path(folder)
    items = []
    for p in sorted(folder.iterdir()):
        if p.is_file() and p.suffix == ".ipynb":
            items.append((p.stem, p))
        elif p.is_dir() and not p.name.startswith("."):
            items.append((p.name, p))
    return items


def grade_class(folder, tests_path, csv_path, limits=None, jobs=None):
    """Returns (rows, seconds); each row: student, total, the tests' scores, notes."""
    tests = grading.hidden_tests(tests_path)
    entries = students(folder)
    start = time.monotonic()
    jobs = jobs or max(1, len(os.sched_getaffinity(0)))
    with ThreadPoolExecutor(jobs) as pool:  # each grading is its own child process
        results = list(pool.map(lambda e: grading.grade(e[1], tests_path, limits), entries))
    rows = []
    for (student, _), r in zip(entries, results):
        scores = {t["name"]: t["score"] for t in r["tests"]}
        notes = " | ".join(line.strip() for line in r["output"].splitlines()[2:])  # after the score and "Notes ...:"
        rows.append([student, f"{r['score']:g}"] + [f"{scores.get(name, 0):g}" for name, _, _ in tests] + [notes])
    tmp = Path(csv_path).with_name(f".{Path(csv_path).name}.tmp{os.getpid()}")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "total"] + [f"{name} ({points:g})" for name, points, _ in tests] + ["notes"])
        w.writerows(rows)
    os.replace(tmp, csv_path)
    return rows, time.monotonic() - start
