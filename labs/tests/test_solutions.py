"""Each lab's solution notebook earns full marks; the generated student notebook scores 0 with every
test naming the stub's NotImplementedError, and the grader does not crash."""
import pytest

from conftest import LABS, failed, grade_file


@pytest.mark.parametrize("lab", LABS)
def test_solution_earns_full_marks(built, lab):
    r, verdicts = grade_file(built[lab]["solution"], built[lab]["tests"])
    assert not failed(verdicts), [t["output"] for t in r["tests"] if t["status"] == "failed"]
    assert r["score"] == sum(t["max_score"] for t in r["tests"]) > 0
    assert "Notes" not in r["output"], r["output"]  # every cell ran to its end


@pytest.mark.parametrize("lab", LABS)
def test_student_version_scores_zero_with_the_stubs_message(built, lab):
    r, verdicts = grade_file(built[lab]["student"], built[lab]["tests"])
    assert r["score"] == 0
    for t in r["tests"]:
        assert t["output"].startswith("not written yet: NotImplementedError: "), (t["name"], t["output"])


@pytest.mark.parametrize("lab", LABS)
def test_student_version_has_no_solution_and_no_hidden_test(built, lab):
    text = built[lab]["student"].read_text()
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "@test" not in text and "raise NotImplementedError" in text
    assert "@test" not in built[lab]["solution"].read_text()
    assert "@test" in built[lab]["tests"].read_text()
