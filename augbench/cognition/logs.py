"""Per-session response logs: JSON lines appended atomically as the session goes, resumable, robust to corruption.

Each trial is one JSON object on one line, written with a single ``os.write`` on a file opened with
``O_APPEND`` and then ``fsync``-ed, so a crash loses at most the trial being written and never
interleaves two records. :func:`read_log` skips a corrupt line (e.g. half a line after a power cut),
reports it with its line number, and keeps every other record. Reopening a log with
:class:`SessionLog` resumes it: trial numbering continues from the last good record.

Privacy: a log holds a pseudonymous ``participant`` code, never a name (see the notebook's "Limits
and responsible use").
"""
from __future__ import annotations

import json
import math
import os
import time
import warnings
from pathlib import Path

__all__ = ["SessionLog", "read_log", "LogProblem", "to_csv"]


class LogProblem(UserWarning):
    """A log line could not be read (reported, then skipped)."""


def _clean(v):
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def read_log(path, *, warn: bool = True):
    """Read a JSON-lines session log, skipping and reporting corrupt lines.

    Parameters
    ----------
    path : str or Path
    warn : bool
        Emit a :class:`LogProblem` warning per bad line.

    Returns
    -------
    records : list of dict
        Good records in file order.
    problems : list of str
        One message per skipped line, naming the file and the line number.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"log file {str(path)!r} does not exist")
    records, problems = [], []
    with open(path, "rb") as fh:
        for i, raw in enumerate(fh, start=1):
            line = raw.strip()
            if not line:
                continue
            try:
                rec = json.loads(line.decode("utf-8"))
                if not isinstance(rec, dict):
                    raise ValueError(f"expected a JSON object, got {type(rec).__name__}")
            except (UnicodeDecodeError, ValueError) as exc:
                msg = f"{path.name}, line {i}: skipped a corrupt record ({exc}): {line[:60]!r}"
                problems.append(msg)
                if warn:
                    warnings.warn(msg, LogProblem, stacklevel=2)
                continue
            records.append(rec)
    return records, problems


class SessionLog:
    """An append-only JSON-lines log of one session.

    Parameters
    ----------
    path : str or Path
        File to write (created with its folder if missing). If it exists the session resumes.
    session : str
        Session identifier stored in every record.
    participant : str
        Pseudonymous participant code (no names).
    task : str
        Task name stored in every record.

    Attributes
    ----------
    n_trials : int
        Trials logged so far (including those from before a resume).
    problems : list of str
        Corrupt lines found when resuming.
    """

    def __init__(self, path, *, session: str = "s1", participant: str = "anon", task: str = ""):
        self.path = Path(path)
        self.session, self.participant, self.task = str(session), str(participant), str(task)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.problems: list[str] = []
        self.records: list[dict] = []
        if self.path.exists() and self.path.stat().st_size > 0:
            self.records, self.problems = read_log(self.path, warn=False)
            # a torn last line must not swallow the next record: make sure the file ends with a newline
            with open(self.path, "rb") as fh:
                fh.seek(-1, os.SEEK_END)
                last = fh.read(1)
            if last != b"\n":
                self._write_bytes(b"\n")
        trials = [r.get("trial") for r in self.records if isinstance(r.get("trial"), int)]
        self.n_trials = max(trials) if trials else 0
        self.resumed = bool(self.records)
        """True when the file already held records when opened."""

    def _write_bytes(self, data: bytes):
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            n = os.write(fd, data)
            if n != len(data):  # pragma: no cover - disk full
                raise OSError(f"short write to {self.path}: {n} of {len(data)} bytes")
            os.fsync(fd)
        finally:
            os.close(fd)

    def append(self, **fields) -> dict:
        """Write one trial record (``trial`` numbering continues automatically); returns it."""
        self.n_trials += 1
        rec = {"trial": self.n_trials, "session": self.session, "participant": self.participant,
               "task": self.task, "time_unix_s": round(time.time(), 3)}
        rec.update({k: _clean(v) for k, v in fields.items()})
        line = json.dumps(rec, ensure_ascii=False, allow_nan=False) + "\n"
        self._write_bytes(line.encode("utf-8"))
        self.records.append(rec)
        return rec

    def frame(self):
        """All good records as a pandas DataFrame."""
        import pandas as pd
        return pd.DataFrame(self.records)


def to_csv(log_path, csv_path) -> Path:
    """Export a JSON-lines log to CSV (written to a temporary name, then renamed)."""
    import pandas as pd
    recs, _ = read_log(log_path)
    if not recs:
        raise ValueError(f"log {str(log_path)!r} holds no readable records")
    out = Path(csv_path)
    tmp = out.with_suffix(out.suffix + ".tmp")
    pd.DataFrame(recs).to_csv(tmp, index=False)
    os.replace(tmp, out)
    return out
