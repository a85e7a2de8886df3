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
    with pytest.raises(ValueError, match="at least one step"):
        diagnose({"d_real": []})
