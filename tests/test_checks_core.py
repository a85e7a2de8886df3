"""gan_lessons.checks.core: the one contract of every checker, and the shared helpers."""

import re

import numpy as np
import pytest
import torch

from gan_lessons import checks
from gan_lessons.checks import WrongAnswer
from gan_lessons.checks.core import as_float, call_student, close, correct, require_callable, require_graph

CHECKERS = sorted(name for name in dir(checks) if name.startswith("check_"))


# ---- the contract
def test_wrong_answer_is_an_assertion_error():
    assert issubclass(WrongAnswer, AssertionError)
    with pytest.raises(AssertionError, match="the hint"):
        raise WrongAnswer("the hint")


def test_correct_prints_one_format_and_returns_nothing(capsys):
    assert correct("well done.") is None
    assert capsys.readouterr().out == "Correct! well done.\n"


CHAPTER_OF = {  # a checker used by two chapters lives in the one that introduces it
    "check_output_shape": "ch02",  # also in 05
    "check_parameter_count": "ch02",
    "check_model_kinds": "ch02",
    "check_prob_real": "ch02",
    "check_d_loss": "ch03",
    "check_g_loss": "ch03",  # also in 05
    "check_loss_choice": "ch03",
    "check_d_star": "ch03",
    "check_value_at_equilibrium": "ch03",
    "check_lsgan_d_loss": "ch04",
    "check_diagnosis": "ch04",
    "check_modes_reached": "ch04",
    "check_scale_images": "ch05",
    "check_training_loop": "ch05",
    "check_inversion": "ch05",
    "check_frechet_distance": "ch06",
    "check_kl_to_uniform": "ch06",
    "check_knn_radii": "ch06",
    "check_bug_hunt": "ch07",
    "check_fixed_step": "ch07",
    "check_simultaneous_step": "ch08",
    "check_alternating_invariant": "ch08",
    "check_gradient_penalty": "ch09",
    "check_hinge_losses": "ch09",
    "check_critic_loop": "ch09",
    "check_projection_logits": "ch10",
    "check_ac_terms": "ch10",
    "check_iou": "ch11",
    "check_semi_g_step": "ch11",
    "check_ddim_step": "ch12",
    "check_resize_conv": "ch13",
}


def test_every_checker_is_exported_and_lives_in_its_chapter_module():
    assert CHECKERS == sorted(CHAPTER_OF)
    assert set(CHECKERS) <= set(checks.__all__)
    for name, chapter in CHAPTER_OF.items():
        assert getattr(checks, name).__module__ == f"gan_lessons.checks.{chapter}", name


FUNCTION_CHECKERS = [
    "check_prob_real",
    "check_d_loss",
    "check_g_loss",
    "check_lsgan_d_loss",
    "check_modes_reached",
    "check_scale_images",
    "check_training_loop",
    "check_frechet_distance",
    "check_kl_to_uniform",
    "check_knn_radii",
]


@pytest.mark.parametrize("name", FUNCTION_CHECKERS)
def test_function_checkers_need_a_function_and_show_the_call(name):
    with pytest.raises(ValueError, match=r"Pass your function itself \(for example `check_"):
        getattr(checks, name)(3.0)


@pytest.mark.parametrize("name", FUNCTION_CHECKERS)
def test_function_checkers_raise_wrong_answer_for_a_crashing_or_silly_function(name, capsys):
    with np.errstate(all="ignore"), pytest.raises(WrongAnswer):
        getattr(checks, name)(lambda *args: 1 / 0)
    with np.errstate(all="ignore"), pytest.raises(WrongAnswer):
        getattr(checks, name)(lambda *args: None)
    assert "Correct!" not in capsys.readouterr().out


# ---- as_float: every accepted form
@pytest.mark.parametrize(
    "value",
    [
        0.25,
        np.float64(0.25),
        np.float32(0.25),
        np.array(0.25),
        np.array([0.25]),
        np.array([[0.25]]),
        torch.tensor(0.25),
        torch.tensor([0.25]),
        torch.tensor(0.25, dtype=torch.float16),
        torch.tensor(0.25, dtype=torch.bfloat16),
        torch.tensor([0.25], dtype=torch.float64),
        torch.tensor(0.25, requires_grad=True) * 1,
    ],
    ids=lambda v: type(v).__name__ + str(getattr(v, "dtype", "")),
)
def test_as_float_accepts_numbers_arrays_and_tensors_of_one_element(value):
    got = as_float(value, "x")
    assert type(got) is float and got == 0.25


@pytest.mark.parametrize("value", [3, np.int64(3), np.array([3]), torch.tensor(3)])
def test_as_float_accepts_integers(value):
    assert as_float(value, "x") == 3.0


