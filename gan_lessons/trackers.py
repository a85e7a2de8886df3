"""Measuring a run while it trains, with one protocol and one table: a `Tracker` is a callback of the engine's
loop that writes rows to the history's evaluation table (`history["evals"]`: a "step" column and one column
per measurement). `FIDTracker` (06_evaluating) measures FID; `DiagnosticsTracker` (08_training_pitfalls) adds
class coverage, recall, precision and G's gradient norm; `diagnose` reads any history and says in words what
is wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from .feature_net import LeNet, lenet_features, load_feature_net
from .metrics import MIN_FID_SAMPLES, FeatureStats, evaluate_features, feature_stats, fid
from .validate import positive_int

__all__ = [
    "KL_COLLAPSE",
    "eval_table",
    "log_eval",
    "upgrade_history",
    "Tracker",
    "FIDTracker",
    "DiagnosticsTracker",
    "Diagnosis",
    "diagnose",
]

#: KL to uniform (nats) above which `diagnose` calls the class mix collapsed, even with more than 3 digits
#: covered: 0.5 nats leaves about 6 digits' worth of variety (exp(log 10 - 0.5)). In 08's runs over seeds
#: 0-4 the collapsing setting ended at 0.66-2.3 nats with 1-5 digits covered, the default at 0.16-0.38.
KL_COLLAPSE = 0.5

_PR_K = 3  # the k of precision_recall_from_features: each set needs more than k samples
_MIN_SAMPLES = _PR_K + 1


# ----------------------------------------------------------------------------------------------
# The history's evaluation table: one row per measurement, one step column
# ----------------------------------------------------------------------------------------------
EVALS = "evals"


def eval_table(history: dict) -> dict[str, list]:
    """The history's evaluation table, history["evals"]: a dict of equal-length columns, "step" first, one row
    per measurement; a column that a row did not measure holds NaN there. Empty when nothing was measured."""
    return history.get(EVALS) or {"step": []}


def log_eval(history: dict, step: int, values: dict[str, float]) -> None:
    """Write `values` into the evaluation row of `step` (a new row, or the last one if it is the same step)."""
    table = history.setdefault(EVALS, {"step": []})
    if not table["step"] or table["step"][-1] != step:
        table["step"].append(step)
        for column, cells in table.items():
            if column != "step":
                cells.append(math.nan)
    rows = len(table["step"])
    for column, value in values.items():
        table.setdefault(column, [math.nan] * rows)[-1] = value


# The columns of the two trackers before the evaluation table (checkpoints still hold them).
_OLD_EVAL_COLUMNS = ("fid", "num_covered", "kl_to_uniform", "recall", "precision")


def upgrade_history(history: dict) -> dict:
    """A history written before the evaluation table (FIDTracker's fid_steps, DiagnosticsTracker's eval_steps,
    both appending to one "fid" list), with those columns moved into history["evals"], rows in step order;
    other histories unchanged. If the old "fid" list does not have one value per old row, FID is left out
    (NaN) rather than credited to the wrong step."""
    fid_steps, eval_steps = history.pop("fid_steps", None), history.pop("eval_steps", None)
    if fid_steps is None and eval_steps is None:
        return history
    columns = {c: history.pop(c) for c in _OLD_EVAL_COLUMNS if c in history}
    rows = sorted(
        [(step, None) for step in fid_steps or []] + [(step, i) for i, step in enumerate(eval_steps or [])],
        key=lambda row: row[0],
    )
    fids = columns.pop("fid", [])
    if len(fids) != len(rows):
        fids = [math.nan] * len(rows)
    for fid_value, (step, i) in zip(fids, rows):
        values = {"fid": fid_value}
        if i is not None:  # a DiagnosticsTracker row: its other columns too
            values |= {c: v[i] for c, v in columns.items()}
        log_eval(history, step, values)
    return history


# ----------------------------------------------------------------------------------------------
# Trackers: callbacks of the engine's loop that measure the run while it trains
# ----------------------------------------------------------------------------------------------
class Tracker:
    """The one protocol of everything that measures during training. Introduced in 06_evaluating.

    A tracker is a callback of `train` (`on_step=`; the engine calls it after every step with the run). Every
    `every` steps it draws `n` images from fixed noise (`seed`) and writes one row of the history's evaluation
    table (`history["evals"]`, see `eval_table`) with what `measure` returns; `record(run)` measures now (once
    per step: a second call at the same step returns the row already written). A subclass defines `columns`
    and `measure(fake)`, and may measure every step in `after_step(run)`."""

    columns: tuple[str, ...] = ()

    def __init__(self, every: int, n: int, seed: int, net: LeNet | None):
        self.net = net if net is not None else load_feature_net()
        self.every, self.n, self.seed = every, n, seed
        self._z: torch.Tensor | None = None
        self._recorded: tuple[int, int] | None = None  # (which history, which step) this tracker last wrote

    def __call__(self, run) -> None:
        self.after_step(run)
        if run.step % self.every == 0:
            self.record(run)

    def after_step(self, run) -> None:
        """Called after every step, before a measurement falls due (nothing by default)."""

    def measure(self, fake: torch.Tensor) -> dict[str, float]:
        raise NotImplementedError

    def _samples(self, run) -> torch.Tensor:
        latent_dim = run.config.latent_dim
        if self._z is None or self._z.shape[1] != latent_dim:
            self._z = torch.randn(self.n, latent_dim, generator=torch.Generator().manual_seed(self.seed))
        return torch.cat([run.sample(z=z) for z in self._z.split(1000)])

    def record(self, run) -> dict[str, float]:
        """Measure now and write the row of this step; returns its values."""
        table = eval_table(run.history)
        if self._recorded == (id(run.history), run.step) and table["step"][-1:] == [run.step]:
            return {c: table[c][-1] for c in self.columns}  # this tracker measured this step already
        values = self.measure(self._samples(run))
        log_eval(run.history, run.step, values)
        self._recorded = (id(run.history), run.step)
        return values


class FIDTracker(Tracker):
    """FID of `n` samples from fixed noise every `every` steps, in history["evals"]["fid"]. Introduced in
    06_evaluating.

        tracker = FIDTracker(data, every=200, n=1000)
        train(run, data, num_epochs, on_step=tracker)
        tracker.record(run)  # also at the very end
    """

    columns = ("fid",)

    def __init__(
        self, real, every: int = 500, n: int = MIN_FID_SAMPLES, seed: int = 0, net: LeNet | None = None
    ):
        positive_int("every (steps between FID measurements)", every)
        if not isinstance(n, int) or isinstance(n, bool) or n < 2:
            raise ValueError(f"n (samples per FID) must be an integer >= 2; got {n!r}.")
        super().__init__(every, n, seed, net)
        self.reference = (
            real if isinstance(real, FeatureStats) else feature_stats(real, self.net, name="real")
        )

    def measure(self, fake: torch.Tensor) -> dict[str, float]:
        return {"fid": fid(self.reference, feature_stats(fake, self.net, name="fake"), self.net)}

    def record(self, run) -> float:
        """Measure FID now (once per step) and write it to the run's evaluation table; returns it."""
        return super().record(run)["fid"]


