"""Checkers for 08_training_pitfalls: one simultaneous gradient step of the bilinear game min_x max_y x*y."""

from __future__ import annotations

from collections.abc import Callable

from .core import WrongAnswer, as_float, call_student, checker, correct, require_callable


def _pair(out, what: str) -> tuple[float, float]:
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise WrongAnswer(
            f"Return the pair (x_new, y_new); your function returned {type(out).__name__} {out!r}."
        )
    return as_float(out[0], f"{what} x_new", returned=True), as_float(out[1], f"{what} y_new", returned=True)


@checker
def check_simultaneous_step(fn: Callable) -> None:
    """Exercise (08): `fn(x, y, lr)` returns (x_new, y_new) after one *simultaneous* gradient step of
    min_x max_y f(x, y) = x * y: x descends on f, y ascends on f, both using the old (x, y)."""
    require_callable(fn, "check_simultaneous_step(step)")
    x, y, lr = 2.0, -0.5, 0.3  # x != y and lr != 1, so that swapped or mixed-up updates differ
    xn, yn = _pair(call_student(fn, x, y, lr, about="It receives x, y and lr as floats."), "")
    right = (x - lr * y, y + lr * x)
    if abs(xn - right[0]) < 1e-6 and abs(yn - right[1]) < 1e-6:
        return correct(
            "x <- x - lr*y and y <- y + lr*x, both from the old point. Each step multiplies the distance to "
            "(0, 0) by sqrt(1 + lr^2): simultaneous steps spiral outwards."
        )
    alt_y = y + lr * (x - lr * y)
    if abs(xn - right[0]) < 1e-6 and abs(yn - alt_y) < 1e-6:
        raise WrongAnswer(
            "That is the alternating step: y's update used the new x. Compute both gradients at the old point first."
        )
    if abs(xn - (x + lr * y)) < 1e-6 and abs(yn - (y - lr * x)) < 1e-6:
        raise WrongAnswer(
            "Both signs are flipped: x minimises x*y (gradient descent), y maximises it (ascent)."
        )
    if abs(xn - right[0]) < 1e-6 and abs(yn - (y - lr * x)) < 1e-6:
        raise WrongAnswer("y maximises x*y: it must go *up* its gradient (y + lr * x), not down.")
    if abs(xn - (x + lr * y)) < 1e-6 and abs(yn - right[1]) < 1e-6:
        raise WrongAnswer("x minimises x*y: it must go *down* its gradient (x - lr * y), not up.")
    if abs(xn - (x - lr * x)) < 1e-6 or abs(yn - (y + lr * y)) < 1e-6:
        raise WrongAnswer(
            "The gradient of x*y with respect to x is y (and with respect to y is x), not the variable itself."
        )
    if abs(xn - right[1]) < 1e-6 and abs(yn - right[0]) < 1e-6:
        raise WrongAnswer("Right updates, returned in the wrong order: return (x_new, y_new), x first.")
    alt_x = x - lr * (y + lr * x)
    if abs(xn - alt_x) < 1e-6 and abs(yn - right[1]) < 1e-6:
        raise WrongAnswer(
            "That is the alternating step with y first: x's update used the new y. Compute both gradients "
            "at the old point first."
        )
    raise WrongAnswer(f"From (x, y) = ({x}, {y}) with lr={lr}, expected {right}; got ({xn:.4g}, {yn:.4g}).")


__all__ = ["check_simultaneous_step"]
