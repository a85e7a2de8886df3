"""gan_lessons.trackers: `diagnose` on hand-made histories, healthy and sick."""

import pytest


# -- 08_training_pitfalls: diagnose ----------------------------------------------------------------
def test_diagnose_reads_any_history_and_names_the_warning_signs():
    from gan_lessons import diagnose

    healthy = {"d_real": [0.8] * 50, "d_fake": [0.3] * 50, "g_grad_norm": [1.0] * 50,
               "evals": {"step": [0, 25, 50], "fid": [80.0, 40.0, 20.0], "num_covered": [6, 9, 10],
                         "recall": [0.1, 0.4, 0.6]}}  # fmt: skip
    d = diagnose(healthy)
    assert d.findings == ["No warning sign found."] and d.numbers["FID (best)"] == 20.0
    sick = {"d_real": [0.99] * 50, "d_fake": [0.01] * 50, "g_grad_norm": [1.0] * 25 + [1e-5] * 25,
            "evals": {"step": [0, 50], "fid": [80.0, 90.0], "num_covered": [5, 1], "recall": [0.1, 0.01]}}  # fmt: skip
    text = "\n".join(diagnose(sick).findings)
    for sign in ("D wins", "vanished", "FID has not fallen", "Mode collapse: only 1 of 10", "Low recall"):
        assert sign in text
    assert diagnose({"d_real": [0.5], "d_fake": [0.5]}).numbers["steps"] == 1


def test_diagnose_calls_a_lopsided_class_mix_collapse_even_with_more_than_three_digits():
    from gan_lessons import diagnose
    from gan_lessons.trackers import KL_COLLAPSE

    def history(num_covered, kl):
        evals = {"step": [0, 50], "fid": [900.0, 500.0], "recall": [0.3, 0.5], "num_covered": num_covered}
        return {"d_real": [0.7] * 50, "d_fake": [0.3] * 50, "evals": evals | {"kl_to_uniform": kl}}

    lopsided = diagnose(history([5, 5], [0.7, KL_COLLAPSE + 0.1]))
    assert any(
        f.startswith("Mode collapse: the digits made are far from equally often") for f in lopsided.findings
    )
    even = diagnose(history([5, 8], [0.7, KL_COLLAPSE - 0.1]))
    assert not any("Mode collapse" in f for f in even.findings)
    few = diagnose(history([5, 2], [0.7, 0.1]))
    assert any("only 2 of 10" in f for f in few.findings)
    with pytest.raises(ValueError, match="at least one step"):
        diagnose({"d_real": []})


# -- 08_training_pitfalls: DiagnosticsTracker during a short run ------------------------------------------
def test_diagnostics_tracker_records_every_measure_during_a_short_run():
    import math

    from torch.utils.data import TensorDataset

    from gan_lessons import DiagnosticsTracker, TrainConfig, load_mnist, new_run, shuffled_indices, train

    data = load_mnist("train", verbose=False)
    pick = shuffled_indices(len(data))[:320]  # every class
    digits = TensorDataset(data.images[pick], data.labels[pick])  # 10 steps of 32 per epoch
    run = new_run(TrainConfig(latent_dim=8, width=8, batch_size=32, seed=0, device="cpu"))
    tracker = DiagnosticsTracker(load_mnist("test", verbose=False), every=4, n=100)
    tracker.record(run)  # before training: step 0
    train(run, digits, 1, progress=False, on_step=tracker)
    tracker.record(run)  # step 10, not yet measured
    tracker.record(run)  # already measured at step 10: not twice
    h = run.history["evals"]
    assert h["step"] == [0, 4, 8, 10]
    for key in ("fid", "num_covered", "kl_to_uniform", "recall", "precision"):
        assert len(h[key]) == 4, key
    assert all(math.isfinite(v) and v > 0 for v in h["fid"])
    assert all(isinstance(v, int) and 1 <= v <= 10 for v in h["num_covered"])
    assert all(0 <= v <= math.log(10) + 1e-9 for v in h["kl_to_uniform"])
    assert all(0 <= v <= 1 for v in h["recall"] + h["precision"])
    g = run.history["g_grad_norm"]
    assert len(g) == run.step == 10  # one per step, measured after G's step
    assert all(math.isfinite(v) and v > 0 for v in g)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(every=0), "every .* must be a positive integer; got 0"),
        (dict(every=2.5), "every .* must be a positive integer; got 2.5"),
        (dict(every=True), "every .* must be a positive integer; got True"),
        (dict(n=1), r"n \(samples per measurement\) must be an integer >= 4.*got 1\."),
        (dict(n=3), r"n \(samples per measurement\) must be an integer >= 4.*3 nearest neighbours.*got 3\."),
        (dict(n=100.0), "n .* must be an integer >= 4.*got 100.0"),
    ],
)
def test_diagnostics_tracker_rejects_a_bad_every_or_n(kwargs, message):
    import torch

    from gan_lessons import DiagnosticsTracker

    with pytest.raises(ValueError, match=message):
        DiagnosticsTracker(torch.zeros(8, 1, 28, 28), **kwargs)


