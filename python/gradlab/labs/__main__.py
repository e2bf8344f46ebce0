"""python -m gradlab.labs build|grade|grade-class: the lab tools (see labs/README.md).

  build LAB.py --out DIR                      student and solution notebooks, hidden tests, autograder.zip
  grade NOTEBOOK|FOLDER --tests T --results results.json   one submission -> Gradescope results.json
  grade-class FOLDER --tests T --csv grades.csv            a class -> CSV (one row per student)
"""
import argparse
import sys

from gradlab.labs import assemble, grade, grade_class


def _limits(ap):
    ap.add_argument("--memory-mb", type=int, default=grade.DEFAULTS["memory_mb"], help="address-space limit")
    ap.add_argument("--cell-seconds", type=float, default=grade.DEFAULTS["cell_seconds"], help="per cell")
    ap.add_argument("--test-seconds", type=float, default=grade.DEFAULTS["test_seconds"], help="per hidden test")
    ap.add_argument("--total-seconds", type=float, default=grade.DEFAULTS["total_seconds"], help="per submission")


def _limits_of(a):
    return {"memory_mb": a.memory_mb, "cell_seconds": a.cell_seconds, "test_seconds": a.test_seconds,
            "total_seconds": a.total_seconds}


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m gradlab.labs", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="a lab source -> student/solution notebooks, hidden tests, autograder zip")
    b.add_argument("lab")
    b.add_argument("--out", required=True)
    b.add_argument("--repo", help="the gradlab clone whose source goes into the zip (default: above the lab)")
    b.add_argument("--no-zip", action="store_true")
    g = sub.add_parser("grade", help="one notebook (or submission folder) -> results.json")
    g.add_argument("submission")
    g.add_argument("--tests", required=True)
    g.add_argument("--results", default="results.json")
    _limits(g)
    c = sub.add_parser("grade-class", help="a folder of notebooks or student folders -> CSV")
    c.add_argument("folder")
    c.add_argument("--tests", required=True)
    c.add_argument("--csv", default="grades.csv")
    c.add_argument("--jobs", type=int)
    _limits(c)
    a = ap.parse_args(argv)
    if a.cmd == "build":
        paths = assemble.build(a.lab, a.out, repo=a.repo, zip_autograder=not a.no_zip)
        for kind, path in paths.items():
            print(f"{kind:8} {path}")
        return 0
    if a.cmd == "grade":
        try:
            r = grade.grade(a.submission, a.tests, _limits_of(a))
        except Exception as exc:  # the tests file itself is broken: still a valid results.json
            r = grade.gradescope([], {}, [f"the autograder failed: {type(exc).__name__}: {exc}"], 0.0, a.submission)
        grade.write_json(a.results, r)
        print(r["output"])
        for t in r["tests"]:
            print(f"  {t['score']:g}/{t['max_score']:g}  {t['name']}: {t['output'].splitlines()[0] if t['output'] else ''}")
        print(f"graded in {r['execution_time']:.2f} s; wrote {a.results}")
        return 0
    rows, seconds = grade_class.grade_class(a.folder, a.tests, a.csv, _limits_of(a), a.jobs)
    print(f"graded {len(rows)} submissions in {seconds:.1f} s; grades in {a.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
