"""Checkers for 08_training_pitfalls: steps of the bilinear game min_x max_y x*y (simultaneous; alternating, with
the quantity it conserves)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

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


@checker
def check_alternating_invariant(step: Callable, invariant: Callable | None = None) -> None:
    """Exercise (08): `step(x, y, lr)` is one *alternating* step of min_x max_y x*y (x first, then y from the
    new x); `invariant(x, y, lr)` is a quantity, not a constant, that this step keeps exactly, so the orbit
    stays on one closed curve and neither converges nor diverges."""
    require_callable(step, "check_alternating_invariant(step, invariant)")
    x, y, lr = 2.0, -0.5, 0.3
    xn, yn = _pair(call_student(step, x, y, lr, about="It receives x, y and lr as floats."), "")
    right = (x - lr * y, y + lr * (x - lr * y))
    if not (abs(xn - right[0]) < 1e-6 and abs(yn - right[1]) < 1e-6):
        if abs(xn - right[0]) < 1e-6 and abs(yn - (y + lr * x)) < 1e-6:
            raise WrongAnswer(
                "That is the simultaneous step: in the alternating one, y's update uses the *new* x."
            )
        if abs(yn - (y + lr * x)) < 1e-6 and abs(xn - (x - lr * (y + lr * x))) < 1e-6:
            raise WrongAnswer(
                "That moves y first: here x (the minimiser) moves first, then y sees the new x."
            )
        raise WrongAnswer(f"From (x, y) = ({x}, {y}) with lr={lr}, expected the step to give {right}; got "
                          f"({xn:.4g}, {yn:.4g}).")  # fmt: skip

    require_callable(invariant, "check_alternating_invariant(step, invariant)")

    def q(a, b, rate):
        return as_float(call_student(invariant, a, b, rate, about="It receives x, y and lr as floats."),
                        "the invariant", returned=True)  # fmt: skip

    for lr_ in (0.3, 0.05):
        # How much the quantity differs between two orbits: the scale its drift along one orbit is judged
        # against (absolute, so that adding a large constant does not hide a drift).
        scale = abs(q(1.5, 0.7, lr_) - q(0.2, -0.1, lr_))
        if not np.isfinite(scale) or scale < 1e-12:
            raise WrongAnswer("Your quantity takes the same value on two different orbits: a constant is kept by "
                              "every step and says nothing. Find one that tells orbits apart.")  # fmt: skip
        a, b = 1.5, 0.7
        values = []
        for _ in range(200):
            values.append(q(a, b, lr_))
            a, b = a - lr_ * b, b + lr_ * (a - lr_ * b)
        values = np.asarray(values)
        if not np.all(np.isfinite(values)):
            raise WrongAnswer("Your invariant returned a value that is not finite along the orbit.")
        drift = np.ptp(values) / scale
        if drift > 1e-8:
            if abs((values[0] - q(0.0, 0.0, lr_)) - (1.5**2 + 0.7**2)) < 1e-6 * (1.5**2 + 0.7**2):
                raise WrongAnswer("x^2 + y^2 is not kept by the alternating step (it changes along the orbit): "
                                  "it needs a cross term in x*y whose weight depends on lr.")  # fmt: skip
            raise WrongAnswer(f"Along 200 alternating steps (lr={lr_}) your quantity drifted by {drift:.2e} times "
                              "the gap between two orbits' values: it is not conserved.")  # fmt: skip
    return correct("x^2 + y^2 - lr*x*y (or any function of it) is the same at every alternating step: the step is a "
                   "linear map of determinant 1, and the orbit is an ellipse around (0, 0). Bounded, and never "
                   "converging.")  # fmt: skip


__all__ = ["check_simultaneous_step", "check_alternating_invariant"]