# -- one evaluation table for every tracker ------------------------------------------------------------
def test_two_trackers_share_one_table_with_one_step_column():
    """The wrong world this rules out: FIDTracker and DiagnosticsTracker each keeping their own step list for one
    "fid" key, so that code written for one misreads a history recorded with the other."""
    import math

    from torch.utils.data import TensorDataset

    from gan_lessons import (
        DiagnosticsTracker,
        FIDTracker,
        TrainConfig,
        load_mnist,
        new_run,
        shuffled_indices,
        train,
    )

    data = load_mnist("train", verbose=False)
    pick = shuffled_indices(len(data))[:320]
    run = new_run(TrainConfig(latent_dim=8, width=8, batch_size=32, seed=0, device="cpu"))
    real = load_mnist("test", verbose=False).images[:200]
    by_fid, by_diag = FIDTracker(real, every=5, n=64), DiagnosticsTracker(real, every=4, n=64)
    train(run, TensorDataset(data.images[pick], data.labels[pick]), 1, progress=False,
          on_step=lambda r: (by_fid(r), by_diag(r)))  # fmt: skip
    table = run.history["evals"]
    assert table["step"] == [4, 5, 8, 10]
    assert all(len(column) == 4 for column in table.values())
    assert [math.isnan(v) for v in table["recall"]] == [False, True, False, True]  # step 5 and 10: FID only
    assert all(math.isfinite(v) for v in table["fid"])


def test_log_eval_fills_the_missing_cells_with_nan_and_completes_the_same_step():
    import math

    from gan_lessons.trackers import eval_table, log_eval

    h: dict = {}
    assert eval_table(h) == {"step": []}
    log_eval(h, 3, {"fid": 50.0})
    log_eval(h, 3, {"recall": 0.5})  # the same step: the same row
    log_eval(h, 7, {"fid": 40.0})
    t = h["evals"]
    assert t["step"] == [3, 7] and t["fid"] == [50.0, 40.0]
    assert t["recall"][0] == 0.5 and math.isnan(t["recall"][1])


def test_histories_from_before_the_table_are_upgraded():
    from gan_lessons.trackers import upgrade_history

    old_fid = {"step": [1, 2], "fid_steps": [0, 2], "fid": [90.0, 80.0]}
    assert upgrade_history(old_fid) == {"step": [1, 2], "evals": {"step": [0, 2], "fid": [90.0, 80.0]}}
    old_diag = {"eval_steps": [4], "fid": [70.0], "num_covered": [9], "kl_to_uniform": [0.1], "recall": [0.4],
                "precision": [0.6], "g_grad_norm": [1.0]}  # fmt: skip
    up = upgrade_history(old_diag)
    assert up["evals"] == {"step": [4], "fid": [70.0], "num_covered": [9], "kl_to_uniform": [0.1],
                           "recall": [0.4], "precision": [0.6]}  # fmt: skip
    assert up["g_grad_norm"] == [1.0]


def test_an_old_history_with_both_trackers_is_upgraded_in_step_order():
    """Before the table both trackers appended to one "fid" list (in time order) under their own step lists."""
    import math

    from gan_lessons.trackers import upgrade_history

    old = {"fid_steps": [5, 10], "eval_steps": [4, 8], "fid": [9.0, 8.0, 7.0, 6.0], "num_covered": [3, 4],
           "kl_to_uniform": [1.0, 0.9], "recall": [0.1, 0.2], "precision": [0.5, 0.6]}  # fmt: skip
    t = upgrade_history(old)["evals"]
    assert t["step"] == [4, 5, 8, 10] and t["fid"] == [9.0, 8.0, 7.0, 6.0]
    assert t["num_covered"][0] == 3 and math.isnan(t["num_covered"][1]) and t["num_covered"][2] == 4
    broken = upgrade_history({"fid_steps": [5], "eval_steps": [4], "fid": [9.0], "recall": [0.1],
                              "num_covered": [3], "kl_to_uniform": [1.0], "precision": [0.5]})  # fmt: skip
    assert all(math.isnan(v) for v in broken["evals"]["fid"]), "no FID credited to a guessed step"


def test_a_tracker_does_not_take_another_trackers_row_for_its_own():
    from gan_lessons import TrainConfig, new_run
    from gan_lessons.trackers import Tracker

    class Constant(Tracker):  # a tracker whose measurement says which tracker made it
        columns = ("fid",)

        def __init__(self, value):
            super().__init__(every=1, n=4, seed=0, net=None)
            self.value, self.calls = value, 0

        def measure(self, fake):
            self.calls += 1
            return {"fid": self.value}

    run = new_run(TrainConfig(latent_dim=8, width=8, batch_size=32, seed=0, device="cpu"))
    first, second = Constant(1.0), Constant(2.0)
    assert first.record(run) == {"fid": 1.0}
    assert second.record(run) == {"fid": 2.0}, "the same step, another tracker: it measures for itself"
    assert second.record(run) == {"fid": 2.0} and second.calls == 1, "its own row: not measured twice"
    assert run.history["evals"] == {"step": [0], "fid": [2.0]}
    other = new_run(TrainConfig(latent_dim=8, width=8, batch_size=32, seed=1, device="cpu"))
    second.record(other)  # another run at the same step number: measured, not taken from the first run
    assert second.calls == 2 and other.history["evals"]["step"] == [0]
