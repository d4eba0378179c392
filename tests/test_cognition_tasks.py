"""Tasks, sessions with logging/resume, guidance text in English and Chinese."""
import numpy as np
import pytest

from augbench.cognition.guidance import LearnerState, feedback, instructions
from augbench.cognition.tasks import DetectionTask, DigitSpanTask, TaskSession, image_to_png


def test_detection_trial_is_seeded_and_renders_signal_side():
    t = DetectionTask()
    a = t.make_trial(-0.3, random_state=1)
    b = t.make_trial(-0.3, random_state=1)
    assert a == b
    left, right = t.render(a)
    g = a.stimulus["interval"]
    sig, noise = (left, right) if g == 1 else (right, left)
    from augbench.cognition.tasks import _gabor
    tmpl = _gabor(t.size, 4.0)
    assert (sig - 0.5).ravel() @ tmpl.ravel() > (noise - 0.5).ravel() @ tmpl.ravel()
    assert image_to_png(left)[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="response='3'"):
        t.score(a, "3")
    with pytest.raises(ValueError, match="difficulty"):
        t.make_trial(1.5)


def test_digit_span_scoring():
    t = DigitSpanTask()
    tr = t.make_trial(5, random_state=0)
    assert len(tr.answer) == 5 and t.score(tr, tr.answer)
    with pytest.raises(ValueError, match="not a string of digits"):
        t.score(tr, "12a45")


@pytest.mark.parametrize("task", ["2afc", "nback", "digitspan"])
def test_session_plays_logs_and_resumes(task, tmp_path):
    p = tmp_path / f"{task}.jsonl"
    s = TaskSession(task, n_trials=30, log_path=p, random_state=0)
    for i in range(30):
        tr = s.next_trial()
        out = s.respond(tr.answer, rt_s=0.4)
        assert out["correct"]
    assert out["done"]
    assert s.state.accuracy == 1.0
    # all correct: harder than at the start
    if task == "2afc":
        assert out["level"] < -0.5
    else:
        assert out["level"] > 1
    assert [h["trial"] for h in s.history] == list(range(1, 31)) and all(h["correct"] for h in s.history)
    s2 = TaskSession(task, n_trials=40, log_path=p, random_state=1)
    assert s2.log.n_trials == 30 and s2.level == pytest.approx(out["level"])
    assert [h["level"] for h in s2.history] == pytest.approx([h["level"] for h in s.history])   # track resumes
    tr = s2.next_trial()
    s2.respond(tr.answer)
    assert s2.log.records[-1]["trial"] == 31
    with pytest.raises(RuntimeError, match="next_trial"):
        s2.respond("1")


def test_guidance_languages_and_state():
    assert "stripes" in instructions("2afc", "en")
    assert "条纹" in instructions("2afc", "zh")
    assert "3 steps back" in instructions("nback", "en", n=3)
    st = LearnerState(level=0.0, n_total=10)
    for _ in range(3):
        st.record(True, st.level - 0.1)
    en, zh = feedback(st, "en"), feedback(st, "zh")
    assert "3 in a row" in en and "harder" in en and "3/10" in en
    assert "连续答对 3 次" in zh and "更难" in zh
    st.record(False, st.level + 0.1)
    st.record(False, st.level + 0.1)
    assert "easier" in feedback(st, "en")
    with pytest.raises(ValueError, match="lang"):
        feedback(st, "fr")


def test_exgauss_fit_recovers_parameters_and_session_summary(tmp_path):
    from augbench.cognition.evaluation import fit_exgauss, sample_exgauss, session_summary
    rt = sample_exgauss(0.45, 0.05, 0.15, 4000, random_state=0)
    f = fit_exgauss(rt)
    assert f["mu"] == pytest.approx(0.45, abs=0.02)
    assert f["sigma"] == pytest.approx(0.05, abs=0.015)
    assert f["tau"] == pytest.approx(0.15, abs=0.02)
    with pytest.raises(ValueError, match="at least 10"):
        fit_exgauss([0.3, 0.4])
    s = TaskSession("nback", n_trials=25, log_path=tmp_path / "n.jsonl", random_state=0)
    for i in range(25):
        tr = s.next_trial()
        s.respond(tr.answer if i % 5 else ("nomatch" if tr.answer == "match" else "match"), rt_s=0.5)
    summ = session_summary(s.log.records)
    assert summ["n_trials"] == 25 and summ["accuracy"] == pytest.approx(0.8)
    assert summ["dprime"] > 0 and summ["rt_median_s"] == pytest.approx(0.5)
