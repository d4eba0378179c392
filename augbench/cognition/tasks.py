"""Tasks as data (a difficulty parameter and a seeded trial generator) and a GUI-free session controller.

``DetectionTask``  2AFC detection of a Gabor patch in noise; difficulty = log10 contrast.
``NBackTask``      letter n-back; difficulty = n; target and lure rates controlled.
``DigitSpanTask``  forward digit span; difficulty = number of digits; answers typed or drawn
                   (drawn digits are read by the CNN in :mod:`augbench.cognition.digits`).

:class:`TaskSession` runs any of them with an adaptive procedure, times responses, writes the
response log as it goes and produces guidance text; the ipywidgets and Panel views only display it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from augbench._rng import as_generator
from augbench._validate import check_int, check_option, check_range

__all__ = ["Trial", "DetectionTask", "NBackTask", "DigitSpanTask", "TASKS", "make_task", "TaskSession",
           "image_to_png"]


@dataclass
class Trial:
    """One trial: what to show and the correct answer.

    Attributes
    ----------
    task : str
    difficulty : float
    stimulus : dict
        Task-specific description (JSON-serialisable).
    answer : str
        Correct response code.
    """

    task: str
    difficulty: float
    stimulus: dict
    answer: str
    index: int = 0


def _gabor(size: int, cycles: float, sigma_frac: float = 0.18):
    y, x = np.mgrid[0:size, 0:size] / (size - 1) - 0.5
    return np.cos(2 * np.pi * cycles * x) * np.exp(-(x ** 2 + y ** 2) / (2 * sigma_frac ** 2))


@dataclass
class DetectionTask:
    """2AFC detection: which of two noise patches holds a vertical Gabor? Difficulty = log10 Michelson contrast.

    Parameters
    ----------
    size : int
        Patch size in pixels.
    noise_sd : float
        Pixel noise SD (luminance units, mean 0.5).
    min_level, max_level : float
        Domain of the difficulty (log10 contrast).
    """

    name: str = "2afc"
    size: int = 64
    noise_sd: float = 0.12
    min_level: float = -2.5
    max_level: float = 0.0
    responses: tuple = ("1", "2")
    harder_is_lower: bool = True

    def make_trial(self, difficulty: float, random_state=None, index: int = 0) -> Trial:
        check_range("difficulty (log10 contrast)", difficulty, self.min_level, self.max_level)
        rng = as_generator(random_state)
        interval = int(rng.integers(1, 3))
        seed = int(rng.integers(2 ** 31 - 1))
        return Trial(self.name, float(difficulty), {"interval": interval, "contrast": float(10 ** difficulty),
                                                    "noise_seed": seed}, str(interval), index)

    def render(self, trial: Trial):
        """Two images (left, right), float arrays (size, size) in [0, 1]."""
        rng = np.random.default_rng(trial.stimulus["noise_seed"])
        g = 0.5 * trial.stimulus["contrast"] * _gabor(self.size, 4.0)
        imgs = []
        for k in (1, 2):
            im = 0.5 + self.noise_sd * rng.standard_normal((self.size, self.size))
            if k == trial.stimulus["interval"]:
                im = im + g
            imgs.append(np.clip(im, 0, 1))
        return imgs

    def score(self, trial: Trial, response) -> bool:
        r = str(response).strip()
        check_option("response", r, self.responses)
        return r == trial.answer


@dataclass
class NBackTask:
    """Letter n-back; each trial is one letter. Difficulty = n. Responses "match" / "nomatch"."""

    name: str = "nback"
    target_rate: float = 0.3
    lure_rate: float = 0.1
    responses: tuple = ("match", "nomatch")
    harder_is_lower: bool = False

    def make_block(self, n: int, random_state=None):
        from augbench.cognition.nback import generate_sequence
        return generate_sequence(int(n), target_rate=self.target_rate, lure_rate=self.lure_rate,
                                 random_state=random_state)

    def score(self, trial: Trial, response) -> bool:
        r = str(response).strip().lower()
        check_option("response", r, self.responses)
        return r == trial.answer


@dataclass
class DigitSpanTask:
    """Forward digit span: difficulty = number of digits (2..12); response = the digits as a string."""

    name: str = "digitspan"
    min_level: int = 2
    max_level: int = 12
    harder_is_lower: bool = False

    @property
    def responses(self):
        return ("any string of digits 0-9",)

    def make_trial(self, difficulty: float, random_state=None, index: int = 0) -> Trial:
        n = int(round(difficulty))
        check_int("difficulty (number of digits)", n, self.min_level, self.max_level)
        rng = as_generator(random_state)
        digits = "".join(str(d) for d in rng.integers(0, 10, n))
        return Trial(self.name, float(n), {"digits": digits}, digits, index)

    def score(self, trial: Trial, response) -> bool:
        r = str(response).strip().replace(" ", "")
        if not r.isdigit() or not r.isascii():
            raise ValueError(f"response={response!r} is not a string of digits 0-9")
        return r == trial.answer


TASKS = {"2afc": DetectionTask, "nback": NBackTask, "digitspan": DigitSpanTask}


def make_task(name: str, **kwargs):
    """Task by name: "2afc", "nback" or "digitspan"."""
    check_option("task", name, tuple(TASKS))
    return TASKS[name](**kwargs)


def image_to_png(img) -> bytes:
    """Encode a float image in [0, 1] (H, W) as PNG bytes (for ipywidgets.Image / Panel PNG panes)."""
    import io

    from PIL import Image
    arr = (np.clip(np.asarray(img, float), 0, 1) * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr, mode="L").resize((arr.shape[1] * 3, arr.shape[0] * 3), Image.NEAREST).save(buf, "PNG")
    return buf.getvalue()


@dataclass
class TaskSession:
    """Play a task with adaptive difficulty, timing, logging and guidance (no GUI code).

    Parameters
    ----------
    task : {"2afc", "nback", "digitspan"}
    n_trials : int
        Planned trials (for n-back: items).
    log_path : str or Path, optional
        JSON-lines log; reopening the same path resumes the session.
    lang : {"en", "zh"}
    start : float, optional
        Starting difficulty (default: easy).
    participant, session : str
        Pseudonymous ids written in the log.

    Use: ``trial = s.next_trial()`` (show it), then ``s.respond(code)``; returns a dict with
    ``correct``, ``feedback`` (text), ``level`` and ``done``. ``history`` lists the answered trials
    (``trial``, ``level`` played, ``correct``, ``rt_s``), including those resumed from the log.
    """

    task: str = "2afc"
    n_trials: int = 40
    log_path: object = None
    lang: str = "en"
    start: float | None = None
    participant: str = "anon"
    session: str = "s1"
    random_state: object = None
    clock: object = time.monotonic
    current: Trial | None = field(default=None, init=False)

    def __post_init__(self):
        from augbench.cognition.guidance import LearnerState, instructions
        from augbench.cognition.logs import SessionLog
        from augbench.cognition.nback import JaeggiNBack
        from augbench.cognition.staircase import UpDown

        self.task_ = make_task(self.task)
        check_option("lang", self.lang, ("en", "zh"))
        self.n_trials = check_int("n_trials", self.n_trials, 1)
        self._rng = as_generator(self.random_state)
        self.log = None
        done_before, level = 0, None
        self.history: list[dict] = []      # one dict per answered trial: trial, level, correct, rt_s
        if self.log_path is not None:
            self.log = SessionLog(self.log_path, session=self.session, participant=self.participant, task=self.task)
            done_before = self.log.n_trials
            self.history = [{"trial": i + 1, "level": float(r["difficulty"]), "correct": bool(r["correct"]),
                             "rt_s": r.get("rt_s")} for i, r in enumerate(self.log.records)
                            if r.get("difficulty") is not None and r.get("correct") is not None]
            lv = [r.get("next_level") for r in self.log.records if r.get("next_level") is not None]
            level = lv[-1] if lv else None
        if self.task == "2afc":
            start = self.start if self.start is not None else -0.5
            start = level if level is not None else start
            self.proc = UpDown(n_down=2, start=start, step=(0.2, 0.1, 0.05), min_level=self.task_.min_level,
                               max_level=self.task_.max_level)
        elif self.task == "digitspan":
            start = int(level if level is not None else (self.start or 3))
            # level = -span so "down after correct" makes it harder; 1-up-1-down tracks the 50 % span
            self.proc = UpDown(n_down=1, n_up=1, start=-start, step=1.0, min_level=-self.task_.max_level,
                               max_level=-self.task_.min_level, n_discard=0)
        else:
            start = int(level if level is not None else (self.start or 1))
            self.proc = JaeggiNBack(start)
            self._block = None
            self._block_pos = 0
            self._block_errors = 0
        self.state = LearnerState(level=self.level, n_total=self.n_trials, n_done=done_before)
        self.instructions = instructions(self.task, self.lang, n=int(self.level) if self.task != "2afc" else 2)
        self._shown_at = None

    @property
    def level(self) -> float:
        """Current difficulty (log10 contrast, n, or number of digits)."""
        if self.task == "2afc":
            return float(self.proc.next_stimulus())
        if self.task == "digitspan":
            return float(-self.proc.next_stimulus())
        return float(self.proc.next_level())

    @property
    def done(self) -> bool:
        return self.state.n_done >= self.n_trials

    def next_trial(self) -> Trial:
        """Draw the next trial at the current difficulty and start its response timer."""
        idx = self.state.n_done + 1
        if self.task == "nback":
            if self._block is None or self._block_pos >= len(self._block):
                self._block = self.task_.make_block(self.level, self._rng)
                self._block_pos, self._block_errors = 0, 0
            row = self._block.iloc[self._block_pos]
            self.current = Trial("nback", self.level, {"symbol": row.symbol, "position": int(row.position),
                                                       "scored": bool(row.scored), "is_lure": bool(row.is_lure)},
                                 "match" if row.is_target else "nomatch", idx)
        else:
            self.current = self.task_.make_trial(self.level, self._rng, idx)
        self._shown_at = self.clock()
        return self.current

    def respond(self, response, rt_s: float | None = None) -> dict:
        """Score ``response`` to the current trial, adapt, log and return feedback."""
        if self.current is None:
            raise RuntimeError("no trial is showing; call next_trial() first")
        trial = self.current
        correct = self.task_.score(trial, response)
        rt = float(rt_s) if rt_s is not None else (self.clock() - self._shown_at)
        if self.task == "nback":
            if trial.stimulus["scored"] and not correct:
                self._block_errors += 1
            self._block_pos += 1
            if self._block_pos >= len(self._block):
                self.proc.update(self._block_errors)
        else:
            self.proc.update(self.proc.next_stimulus(), correct)
        new_level = self.level
        self.state.record(correct, new_level, harder_is_lower=self.task_.harder_is_lower)
        from augbench.cognition.guidance import feedback
        text = feedback(self.state, self.lang)
        if self.log is not None:
            self.log.append(difficulty=trial.difficulty, stimulus=trial.stimulus, answer=trial.answer,
                            response=str(response), correct=bool(correct), rt_s=round(rt, 4), next_level=new_level)
        self.history.append({"trial": len(self.history) + 1, "level": float(trial.difficulty),
                             "correct": bool(correct), "rt_s": rt})
        self.current = None
        return {"correct": bool(correct), "feedback": text, "level": new_level, "rt_s": rt, "done": self.done}
