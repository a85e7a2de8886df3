"""Argument checks written once, with the messages students read: every setting of the package is checked
by one of these before any tensor is touched. Introduced in 05_dcgan_mnist."""

from __future__ import annotations

import math


def is_int(value) -> bool:
    """An int that is not a bool (True is an int in Python, never a valid count here)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_finite_number(value) -> bool:
    """A finite int or float (not a bool): what every numeric setting must be."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def positive_int(name: str, value) -> int:
    """`value` if it is an integer > 0, else a ValueError naming `name`."""
    if not is_int(value) or value <= 0:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    return value


def non_negative_int(name: str, value) -> int:
    """`value` if it is an integer >= 0 (a number of epochs or steps), else a ValueError naming `name`."""
    if not is_int(value) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0; got {value!r}.")
    return value


def int_in_range(name: str, value, low: int, high: int) -> int:
    """`value` if it is an integer in [low, high], else a ValueError naming `name` and the range."""
    if not is_int(value) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer between {low} and {high}; got {value!r}.")
    return value


def check_seed(value) -> int:
    """`value` if it is a valid seed (an integer >= 0), else a ValueError."""
    if not is_int(value) or value < 0:
        raise ValueError(f"seed must be a non-negative integer; got {value!r}.")
    return value
