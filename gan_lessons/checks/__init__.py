"""The exercise checkers of every chapter, importable from one place:
`from gan_lessons.checks import check_d_loss, WrongAnswer`. Introduced in 02_core_concepts.

One contract (gan_lessons/checks/core.py) for every `check_...` function:
- a right answer, in any of its equivalent forms, prints "Correct! ..." and returns True;
- a wrong answer raises `WrongAnswer` (an AssertionError) whose message is the hint, specific to
  the mistake when it is a typical one;
- a checker called with something it cannot use (a number where a function is expected) raises
  ValueError: a mistake in calling the checker, not in the answer.

One module per chapter holds the checkers that chapter introduces: ch02, ch03, ch04, ch05, ch09, ch12.
"""

from .ch02 import MODEL_KINDS, check_model_kinds, check_output_shape, check_parameter_count, check_prob_real
from .ch03 import check_d_loss, check_d_star, check_g_loss, check_loss_choice, check_value_at_equilibrium
from .ch04 import check_lsgan_d_loss, check_mode_coverage
from .ch05 import check_scale_images
from .ch09 import check_frechet_distance, check_kl_to_uniform, check_knn_radii
from .ch12 import check_add_noise
from .core import WrongAnswer

__all__ = [
    "MODEL_KINDS",
    "WrongAnswer",
    "check_add_noise",
    "check_d_loss",
    "check_d_star",
    "check_frechet_distance",
    "check_g_loss",
    "check_kl_to_uniform",
    "check_knn_radii",
    "check_loss_choice",
    "check_lsgan_d_loss",
    "check_mode_coverage",
    "check_model_kinds",
    "check_output_shape",
    "check_parameter_count",
    "check_prob_real",
    "check_scale_images",
    "check_value_at_equilibrium",
]
