"""The one contract every exercise checker follows, and the helpers they share.

- Right answer: `correct(remark)` prints "Correct! <remark>". Checkers return None, so an exercise cell
  whose last line is the checker leaves no `Out[n]:` line under its message. Equivalent forms
  count as right (a loss on logits or on probabilities, a tuple or a torch.Size, a float, a NumPy
  scalar or a one-element tensor, a number typed to three decimals, ...). A LOSS is the exception:
  training calls .backward() on it, so it must be a tensor still in the autograd graph (a float
  or a `.item()` of the right value is a wrong answer, with its own hint).
- Wrong answer: raise `WrongAnswer` (an AssertionError), whose message is the hint: specific when
  the answer is one of the typical mistakes, a plain comparison with the expected value otherwise.
  In IPython (JupyterLab, nbclient, nbval) it shows as one short message, the hint first and no
  traceback through the package (`WrongAnswer._render_traceback_`), and the cell still fails.
  A student's function that crashes, returns the wrong kind of value or the wrong shape is a wrong
  answer too.
- Not done yet: in the student edition (tools/make_student_edition.py) each solution is a stub that
  raises `NotImplementedError("what to write")`. Every checker is wrapped by `@checker`, which turns
  that into the printed line "Not done yet: <what to write>" and returns None, so the exercise cell
  ends quietly and Run All carries on. A wrong answer still raises WrongAnswer (the cell fails).
- Unusable call: raise ValueError when the checker itself is called with something it cannot use
  (a number where a function is expected, a string where a number is expected, a letter that is
  not an option). That is a mistake in calling the checker, not in the answer. `@checker` passes it on
  as a `CheckerMisuse` (a ValueError) that IPython shows as one line, "Check not run: <what to pass>",
  with no traceback through the package; the cell still fails.
"""

from __future__ import annotations

import functools
import math
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

NOT_DONE = "Not done yet:"
NOT_RIGHT = "Not right yet:"
NOT_RUN = "Check not run:"
_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)
_RED, _RESET = "\x1b[1;31m", "\x1b[0m"


class WrongAnswer(AssertionError):
    """An exercise answer that is not right yet; the message is the hint that says why.

    IPython shows an exception through its `_render_traceback_` when it has one (the protocol
    ipyparallel uses), so a student sees "Not right yet: <hint>" instead of a traceback through
    gan_lessons/checks; the kernel still reports an error (ename WrongAnswer), so Run All stops at the
    cell and nbval and nbclient fail it as before. When the student's own function raised, one more
    line names where in their code. The full traceback stays in `sys.last_traceback` (`%debug`)."""

    def _render_traceback_(self) -> list[str]:
        lines = [f"{_RED}{NOT_RIGHT}{_RESET} {self}"]
        where = _student_line(self.__cause__)
        if where:
            lines.append(f"  (raised in your code, {where})")
        return lines


class CheckerMisuse(ValueError):
    """A checker called with something it cannot use (a ValueError raised inside a check). Shown in IPython as
    "Check not run: <message>" with no traceback through the package; the cell still fails."""

    def _render_traceback_(self) -> list[str]:
        return [f"{_RED}{NOT_RUN}{_RESET} {self}"]


def _student_line(exc: BaseException | None) -> str:
    """Where `exc` (what the student's function raised) left the student's own code: "line 3: <source>"
    of the last frame outside gan_lessons and the installed libraries; "" when there is none."""
    if exc is None or exc.__traceback__ is None:
        return ""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        name = frame.filename
        if name.startswith(_PACKAGE_DIR) or "site-packages" in name or name.startswith("<frozen"):
            continue
        source = (frame.line or "").strip()
        return f"line {frame.lineno}: {source}" if source else f"line {frame.lineno}"
    return ""


def not_done(exc: NotImplementedError) -> None:
    """Report an exercise whose stub still raises NotImplementedError: print "Not done yet: <hint>"."""
    hint = str(exc) or "replace the `raise NotImplementedError` line with your code."
    print(f"{NOT_DONE} {hint}")