def test_as_float_rejects_several_elements_with_the_shape():
    with pytest.raises(
        WrongAnswer, match=r"D\*\(x\) should be one number; you gave a tensor of shape \(3,\)"
    ):
        as_float(torch.zeros(3), "D*(x)")
    with pytest.raises(WrongAnswer, match=r"you gave an array of shape \(2, 2\)\. Sum it\?"):
        as_float(np.zeros((2, 2)), "x", hint="Sum it?")
    with pytest.raises(
        WrongAnswer, match=r"should return one number \(the FID\); it returned an array of shape"
    ):
        as_float(np.zeros(2), "the FID", returned=True)


def test_as_float_rejects_complex_numbers():
    with pytest.raises(WrongAnswer, match="complex"):
        as_float(np.complex128(1 + 2j), "x")
    with pytest.raises(WrongAnswer, match="complex"):
        as_float(torch.tensor([1 + 2j]), "x")


@pytest.mark.parametrize("value", ["0.5", None, True, np.True_, [0.5], torch.tensor(True), object()])
def test_as_float_not_a_number_is_a_value_error_when_given_to_the_checker(value):
    with pytest.raises(ValueError, match="D\\*\\(x\\) should be a number"):
        as_float(value, "D*(x)")


def test_as_float_not_a_number_is_a_wrong_answer_when_a_function_returned_it():
    with pytest.raises(
        WrongAnswer, match=r"Return one number \(a share\) from your function; it returned str\."
    ):
        as_float("all", "a share", returned=True)
    with pytest.raises(WrongAnswer, match="it returned None: is a `return` statement missing"):
        as_float(None, "a share", returned=True)


# ---- close: one rule, rtol and atol
def test_close_numbers():
    assert close(1.0, 1.0 + 5e-5)  # default rtol = atol = 1e-4
    assert not close(1.0, 1.001)
    assert close(1000.0, 1000.05) and not close(1000.0, 1000.5)  # relative to |b|
    assert close(0.0, 5e-5) and not close(0.0, 5e-4)  # absolute near 0
    assert close(1.0, 1.0 + 1e-6, rtol=0, atol=1e-5) and not close(1.0, 1.0 + 1e-6, rtol=0, atol=1e-7)
    assert close(np.float32(0.5), 0.5) and close(torch.tensor(0.5), np.float64(0.5))


def test_close_rejects_non_finite_values():
    for a, b in [(float("nan"), float("nan")), (float("inf"), float("inf")), (1.0, float("nan"))]:
        assert not close(a, b)
    assert not close(torch.tensor([1.0, float("inf")]), torch.tensor([1.0, float("inf")]))


def test_close_tensors_and_arrays_elementwise():
    a = torch.tensor([0.0, 1.0, 2.0])
    assert close(a, a.numpy() + 1e-6)
    assert close(a, a.double()) and close(a.numpy(), a)
    assert not close(a, a + torch.tensor([0.0, 0.0, 0.1]))
    assert not close(a, a[:2])  # shapes must match: no broadcasting
    assert close(a, a + 1e-3, rtol=0, atol=1e-2) and not close(a, a + 1e-3, rtol=0, atol=1e-4)


# ---- require_callable and call_student
def test_require_callable():
    require_callable(len, "check(len)")
    with pytest.raises(
        ValueError, match=r"Pass your function itself \(for example `check\(f\)`\), not float"
    ):
        require_callable(1.5, "check(f)")


def test_require_graph_passes_a_loss_in_the_graph_and_names_what_a_detached_one_cannot_reach():
    x = torch.ones(3, requires_grad=True)
    require_graph((2 * x).mean())  # still in the graph: no error
    loss = (2 * x).mean()
    for detached in (loss.item(), loss.detach(), torch.tensor(loss.item()), np.float64(2.0)):
        with pytest.raises(
            WrongAnswer,
            match=r"cut off from the autograd graph .*: loss\.backward\(\) cannot reach D\. Keep it",
        ):
            require_graph(detached, reaches="D")
    with pytest.raises(WrongAnswer, match="cannot reach the network"):
        require_graph(2.0)


def test_call_student_turns_a_crash_into_a_wrong_answer():
    assert call_student(lambda a, b: a + b, 1, 2) == 3
    with pytest.raises(
        WrongAnswer, match=r"Your function raised ZeroDivisionError: division by zero\. It gets x\."
    ):
        call_student(lambda x: x / 0, 1, about="It gets x.")


def test_every_checker_wears_the_checker_decorator():
    import gan_lessons.checks as checks

    names = [n for n in checks.__all__ if n.startswith("check_")]
    assert names
    for name in names:
        assert getattr(getattr(checks, name), "is_checker", False), f"{name} lacks @checker"