class DiagnosticsTracker(Tracker):
    """What the losses hide (08_training_pitfalls): G's gradient norm after every step (history["g_grad_norm"],
    one per step), and every `every` steps FID, class coverage, KL to uniform, recall and precision of `n`
    samples from fixed noise (columns of history["evals"]). Introduced in 08_training_pitfalls."""

    columns = ("fid", "num_covered", "kl_to_uniform", "recall", "precision")

    def __init__(
        self, real, every: int = 100, n: int = MIN_FID_SAMPLES, seed: int = 0, net: LeNet | None = None
    ):
        positive_int("every (steps between measurements)", every)
        if not isinstance(n, int) or isinstance(n, bool) or n < _MIN_SAMPLES:
            raise ValueError(
                f"n (samples per measurement) must be an integer >= {_MIN_SAMPLES}: recall measures each sample's "
                f"distance to its {_PR_K} nearest neighbours among the others; got {n!r}."
            )
        super().__init__(every, n, seed, net)
        self._real_feats = lenet_features(real, self.net, name="real")

    def after_step(self, run) -> None:
        grads = [p.grad.flatten() for p in run.G.parameters() if p.grad is not None]
        run.history.setdefault("g_grad_norm", []).append(torch.cat(grads).norm().item() if grads else 0.0)

    def measure(self, fake: torch.Tensor) -> dict[str, float]:
        report = evaluate_features(
            self._real_feats, lenet_features(fake, self.net, name="fake"), self.net, _PR_K
        )
        return {c: getattr(report, c) for c in self.columns}


