"""Validates a Gradescope results.json against the documented fields
(gradescope-autograders.readthedocs.io/en/latest/specs/): top-level score, execution_time, output,
visibility, stdout_visibility, tests[]; each test's name, number, score, max_score, status, output,
output_format, tags, visibility. Exits 1 naming the first field that is wrong."""
import argparse
import json
import sys

VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
STATUS = {"passed", "failed"}


def fail(msg):
    print(f"results.json: {msg}")
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--expect-score", type=float)
    a = ap.parse_args()
    with open(a.path) as f:
        r = json.load(f)
    if not isinstance(r.get("score"), (int, float)):
        fail("top-level 'score' must be a number")
    for key, kind in (("execution_time", (int, float)), ("output", str)):
        if not isinstance(r.get(key), kind):
            fail(f"top-level '{key}' missing or of the wrong type")
    for key in ("visibility", "stdout_visibility"):
        if r.get(key) not in VISIBILITY:
            fail(f"top-level '{key}' must be one of {sorted(VISIBILITY)}")
    tests = r.get("tests")
    if not isinstance(tests, list) or not tests:
        fail("'tests' must be a non-empty list")
    total = 0.0
    numbers = set()
    for t in tests:
        for key, kind in (("name", str), ("number", str), ("score", (int, float)), ("max_score", (int, float)),
                          ("output", str), ("tags", list)):
            if not isinstance(t.get(key), kind):
                fail(f"test {t.get('name')}: '{key}' missing or of the wrong type")
        if t.get("status") not in STATUS:
            fail(f"test {t['name']}: status must be passed or failed")
        if t.get("output_format") not in FORMATS:
            fail(f"test {t['name']}: output_format must be one of {sorted(FORMATS)}")
        if t.get("visibility") not in VISIBILITY:
            fail(f"test {t['name']}: visibility must be one of {sorted(VISIBILITY)}")
        if not 0 <= t["score"] <= t["max_score"] + 1e-9:
            fail(f"test {t['name']}: score {t['score']} outside [0, {t['max_score']}]")
        if t["number"] in numbers:
            fail(f"test number {t['number']} appears twice")
        numbers.add(t["number"])
        total += t["score"]
    if abs(total - r["score"]) > 1e-6:
        fail(f"score {r['score']} is not the sum of the tests' scores {total}")
    if a.expect_score is not None and abs(r["score"] - a.expect_score) > 1e-6:
        fail(f"score {r['score']}, expected {a.expect_score}")
    print(f"{a.path}: {len(tests)} tests, score {r['score']}: valid")


if __name__ == "__main__":
    main()
