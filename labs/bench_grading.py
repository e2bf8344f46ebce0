"""Benchmark (not a test): the time to grade one submission of each lab, and a class of 100
(half solutions, half untouched student versions) with grade-class.

    PYTHONPATH=build/python python3 labs/bench_grading.py [--class-size 100] [--jobs 2]
"""
import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from gradlab.labs import assemble, grade, grade_class

LABS = ["lab1_autograd", "lab2_conv_matrix", "lab3_batchnorm", "lab4_resnet"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--class-size", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=max(1, len(os.sched_getaffinity(0))))
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    here = Path(__file__).resolve().parent
    work = Path(tempfile.mkdtemp(prefix="lab-bench-"))
    try:
        print(f"{'lab':18} {'one submission (median of %d)' % a.repeats:>32} {'class of %d, %d jobs' % (a.class_size, a.jobs):>24}")
        for lab in LABS:
            paths = assemble.build(here / f"{lab}.py", work / lab, zip_autograder=False)
            one = []
            for _ in range(a.repeats):
                start = time.monotonic()
                r = grade.grade(paths["solution"], paths["tests"])
                one.append(time.monotonic() - start)
                assert r["score"] == sum(t["max_score"] for t in r["tests"])
            cls = work / lab / "class"
            cls.mkdir()
            for i in range(a.class_size):
                shutil.copy(paths["solution" if i % 2 == 0 else "student"], cls / f"s{i:03d}.ipynb")
            rows, seconds = grade_class.grade_class(cls, paths["tests"], work / lab / "grades.csv", jobs=a.jobs)
            print(f"{lab:18} {statistics.median(one):31.2f}s {seconds:23.1f}s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
