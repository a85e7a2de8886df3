"""Training diagnostics on a history: what the losses hide. `DiagnosticsTracker` records G's gradient
norm, FID, class coverage and recall during `train`; `diagnose` reads any history and says in words what
is wrong. Introduced in 07_training_pitfalls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .feature_net import LeNet, lenet_features, load_feature_net
from .metrics import MIN_FID_SAMPLES, FeatureStats, evaluate_features, feature_stats, fid

__all__ = ["DiagnosticsTracker", "Diagnosis", "diagnose", "KL_COLLAPSE"]

#: KL to uniform (nats) above which `diagnose` calls the class mix collapsed, even with more than 3 digits
#: covered: 0.5 nats leaves about 6 digits' worth of variety (exp(log 10 - 0.5)). In 07's runs over seeds
#: 0-4 the collapsing setting ended at 0.66-2.3 nats with 1-5 digits covered, the default at 0.16-0.38.
KL_COLLAPSE = 0.5

_PR_K = 3  # the k of precision_recall_from_features: each set needs more than k samples
_MIN_SAMPLES = _PR_K + 1


class FIDTracker:
    """An `on_step` callback for `train`: every `every` steps, FID of `n` samples from fixed noise,
    appended to run.history["fid_steps"] and run.history["fid"]. Introduced in 09_evaluating.

        tracker = FIDTracker(data, every=200, n=1000)
        train(run, data, num_epochs, on_step=tracker)
        tracker.record(run)  # also at the very end
    """

    def __init__(
        self, real, every: int = 500, n: int = MIN_FID_SAMPLES, seed: int = 0, net: LeNet | None = None
    ):
        if not isinstance(every, int) or isinstance(every, bool) or every <= 0:
            raise ValueError(
                f"every (steps between FID measurements) must be a positive integer; got {every!r}."
            )
        if not isinstance(n, int) or isinstance(n, bool) or n < 2:
            raise ValueError(f"n (samples per FID) must be an integer >= 2; got {n!r}.")
        self.net = net if net is not None else load_feature_net()
        self.reference = (
            real if isinstance(real, FeatureStats) else feature_stats(real, self.net, name="real")
        )
        self.every, self.n, self.seed = every, n, seed
        self._z: torch.Tensor | None = None

    def __call__(self, run) -> None:
        if run.step % self.every == 0:
            self.record(run)

    def record(self, run) -> float:
        """Measure FID now (once per step) and append it to the run's history; returns it."""
        hist = run.history
        steps, values = hist.setdefault("fid_steps", []), hist.setdefault("fid", [])
        if steps and steps[-1] == run.step:
            return values[-1]
        latent_dim = run.config.latent_dim
        if self._z is None or self._z.shape[1] != latent_dim:
            self._z = torch.randn(self.n, latent_dim, generator=torch.Generator().manual_seed(self.seed))
        fake = torch.cat([run.sample(z=z) for z in self._z.split(1000)])
        value = fid(self.reference, feature_stats(fake, self.net, name="fake"), self.net)
        steps.append(run.step)
        values.append(value)
        return value


