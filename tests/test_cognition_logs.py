"""Response logs: atomic JSON-lines appends, resume, corrupt lines skipped without losing the rest."""
import json

import pytest

from augbench.cognition.logs import LogProblem, SessionLog, read_log, to_csv


def test_append_and_resume_continue_numbering(tmp_path):
    p = tmp_path / "sub" / "s.jsonl"
    log = SessionLog(p, session="a", participant="P01", task="2afc")
    for i in range(3):
        log.append(stimulus=i, correct=True, rt_s=0.5)
    assert not log.resumed
    again = SessionLog(p, session="a")
    assert again.resumed and again.n_trials == 3
    rec = again.append(stimulus=9, correct=False)
    assert rec["trial"] == 4
    recs, problems = read_log(p)
    assert [r["trial"] for r in recs] == [1, 2, 3, 4] and not problems


def test_corrupt_line_is_reported_and_skipped(tmp_path):
    p = tmp_path / "s.jsonl"
    log = SessionLog(p)
    log.append(x=1)
    log.append(x=2)
    with open(p, "ab") as fh:
        fh.write(b'{"trial": 3, "x": \n')            # torn record
        fh.write(b"\xff\xfe garbage\n")
        fh.write(json.dumps({"trial": 5, "x": 5}).encode() + b"\n")
        fh.write(b'[1, 2]\n')
        fh.write(b'{"trial": 6, "x"')                 # torn last line without newline
    with pytest.warns(LogProblem, match="line 3"):
        recs, problems = read_log(p)
    assert [r["x"] for r in recs] == [1, 2, 5]
    assert len(problems) == 4 and all("s.jsonl, line" in m for m in problems)
    resumed = SessionLog(p)
    assert resumed.n_trials == 5 and len(resumed.problems) == 4
    resumed.append(x=7)                                # must not be glued to the torn line
    recs, _ = read_log(p, warn=False)
    assert recs[-1]["x"] == 7 and recs[-1]["trial"] == 6


def test_empty_and_missing_logs(tmp_path):
    p = tmp_path / "empty.jsonl"
    p.write_text("")
    assert read_log(p) == ([], [])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_log(tmp_path / "nope.jsonl")
    with pytest.raises(ValueError, match="no readable records"):
        to_csv(p, tmp_path / "x.csv")


def test_csv_export(tmp_path):
    log = SessionLog(tmp_path / "s.jsonl")
    log.append(stimulus=0.1, correct=True, rt_s=float("nan"))
    out = to_csv(tmp_path / "s.jsonl", tmp_path / "s.csv")
    text = out.read_text()
    assert "stimulus" in text and "correct" in text
