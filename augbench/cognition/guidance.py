"""Guidance in words: instructions and feedback built from the task and the player's current state (English, Chinese).

The seed essay says an NLP system "guides the user through the task". What a trainer needs is
short, accurate, state-dependent text; templates filled from the state do that transparently and
cannot invent facts, so that is what this module does (no language model).
"""
from __future__ import annotations

from dataclasses import dataclass

from augbench._validate import check_option

__all__ = ["LANGS", "LearnerState", "instructions", "feedback"]

LANGS = ("en", "zh")

_INSTR = {
    "2afc": {
        "en": ("Two noisy patches appear. One of them holds a faint striped pattern. Press 1 (left) or 2 (right) "
               "for the patch with the stripes. When unsure, guess: every answer counts. The stripes get fainter "
               "as you improve."),
        "zh": "屏幕上出现两块噪声图，其中一块含有微弱的条纹。请按 1（左）或 2（右）选出有条纹的那一块。不确定时请猜一个：每次回答都有效。你越熟练，条纹就越淡。",
    },
    "nback": {
        "en": ("Letters appear one at a time. Press 'match' when the letter is the same as the one {n} "
               "step{s} back, otherwise press 'no match'. Level {n} now; three or fewer slips per block move you up."),
        "zh": "字母逐个出现。如果当前字母与 {n} 个之前的字母相同，请按“匹配”，否则按“不匹配”。当前难度为 {n}；每组错误少于 3 个即可升级。",
    },
    "digitspan": {
        "en": ("A row of {n} digits is shown briefly. Then type (or draw) them in the same order. "
               "The row grows by one after a correct answer and shrinks by one after a miss."),
        "zh": "屏幕上会短暂显示 {n} 个数字。随后请按相同顺序输入（或手写）这些数字。答对后数字串加长一位，答错则缩短一位。",
    },
}


@dataclass
class LearnerState:
    """What feedback is generated from.

    Attributes
    ----------
    level : float
        Current difficulty (stimulus level, n, or span).
    streak : int
        Run of correct (> 0) or wrong (< 0) answers.
    n_done, n_total : int
        Trials done and planned.
    n_correct : int
        Correct answers so far.
    level_change : int
        +1 harder, -1 easier, 0 unchanged after the last answer.
    last_correct : bool or None
        Outcome of the last answer.
    """

    level: float = 0.0
    streak: int = 0
    n_done: int = 0
    n_total: int = 0
    n_correct: int = 0
    level_change: int = 0
    last_correct: bool | None = None

    def record(self, correct: bool, new_level: float, harder_is_lower: bool = True) -> "LearnerState":
        """Update with an answer and the procedure's new level (lower is harder by default)."""
        change = new_level - self.level
        self.level_change = 0 if abs(change) < 1e-12 else (1 if (change < 0) == harder_is_lower else -1)
        self.level = new_level
        self.n_done += 1
        self.n_correct += bool(correct)
        self.streak = (max(self.streak, 0) + 1) if correct else (min(self.streak, 0) - 1)
        self.last_correct = bool(correct)
        return self

    @property
    def accuracy(self) -> float:
        return self.n_correct / self.n_done if self.n_done else float("nan")


def instructions(task: str, lang: str = "en", **fields) -> str:
    """Instructions for ``task`` ("2afc", "nback", "digitspan") in ``lang`` ("en", "zh"), filled with ``fields``."""
    check_option("task", task, tuple(_INSTR))
    check_option("lang", lang, LANGS)
    n = fields.get("n", 2)
    return _INSTR[task][lang].format(n=n, s="" if n == 1 else "s")


def feedback(state: LearnerState, lang: str = "en") -> str:
    """One or two sentences of feedback from the current state (outcome, streak, level change, progress)."""
    check_option("lang", lang, LANGS)
    en, zh = [], []
    if state.last_correct is True:
        en.append("Correct.")
        zh.append("回答正确。")
    elif state.last_correct is False:
        en.append("Not this time.")
        zh.append("这次没答对。")
    if state.streak >= 3:
        en.append(f"{state.streak} in a row!")
        zh.append(f"已连续答对 {state.streak} 次！")
    elif state.streak <= -2:
        en.append("Take a breath; it gets easier now.")
        zh.append("深呼吸，接下来会变容易一些。")
    if state.level_change > 0:
        en.append("Next one is harder.")
        zh.append("下一题更难。")
    elif state.level_change < 0:
        en.append("Next one is a little easier.")
        zh.append("下一题稍微容易一些。")
    if state.n_total:
        left = max(state.n_total - state.n_done, 0)
        en.append(f"{state.n_done}/{state.n_total} done, {left} to go"
                  + (f" (accuracy {state.accuracy:.0%})." if state.n_done else "."))
        zh.append(f"已完成 {state.n_done}/{state.n_total}，还剩 {left} 题"
                  + (f"（正确率 {state.accuracy:.0%}）。" if state.n_done else "。"))
        if left == 0:
            en.append("Session complete - well done.")
            zh.append("本轮训练完成，做得好。")
    return " ".join(en) if lang == "en" else "".join(zh)