def checker(fn: Callable | None = None, *, value_answer: bool = False) -> Callable:
    """Decorator every `check_...` function wears: the one place where "not done yet" is handled.

    - A NotImplementedError raised anywhere inside the check (the student's stub, called through
      `call_student` or directly) prints "Not done yet: <its message>" instead of raising: the student
      edition runs top to bottom.
    - The checker returns None whatever the answer (it reports by printing or by raising WrongAnswer),
      so an exercise cell that ends with it shows no `Out[n]: True` line.
    - `value_answer=True`: the checker's first argument is a value (a number, a shape, a dict); a
      zero-argument function that returns it is accepted too (that is how the exercises are written,
      so that the solution can be a stub), and is called first.
    """

    def wrap(check: Callable) -> Callable:
        @functools.wraps(check)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            try:
                if value_answer and args and callable(args[0]) and not isinstance(args[0], torch.nn.Module):
                    args = (call_student(args[0]), *args[1:])
                check(*args, **kwargs)
            except NotImplementedError as exc:
                not_done(exc)
            except CheckerMisuse:
                raise
            except ValueError as exc:  # the checker was called wrongly: say how to call it, briefly
                raise CheckerMisuse(str(exc)) from exc

        wrapper.is_checker = True
        return wrapper

    return wrap(fn) if fn is not None else wrap


def correct(remark: str) -> None:
    """Report a right answer, the same way for every checker: print "Correct! <remark>"."""
    print(f"Correct! {remark}")


def require_callable(fn: Any, example: str) -> None:
    """ValueError unless `fn` is callable; `example` shows the call, such as "check_d_loss(my_d_loss)"."""
    if not callable(fn):
        raise ValueError(f"Pass your function itself (for example `{example}`), not {type(fn).__name__}.")


def call_student(fn: Callable, *args: Any, about: str = "") -> Any:
    """fn(*args); if the student's function raises, a WrongAnswer that names the error and says
    what the function receives (`about`, such as "It receives a uint8 tensor.")."""
    try:
        return fn(*args)
    except NotImplementedError:  # the student edition's stub: `@checker` says "not done yet"
        raise
    except Exception as exc:
        extra = f" {about}" if about else ""
        raise WrongAnswer(f"Your function raised {type(exc).__name__}: {exc}.{extra}") from exc


DETACHED_HINT = (
    "The value is right, but it is cut off from the autograd graph (.item(), float(), torch.tensor(...) or "
    "NumPy inside): loss.backward() cannot reach {reaches}. Keep it a torch tensor computed from the inputs."
)


def require_graph(out: Any, reaches: str = "the network") -> None:
    """WrongAnswer (DETACHED_HINT) unless `out`, a loss already found to have the right value, is a tensor
    still in the autograd graph: training calls .backward() on it. `reaches` names what the gradient must
    reach ("D", "G"). Give the student's function inputs that require grad, or there is no graph to keep."""
    if not isinstance(out, torch.Tensor) or out.grad_fn is None:
        raise WrongAnswer(DETACHED_HINT.format(reaches=reaches))