@dataclass
class Diagnosis:
    """The numbers `diagnose` reads from a history, and what they say in words. Introduced in 08_training_pitfalls."""

    numbers: dict
    findings: list

    def __str__(self) -> str:
        nums = ", ".join(f"{k} {v:.3g}" for k, v in self.numbers.items())
        return nums + "\n" + "\n".join(f"- {f}" for f in self.findings)


def diagnose(history: dict, window: float = 0.2, d_output: str = "logit") -> Diagnosis:
    """One call on any training history (of `train`, with or without `DiagnosticsTracker`): D(x) and
    D(G(z)) over the last `window` of training, G's gradient norm now vs at the start, FID, coverage
    and recall over time, and a plain-words finding for each warning sign. `d_output` is "logit" when
    d_real/d_fake are probabilities (minimax, non-saturating), "score" otherwise. Introduced in 08_training_pitfalls."""
    if not isinstance(history, dict) or not history.get("d_real"):
        raise ValueError(
            "diagnose needs a training history with at least one step (the dict `train` returns)."
        )
    n = len(history["d_real"])
    k = max(1, int(n * window))
    last = slice(n - k, n)
    nums = {
        "steps": float(n),
        "D(x)": float(np.mean(history["d_real"][last])),
        "D(G(z))": float(np.mean(history["d_fake"][last])),
    }
    findings = []
    if d_output == "logit":
        if nums["D(x)"] > 0.9 and nums["D(G(z))"] < 0.1:
            findings.append(
                "D wins: it tells real from fake almost surely; G's gradient may vanish (08, section 4)."
            )
        elif abs(nums["D(x)"] - 0.5) < 0.15 and abs(nums["D(G(z))"] - 0.5) < 0.15:
            findings.append("D is near 0.5 on both: balanced, or D has stopped learning. Check FID.")
    g = history.get("g_grad_norm") or []
    if len(g) >= 4:
        start, now = float(np.mean(g[: max(1, len(g) // 10)])), float(np.mean(g[-max(1, len(g) // 10) :]))
        nums["G grad norm (start)"], nums["G grad norm (end)"] = start, now
        if now < 0.01 * start or now < 1e-6:
            findings.append("G's gradient has all but vanished: G has stopped learning.")
    table = eval_table(history)

    def column(name: str) -> list:  # a measurement's values, without the rows that did not measure it
        return [v for v in table.get(name, []) if not (isinstance(v, float) and math.isnan(v))]

    fids = column("fid")
    if fids:
        nums["FID (first)"], nums["FID (best)"], nums["FID (last)"] = fids[0], min(fids), fids[-1]
        if len(fids) >= 2 and fids[-1] >= fids[0]:
            findings.append(
                "FID has not fallen: the samples are not getting better, whatever the losses say."
            )
        elif len(fids) >= 3 and fids[-1] > 1.5 * min(fids):
            findings.append(
                "FID rose well above its best: training diverged or collapsed after a good point."
            )
    cov, kl = column("num_covered"), column("kl_to_uniform")
    if cov:
        nums["classes covered (last)"] = float(cov[-1])
        if cov[-1] <= 3:
            findings.append(f"Mode collapse: only {cov[-1]} of 10 digits are made (class coverage).")
        elif kl and kl[-1] > KL_COLLAPSE:
            findings.append(
                f"Mode collapse: the digits made are far from equally often (KL to uniform {kl[-1]:.2f} nats "
                f"> {KL_COLLAPSE}, about {np.exp(np.log(10) - kl[-1]):.0f} digits' worth of variety)."
            )
    rec = column("recall")
    if rec:
        nums["recall (last)"] = float(rec[-1])
        if rec[-1] < 0.2:
            findings.append("Low recall: much of the real data's variety is never produced.")
    if not findings:
        findings.append("No warning sign found.")
    return Diagnosis(nums, findings)
