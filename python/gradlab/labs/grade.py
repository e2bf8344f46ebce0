"""Grades one submitted notebook against a lab's hidden tests and writes Gradescope's results.json.

The notebook runs in a child process (runner.py) with a memory limit (RLIMIT_AS), a time limit per
cell and per test, a time limit for the whole submission, and a fresh working folder. Whatever the
student's code does (a syntax error, an exception, an endless loop, exhausting memory, a crash in
native code), only the tests that need that code fail: a runner that dies is restarted with the
offending cell skipped (or the offending test failed), and results.json is always written.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULTS = {"memory_mb": 3072, "cell_seconds": 60.0, "test_seconds": 60.0, "total_seconds": 300.0}
MAX_RUNS = 4
GRACE = 3.0  # seconds a cell or test may run past its alarm before the runner is killed


def hidden_tests(tests_path):
    """The (name, points, visibility) of each hidden test, read in this process (instructor's code)."""
    from gradlab.labs import hidden
    hidden.REGISTRY.clear()
    exec(compile(Path(tests_path).read_text(encoding="utf-8"), str(tests_path), "exec"), {"__name__": "hidden_tests"})
    tests = [(t["name"], t["points"], t["visibility"]) for t in hidden.REGISTRY]
    hidden.REGISTRY.clear()
    return tests


def _events(path):
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    out = []
    for ln in lines:
        try:
            out.append(json.loads(ln))
        except ValueError:
            pass  # a line cut short by a kill
    return out


def _limit_child():
    os.setsid()  # its own process group: a timeout kills everything it started


def run_submission(notebook, tests_path, limits):
    """Runs the runner as often as needed; returns ({test: (ok, message)}, [cell notes], seconds)."""
    work = Path(tempfile.mkdtemp(prefix="gradlab-lab-"))
    shutil.copy(notebook, work / "submission.ipynb")
    progress = work / "progress.jsonl"
    results, skip, notes = {}, {}, []
    start = time.monotonic()
    env = dict(os.environ, MPLBACKEND="Agg", OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"),
               PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    try:
        for _ in range(MAX_RUNS):
            left = limits["total_seconds"] - (time.monotonic() - start)
            if left <= 1:
                notes.append(f"the grader stopped after {limits['total_seconds']:g} s (the submission's time limit)")
                break
            progress.write_text("")
            cfg = dict(limits, skip_cells=skip, done_tests=sorted(results))
            cwd = work / "cwd"
            shutil.rmtree(cwd, ignore_errors=True)
            cwd.mkdir()
            with open(work / "stderr.txt", "w+b") as err:
                proc = subprocess.Popen([sys.executable, "-m", "gradlab.labs.runner", str(work / "submission.ipynb"),
                                         str(Path(tests_path).resolve()), str(progress), json.dumps(cfg)],
                                        cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=err, preexec_fn=_limit_child)
                why = _watch(proc, progress, limits, start + limits["total_seconds"])
                err.seek(0)
                tail = err.read().decode(errors="replace")[-200:].strip()
            if why is None:
                why = f"the Python process died ({_status(proc.returncode)}{': ' + tail if tail else ''})"
            events = _events(progress)
            current = None
            for e in events:
                if e["event"] == "cell_start":
                    current = ("cell", e["cell"])
                elif e["event"] == "test_start":
                    current = ("test", e["test"])
                elif e["event"] == "cell_end":
                    current = None
                    if e.get("error"):
                        notes.append(f"code cell {e['cell']}: {e['error']}")
                elif e["event"] == "test_end":
                    current = None
                    results[e["test"]] = (e["ok"], e["message"])
                elif e["event"] == "notebook":
                    notes.append(e["error"])
            if events and events[-1]["event"] == "finished":
                break
            if current is None:  # died outside any cell or test (reading the tests): nothing to skip
                notes.append(f"the grader's runner failed: {why}")
                break
            if current[0] == "cell":
                skip[str(current[1])] = f"skipped: {why}"
                notes.append(f"code cell {current[1]}: {why}; graded again without it")
            else:
                results[current[1]] = (False, f"this test's run of your code {why}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results, notes, time.monotonic() - start


def _watch(proc, progress, limits, deadline):
    """Waits for the runner; kills its process group when the submission's time is up or when one cell
    or test has run GRACE seconds past its own limit (student code that swallows the alarm). Returns why
    it killed, or None when the runner ended by itself."""
    why = None
    while proc.poll() is None:
        now = time.monotonic()
        if now > deadline:
            why = f"stopped at the submission's time limit ({limits['total_seconds']:g} s)"
        else:
            events = _events(progress)
            last = events[-1] if events else None
            if last and last["event"] in ("cell_start", "test_start"):
                limit = limits["cell_seconds" if last["event"] == "cell_start" else "test_seconds"]
                if time.time() - last["t"] > limit + GRACE:
                    why = f"killed {limit + GRACE:g} s into it (its time limit is {limit:g} s and the alarm was ignored)"
        if why:
            break
        try:
            proc.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # also whatever the student's code started
    except OSError:
        pass
    proc.wait()
    return why


def _status(rc):
    if rc is not None and rc < 0:
        try:
            return f"signal {signal.Signals(-rc).name}"
        except ValueError:
            return f"signal {-rc}"
    return f"exit status {rc}"


def gradescope(tests, results, notes, seconds, notebook_name, missing="not run: the grader's time ran out before this test"):
    """results.json in Gradescope's format: one entry per hidden test, its points, and why it failed."""
    entries, total = [], 0.0
    for number, (name, points, visibility) in enumerate(tests, 1):
        ok, msg = results.get(name, (False, missing))
        score = points if ok else 0.0
        total += score
        entries.append({"name": name, "number": str(number), "score": score, "max_score": points,
                        "status": "passed" if ok else "failed", "output": msg, "output_format": "text",
                        "tags": [], "visibility": visibility})
    if not entries:
        entries.append({"name": "no tests", "number": "1", "score": 0.0, "max_score": 0.0, "status": "failed",
                        "output": "the lab's hidden tests define no @test", "output_format": "text", "tags": [],
                        "visibility": "visible"})
    head = f"{notebook_name}: {total:g} / {sum(t[1] for t in tests):g} points"
    output = "\n".join([head] + (["Notes on your notebook:"] + [f"  {n}" for n in notes] if notes else []))
    return {"score": total, "execution_time": round(seconds, 3), "output": output, "visibility": "visible",
            "stdout_visibility": "hidden", "tests": entries}


def find_notebook(path):
    """A notebook file, or the one .ipynb in a submission folder (the largest if several; None if none)."""
    path = Path(path)
    if path.is_file():
        return path
    found = sorted((p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts and p.is_file()),
                   key=lambda p: -p.stat().st_size) if path.is_dir() else []
    return found[0] if found else None


def grade(submission, tests_path, limits=None):
    """Grades a notebook (or a submission folder); returns the results.json dict. Never raises for the student."""
    limits = dict(DEFAULTS, **(limits or {}))
    tests = hidden_tests(tests_path)
    notebook = find_notebook(submission)
    if notebook is None:
        return gradescope(tests, {}, [f"no .ipynb notebook found in {submission}"], 0.0, str(submission),
                          missing="not graded: no notebook was submitted")
    results, notes, seconds = run_submission(notebook, tests_path, limits)
    results = {k: v for k, v in results.items()}
    for name, _, _ in tests:
        results.setdefault(name, (False, "not run: " + (notes[-1] if notes else "the runner stopped early")))
    return gradescope(tests, results, notes, seconds, notebook.name)


def write_json(path, data):
    """Writes through a temporary file in the same folder, renamed into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".results.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)