class DiagnosticsTracker:
    """An `on_step` callback for `train` that records what the losses hide (07_training_pitfalls):
    G's gradient norm after every step (history["g_grad_norm"]), and every `every` steps FID, class
    coverage and recall of `n` samples from fixed noise (history["eval_steps"], ["fid"], ["num_covered"],
    ["kl_to_uniform"], ["recall"], ["precision"]). Introduced in 07_training_pitfalls."""

    def __init__(
        self, real, every: int = 100, n: int = MIN_FID_SAMPLES, seed: int = 0, net: LeNet | None = None
    ):
        if not isinstance(every, int) or isinstance(every, bool) or every <= 0:
            raise ValueError(f"every (steps between measurements) must be a positive integer; got {every!r}.")
        if not isinstance(n, int) or isinstance(n, bool) or n < _MIN_SAMPLES:
            raise ValueError(
                f"n (samples per measurement) must be an integer >= {_MIN_SAMPLES}: recall measures each sample's "
                f"distance to its {_PR_K} nearest neighbours among the others; got {n!r}."
            )
        self.net = net if net is not None else load_feature_net()
        self.every, self.n, self.seed = every, n, seed
        self._real_feats = lenet_features(real, self.net, name="real")

    def __call__(self, run) -> None:
        grads = [p.grad.flatten() for p in run.G.parameters() if p.grad is not None]
        run.history.setdefault("g_grad_norm", []).append(torch.cat(grads).norm().item() if grads else 0.0)
        if run.step % self.every == 0:
            self.record(run)

    def record(self, run) -> None:
        """Measure FID, coverage and recall now, and append them to the run's history."""
        h = run.history
        if h.get("eval_steps") and h["eval_steps"][-1] == run.step:
            return
        z = torch.randn(self.n, run.config.latent_dim, generator=torch.Generator().manual_seed(self.seed))
        fake = torch.cat([run.sample(z=chunk) for chunk in z.split(1000)])
        report = evaluate_features(
            self._real_feats, lenet_features(fake, self.net, name="fake"), self.net, _PR_K
        )
        for key, v in (
            ("eval_steps", run.step),
            ("fid", report.fid),
            ("num_covered", report.num_covered),
            ("kl_to_uniform", report.kl_to_uniform),
            ("recall", report.recall),
            ("precision", report.precision),
        ):
            h.setdefault(key, []).append(v)  # fmt: skip


@dataclass
class Diagnosis:
    """The numbers `diagnose` reads from a history, and what they say in words. Introduced in 07_training_pitfalls."""

    numbers: dict
    findings: list

    def __str__(self) -> str:
        nums = ", ".join(f"{k} {v:.3g}" for k, v in self.numbers.items())
        return nums + "\n" + "\n".join(f"- {f}" for f in self.findings)


def diagnose(history: dict, window: float = 0.2, d_output: str = "logit") -> Diagnosis:
    """One call on any training history (of `train`, with or without `DiagnosticsTracker`): D(x) and
    D(G(z)) over the last `window` of training, G's gradient norm now vs at the start, FID, coverage
    and recall over time, and a plain-words finding for each warning sign. `d_output` is "logit" when
    d_real/d_fake are probabilities (minimax, non-saturating), "score" otherwise. Introduced in 07_training_pitfalls."""
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
                "D wins: it tells real from fake almost surely; G's gradient may vanish (07, section 3)."
            )
        elif abs(nums["D(x)"] - 0.5) < 0.15 and abs(nums["D(G(z))"] - 0.5) < 0.15:
            findings.append("D is near 0.5 on both: balanced, or D has stopped learning. Check FID.")
    g = history.get("g_grad_norm") or []
    if len(g) >= 4:
        start, now = float(np.mean(g[: max(1, len(g) // 10)])), float(np.mean(g[-max(1, len(g) // 10) :]))
        nums["G grad norm (start)"], nums["G grad norm (end)"] = start, now
        if now < 0.01 * start or now < 1e-6:
            findings.append("G's gradient has all but vanished: G has stopped learning.")
    fids = history.get("fid") or []
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
    cov, kl = history.get("num_covered") or [], history.get("kl_to_uniform") or []
    if cov:
        nums["classes covered (last)"] = float(cov[-1])
        if cov[-1] <= 3:
            findings.append(f"Mode collapse: only {cov[-1]} of 10 digits are made (class coverage).")
        elif kl and kl[-1] > KL_COLLAPSE:
            findings.append(
                f"Mode collapse: the digits made are far from equally often (KL to uniform {kl[-1]:.2f} nats "
                f"> {KL_COLLAPSE}, about {np.exp(np.log(10) - kl[-1]):.0f} digits' worth of variety)."
            )
    rec = history.get("recall") or []
    if rec:
        nums["recall (last)"] = float(rec[-1])
        if rec[-1] < 0.2:
            findings.append("Low recall: much of the real data's variety is never produced.")
    if not findings:
        findings.append("No warning sign found.")
    return Diagnosis(nums, findings)