def test_a_stub_is_not_done_yet_not_a_traceback(capsys):
    from gan_lessons.checks import NOT_DONE, checker

    def stub(*args):
        raise NotImplementedError("write the loss")

    @checker
    def check_fn(fn):
        return call_student(fn, 1.0)

    assert check_fn(stub) is None
    assert capsys.readouterr().out.strip() == f"{NOT_DONE} write the loss"


def test_a_value_answer_may_come_from_a_function():
    from gan_lessons.checks import checker

    @checker(value_answer=True)
    def check_value(value):
        if value != 3:
            raise WrongAnswer("not 3")
        return True

    assert check_value(3) is None and check_value(lambda: 3) is None  # None: no `Out[n]: True` under the cell
    with pytest.raises(WrongAnswer, match="not 3"):
        check_value(lambda: 4)
    with pytest.raises(WrongAnswer, match="ZeroDivisionError"):
        check_value(lambda: 1 / 0)  # a crash in the student's function is a wrong answer, as before


@pytest.mark.parametrize("name", CHECKERS)
def test_every_checker_says_not_done_yet_for_the_student_stub(name, capsys):
    """The student edition's stub, for a function or for a value given by a function, is "not done yet"."""

    def stub(*args):
        raise NotImplementedError("what to write")

    assert getattr(checks, name)(stub) is None  # a notebook cell that ends with it shows no `Out[n]:` line
    assert capsys.readouterr().out.strip() == "Not done yet: what to write"


# ---- what a student sees in a notebook (IPython shows a WrongAnswer through its _render_traceback_)

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _run_in_ipython(code, capsys):
    """Run `code` as one notebook cell in IPython; (the cell's result, its stdout+stderr without colours)."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    capsys.readouterr()
    result = shell.run_cell(code)
    out = capsys.readouterr()
    return result, ANSI.sub("", out.out + out.err)


def test_a_wrong_answer_shows_the_hint_first_and_no_traceback(capsys):
    result, text = _run_in_ipython(
        "from gan_lessons.checks import check_d_loss\n"
        "import torch\n"
        "def my_d_loss(d_real, d_fake):\n"
        "    return torch.log(d_real).mean() + torch.log(1 - d_fake).mean()  # the sign is flipped\n"
        "check_d_loss(my_d_loss)",
        capsys,
    )
    lines = text.strip().split("\n")
    assert lines[0].startswith("Not right yet: "), text
    assert len(lines) <= 3, text
    assert "Traceback" not in text and "gan_lessons" not in text and "core.py" not in text, text
    assert isinstance(result.error_in_exec, WrongAnswer), "the cell still fails, so Run All stops there"
    assert not result.success


def test_a_wrong_answer_whose_function_raised_names_the_students_line(capsys):
    result, text = _run_in_ipython(
        "from gan_lessons.checks import check_lsgan_d_loss\n"
        "def my_d_loss(d_real, d_fake):\n"
        "    x = 1\n"
        "    return d_real.mean() / undefined_name\n"
        "check_lsgan_d_loss(my_d_loss)",
        capsys,
    )
    lines = text.strip().split("\n")
    assert lines[0].startswith("Not right yet: Your function raised NameError"), text
    assert lines[1].strip() == "(raised in your code, line 4: return d_real.mean() / undefined_name)", text
    assert "Traceback" not in text and "gan_lessons" not in text, text
    assert not result.success


def test_right_and_not_done_leave_no_out_line(capsys):
    """A checker as a cell's last expression displays nothing (no `Out[n]: True`/`False`)."""
    result, text = _run_in_ipython(
        "from gan_lessons.checks import check_value_at_equilibrium\ncheck_value_at_equilibrium(-1.386)",
        capsys,
    )
    assert result.success and result.result is None and text.startswith("Correct!"), text
    assert "Out[" not in text
    result, text = _run_in_ipython(
        "def stub():\n    raise NotImplementedError('type the value')\ncheck_value_at_equilibrium(stub)",
        capsys,
    )
    assert result.success and result.result is None and text.strip() == "Not done yet: type the value", text


def test_a_checker_called_wrongly_says_how_to_call_it_in_one_line(capsys):
    result, text = _run_in_ipython("from gan_lessons.checks import check_d_loss\ncheck_d_loss(3)", capsys)
    lines = text.strip().split("\n")
    assert lines == [
        "Check not run: Pass your function itself (for example `check_d_loss(my_d_loss)`), not int."
    ]
    assert isinstance(result.error_in_exec, ValueError) and not result.success  # the cell still fails


def test_other_errors_keep_their_traceback(capsys):
    """Only the checkers' own messages are shortened: a bug elsewhere still shows the full traceback."""
    result, text = _run_in_ipython("from gan_lessons import get_loss\nget_loss('hinge2')", capsys)
    assert "Traceback" in text and "ValueError: Unknown loss 'hinge2'" in text, text
    assert not result.success