def _number_array(value: Any) -> np.ndarray | None:
    """value as a NumPy array if it is a number or an array/tensor of numbers (complex included); else None."""
    if isinstance(value, torch.Tensor):
        if value.dtype == torch.bool:
            return None
        value = value.detach().cpu()
        if value.dtype in (torch.bfloat16, torch.float16):
            value = value.float()
        return value.numpy()
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, complex, np.number)):
        return np.asarray(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "iufc":
        return value
    return None


def as_float(value: Any, what: str, *, returned: bool = False, hint: str = "") -> float:
    """`value` as a Python float, or an explanation of why it is not one number.

    Accepted: a Python int or float, a NumPy scalar, a 0-d or one-element NumPy array, a one-element
    tensor of any float (or integer) dtype, on any device, with or without grad. `what` names the
    quantity ("D*(x)", "the Fréchet distance").

    - More than one element, or a complex number: WrongAnswer (with `hint` appended to the shape message).
    - Not a number at all (a string, None, a bool, a list...): ValueError when the student handed it to
      the checker directly (the checker was called wrongly); WrongAnswer when `returned` is True, that
      is when the student's function returned it (the function is wrong).
    """
    if isinstance(value, (torch.Tensor, np.ndarray)) and math.prod(value.shape) != 1:
        kind = "a tensor" if isinstance(value, torch.Tensor) else "an array"
        extra = f" {hint}" if hint else ""
        if returned:
            raise WrongAnswer(
                f"Your function should return one number ({what}); it returned {kind} of shape "
                f"{tuple(value.shape)}.{extra}"
            )
        raise WrongAnswer(
            f"{what} should be one number; you gave {kind} of shape {tuple(value.shape)}.{extra}"
        )
    arr = _number_array(value)
    if arr is None:
        got = "None" if value is None else type(value).__name__
        if returned:
            missing = ": is a `return` statement missing?" if value is None else "."
            raise WrongAnswer(f"Return one number ({what}) from your function; it returned {got}{missing}")
        raise ValueError(f"{what} should be a number (a float, or a one-element array or tensor); got {got}.")
    if arr.dtype.kind == "c":
        raise WrongAnswer(f"{what} should be a real number; {arr.item()} is complex.")
    return float(arr.item())


def as_tensor(value: Any, what: str, dtype: torch.dtype | None = None) -> torch.Tensor:
    """What a student's function returned, as a detached CPU tensor (cast to `dtype` if given):
    a tensor, a NumPy array, a number or a list of numbers. Anything else (None, a string...) is a
    WrongAnswer; `what` describes the expected result ("one probability per logit")."""
    if isinstance(value, torch.Tensor):
        out = value.detach().cpu()
    else:
        try:
            arr = np.asarray(value)
        except Exception:  # ragged lists and other oddities
            arr = None
        if arr is None or arr.dtype.kind not in "biufc":
            got = "None" if value is None else type(value).__name__
            missing = ": is a `return` statement missing?" if value is None else "."
            raise WrongAnswer(f"Return a tensor ({what}) from your function; it returned {got}{missing}")
        out = torch.as_tensor(arr)
    return out if dtype is None else out.to(dtype)


def close(a: Any, b: Any, rtol: float = 1e-4, atol: float = 1e-4) -> bool:
    """|a - b| <= atol + rtol * |b|, with everything finite: numbers, or arrays/tensors of the same
    shape compared element by element (the rule of torch.allclose, without inf == inf)."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= atol + rtol * abs(b)
    ta = torch.as_tensor(np.asarray(a) if not isinstance(a, torch.Tensor) else a).detach().double()
    tb = torch.as_tensor(np.asarray(b) if not isinstance(b, torch.Tensor) else b).detach().double()
    tb = tb.to(ta.device)
    if ta.shape != tb.shape or not (torch.isfinite(ta).all() and torch.isfinite(tb).all()):
        return False
    return bool(((ta - tb).abs() <= atol + rtol * tb.abs()).all())


def close_typed(value: float, right: float, decimals: int = 3) -> bool:
    """`value` is `right`, or `right` typed by hand to `decimals` places (or more): |value - right| <= half
    a unit in the last place, 0.0005 for three decimals. For numbers a student may type in, such as -1.386."""
    return math.isfinite(value) and abs(value - right) <= 0.5 * 10.0**-decimals + 1e-12


__all__ = [
    "NOT_DONE",
    "NOT_RIGHT",
    "WrongAnswer",
    "as_float",
    "as_tensor",
    "call_student",
    "checker",
    "close",
    "close_typed",
    "correct",
    "not_done",
    "require_callable",
    "require_graph",
]
