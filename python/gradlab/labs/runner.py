"""The child process that runs one submission (started by grade.py, never by hand):

    python -m gradlab.labs.runner NOTEBOOK TESTS PROGRESS CONFIG_JSON

It executes the notebook's code cells one at a time in one namespace (each under a time limit: an
alarm raises CellTimeout), then runs each hidden test against that namespace (each under a time
limit). Every step is appended to PROGRESS as a JSON line *before* and *after* it runs, so that if
this process dies (a crash in native code, the memory or time limit) the parent knows where, skips
that cell or fails that test, and starts a new runner for the rest.
"""
import io
import json
import os
import re
import resource
import signal
import sys
import time
import traceback

OUTPUT_LIMIT = 20000  # characters of a cell's stdout kept for the report


class CellTimeout(BaseException):
    """Raised by the alarm inside a cell or a test that ran past its time limit."""


class _Bounded(io.TextIOBase):
    def __init__(self):
        self.parts, self.size = [], 0

    def write(self, s):
        if self.size < OUTPUT_LIMIT:
            self.parts.append(s[:OUTPUT_LIMIT - self.size])
        self.size += len(s)
        return len(s)

    def text(self):
        return "".join(self.parts)


def code_cells(path):
    """The notebook's code cells as strings; IPython magics and shell lines (% and !) become `pass`."""
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    cells = []
    for c in nb.get("cells", []):
        if c.get("cell_type") != "code":
            continue
        text = c.get("source", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        cells.append(re.sub(r"(?m)^(\s*)[%!].*$", r"\1pass  # (magic removed by the grader)", text))
    return cells


def one_line(exc):
    text = f"{type(exc).__name__}: {exc}".strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def _alarm(seconds):
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.01))


def _raise_timeout(signum, frame):
    raise CellTimeout()


def main(notebook, tests, progress, config):
    cfg = json.loads(config)
    if cfg.get("memory_mb"):
        limit = int(cfg["memory_mb"]) << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGALRM, _raise_timeout)
    log = open(progress, "a", buffering=1, encoding="utf-8")

    def record(**kw):
        kw["t"] = time.time()  # the parent's watchdog reads how long a cell or test has run
        log.write(json.dumps(kw) + "\n")
        log.flush()

    skip, done = cfg.get("skip_cells", {}), set(cfg.get("done_tests", []))
    ns = {"__name__": "__main__", "display": print}
    errors = []
    stdout, stderr = sys.stdout, sys.stderr
    try:
        cells = code_cells(notebook)
    except Exception as exc:  # not JSON, not a notebook: no student code at all
        record(event="notebook", error=f"the notebook could not be read: {one_line(exc)}")
        cells = []
    for i, text in enumerate(cells, 1):
        if str(i) in skip:
            errors.append((i, skip[str(i)]))
            continue
        record(event="cell_start", cell=i)
        out = _Bounded()
        sys.stdout = sys.stderr = out
        err = None
        start = time.monotonic()
        try:
            code = compile(text, f"<cell {i}>", "exec")
            _alarm(cfg["cell_seconds"])
            try:
                exec(code, ns)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except CellTimeout:
            err = f"stopped after {cfg['cell_seconds']:g} s (the time limit of a cell): an endless loop?"
        except MemoryError:
            err = f"MemoryError: the cell needed more than the memory limit ({cfg.get('memory_mb')} MB)"
        except BaseException as exc:  # SyntaxError, SystemExit, KeyboardInterrupt: all stay in this cell
            err = one_line(exc)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.stdout, sys.stderr = stdout, stderr
        if err:
            errors.append((i, err))
        record(event="cell_end", cell=i, error=err, seconds=round(time.monotonic() - start, 3))

    # Fresh copies of the checks for the hidden tests: a notebook that patched them (say,
    # gradlab.labs.checks.compare = a no-op) patched only the copies it imported.
    for name in [m for m in sys.modules if m.startswith("gradlab.labs.")]:
        del sys.modules[name]
    from gradlab.labs import hidden
    hidden.REGISTRY.clear()
    tests_ns = {"__name__": "hidden_tests"}
    exec(compile(open(tests, encoding="utf-8").read(), tests, "exec"), tests_ns)
    nb = hidden.Notebook(ns, errors)
    for t in hidden.REGISTRY:
        if t["name"] in done:
            continue
        record(event="test_start", test=t["name"])
        sys.stdout = sys.stderr = _Bounded()
        start = time.monotonic()
        try:
            _alarm(cfg["test_seconds"])
            try:
                t["fn"](nb)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            ok, msg = True, "passed"
        except CellTimeout:
            ok, msg = False, f"your code ran past this test's time limit ({cfg['test_seconds']:g} s)"
        except MemoryError:
            ok, msg = False, f"your code needed more than the memory limit ({cfg.get('memory_mb')} MB)"
        except NotImplementedError as exc:
            ok, msg = False, f"not written yet: NotImplementedError: {exc}"
        except AssertionError as exc:  # LabCheckError: a diagnosis in the student's terms
            ok, msg = False, str(exc) or "a check failed"
        except BaseException as exc:
            tb = traceback.extract_tb(exc.__traceback__)
            where = next((f" (in your {f.name}, {f.filename} line {f.lineno})" for f in reversed(tb)
                          if f.filename.startswith("<cell")), "")
            ok, msg = False, f"{one_line(exc)}{where}"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.stdout, sys.stderr = stdout, stderr
        record(event="test_end", test=t["name"], ok=ok, message=msg, seconds=round(time.monotonic() - start, 3))
    record(event="finished")
    log.close()
    os._exit(0)  # no interpreter teardown: a student's objects cannot hang or crash the exit


if __name__ == "__main__":
    main(*sys.argv[1:5])
