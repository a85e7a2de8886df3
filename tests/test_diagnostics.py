"""gan_lessons.diagnostics: `diagnose` on hand-made histories, healthy and sick."""

import pytest


# -- 07_training_pitfalls: diagnose ----------------------------------------------------------------
def test_diagnose_reads_any_history_and_names_the_warning_signs():
    from gan_lessons import diagnose

    healthy = {"d_real": [0.8] * 50, "d_fake": [0.3] * 50, "g_grad_norm": [1.0] * 50,
               "fid": [80.0, 40.0, 20.0], "num_covered": [6, 9, 10], "recall": [0.1, 0.4, 0.6]}  # fmt: skip
    d = diagnose(healthy)
    assert d.findings == ["No warning sign found."] and d.numbers["FID (best)"] == 20.0
    sick = {"d_real": [0.99] * 50, "d_fake": [0.01] * 50, "g_grad_norm": [1.0] * 25 + [1e-5] * 25,
            "fid": [80.0, 90.0], "num_covered": [5, 1], "recall": [0.1, 0.01]}  # fmt: skip
    text = "\n".join(diagnose(sick).findings)
    for sign in ("D wins", "vanished", "FID has not fallen", "Mode collapse: only 1 of 10", "Low recall"):
        assert sign in text
    assert diagnose({"d_real": [0.5], "d_fake": [0.5]}).numbers["steps"] == 1


def test_diagnose_calls_a_lopsided_class_mix_collapse_even_with_more_than_three_digits():
    from gan_lessons import diagnose
    from gan_lessons.diagnostics import KL_COLLAPSE

    base = {"d_real": [0.7] * 50, "d_fake": [0.3] * 50, "fid": [900.0, 500.0], "recall": [0.3, 0.5]}
    lopsided = diagnose({**base, "num_covered": [5, 5], "kl_to_uniform": [0.7, KL_COLLAPSE + 0.1]})
    assert any(
        f.startswith("Mode collapse: the digits made are far from equally often") for f in lopsided.findings
    )
    even = diagnose({**base, "num_covered": [5, 8], "kl_to_uniform": [0.7, KL_COLLAPSE - 0.1]})
    assert not any("Mode collapse" in f for f in even.findings)
    few = diagnose({**base, "num_covered": [5, 2], "kl_to_uniform": [0.7, 0.1]})
    assert any("only 2 of 10" in f for f in few.findings)
    with pytest.raises(ValueError, match="at least one step"):
        diagnose({"d_real": []})
