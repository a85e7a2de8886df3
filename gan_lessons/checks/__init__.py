"""The exercise checkers of every chapter, importable from one place:
`from gan_lessons.checks import check_d_loss, WrongAnswer`. Introduced in 02_core_concepts.

One contract (gan_lessons/checks/core.py) for every `check_...` function:
- a right answer, in any of its equivalent forms, prints "Correct! ..." (checkers return None, so an
  exercise cell shows no `Out[n]:` line);
- a wrong answer raises `WrongAnswer` (an AssertionError) whose message is the hint, specific to
  the mistake when it is a typical one; in a notebook it shows as "Not right yet: <hint>", without a
  traceback through the package, and the cell fails;
- a checker called with something it cannot use (a number where a function is expected) raises
  `CheckerMisuse` (a ValueError): a mistake in calling the checker, not in the answer, shown in a notebook
  as one line, "Check not run: <what to pass>".

One module per chapter holds the checkers that chapter introduces: ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10, ch11, ch12, ch13."""

import types as _types

from .ch02 import MODEL_KINDS, check_model_kinds, check_output_shape, check_parameter_count, check_prob_real
from .ch03 import check_d_loss, check_d_star, check_g_loss, check_loss_choice, check_value_at_equilibrium
from .ch04 import DIAGNOSES, check_diagnosis, check_lsgan_d_loss, check_modes_reached
from .ch05 import check_inversion, check_scale_images, check_training_loop
from .ch06 import check_frechet_distance, check_kl_to_uniform, check_knn_radii
from .ch07 import BUG_HUNT_LISTING, check_bug_hunt, check_fixed_step, print_listing
from .ch08 import check_alternating_invariant, check_simultaneous_step
from .ch09 import check_critic_loop, check_gradient_penalty, check_hinge_losses
from .ch10 import check_ac_terms, check_projection_logits
from .ch11 import check_iou, check_semi_g_step
from .ch12 import check_ddim_step
from .ch13 import check_resize_conv
from .core import NOT_DONE, NOT_RIGHT, NOT_RUN, CheckerMisuse, WrongAnswer, checker

# Every public name above: the checkers, the contract and the chapters' constants.
__all__ = sorted(
    n for n, v in dict(globals()).items() if not n.startswith("_") and not isinstance(v, _types.ModuleType)
)
