"""Segmentation metrics on masks (N, 1, H, W) of 0 and 1: IoU, boundary F1, stray blobs and pixel accuracy.
Introduced in 11_gan_segmentation.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = [
    "check_masks",
    "iou",
    "boundary_f1",
    "pixel_accuracy",
    "spurious_components",
    "segmentation_report",
]


def check_masks(masks, n: int | None = None, name: str = "masks") -> torch.Tensor:
    """Raise a ValueError unless `masks` is (N, 1, H, W) with values in {0, 1} (and N == n when given);
    returns it as a float tensor. Introduced in 11_gan_segmentation."""
    m = torch.as_tensor(masks)
    if m.dim() == 3:
        raise ValueError(
            f"{name} must have shape (N, 1, H, W); got {tuple(m.shape)}. Add the channel with .unsqueeze(1)."
        )
    if m.dim() != 4 or m.shape[1] != 1:
        raise ValueError(
            f"{name} must have shape (N, 1, H, W): one channel, 1 = digit, 0 = background; got {tuple(m.shape)}."
        )
    if n is not None and len(m) != n:
        raise ValueError(f"{n} images but {len(m)} {name}: give exactly one mask per image.")
    m = m.float()
    if not ((m == 0) | (m == 1)).all():
        bad = m[(m != 0) & (m != 1)][0].item()
        raise ValueError(
            f"{name} must hold only 0 and 1; found {bad:g}. Threshold probabilities first, e.g. (p > 0.5).float()."
        )
    return m


def _mask_pair(pred, target) -> tuple[torch.Tensor, torch.Tensor]:
    target = check_masks(target, None, "target")
    pred = check_masks(pred, None, "pred")
    if pred.shape != target.shape:
        if len(pred) != len(target):
            raise ValueError(f"{len(pred)} predicted masks but {len(target)} true masks: they must pair up.")
        raise ValueError(
            f"pred has shape {tuple(pred.shape)} but target has {tuple(target.shape)}: predict one mask per image, "
            "at the image's size."
        )
    return pred.bool().flatten(1), target.bool().flatten(1)


def iou(pred, target, reduce: bool = True):
    """Intersection over union |P ∩ T| / |P ∪ T| of each predicted mask with its true mask, averaged over images
    (reduce=False: one value per image). Both empty counts as 1 (nothing to find, nothing found). Introduced in 11_gan_segmentation."""
    p, t = _mask_pair(pred, target)
    inter, union = (p & t).sum(1).double(), (p | t).sum(1).double()
    per = torch.where(union > 0, inter / union.clamp_min(1), torch.ones_like(union))
    return float(per.mean()) if reduce else per


def pixel_accuracy(pred, target) -> float:
    """Share of all pixels labelled correctly. Introduced in 11_gan_segmentation. (With ~7% target pixels,
    predicting "all background" already scores ~93%, which is why IoU is the headline number.)"""
    p, t = _mask_pair(pred, target)
    return float((p == t).double().mean())


def spurious_components(pred, target, reduce: bool = True):
    """Number of connected blobs (8-connectivity) in each predicted mask that touch no pixel of the true mask,
    averaged over images (reduce=False: per image): the stray blobs, pieces of clutter taken for the target,
    that a shape-aware (adversarial) loss is supposed to suppress. Introduced in 11_gan_segmentation."""
    from scipy import ndimage

    p, t = _mask_pair(pred, target)
    side = check_masks(pred).shape[-2:]
    out = []
    for pi, ti in zip(p.view(-1, *side).numpy(), t.view(-1, *side).numpy()):
        blobs, count = ndimage.label(pi, structure=np.ones((3, 3), int))
        touching = np.unique(blobs[ti & (blobs > 0)])
        out.append(count - len(touching))
    per = torch.tensor(out, dtype=torch.float64)
    return float(per.mean()) if reduce else per


def _boundary(m: torch.Tensor) -> torch.Tensor:
    # The mask's pixels that have a background pixel among their 8 neighbours (the canvas edge is not a boundary).
    return m - (-torch.nn.functional.max_pool2d(-m, 3, 1, 1))


def boundary_f1(pred, target, tolerance: int = 1, reduce: bool = True):
    """Boundary F1 (the BF score of Csurka et al. 2013) per image: the F1 of the predicted outline's pixels that lie
    within `tolerance` pixels of the true outline (precision) and of the true outline's pixels within
    `tolerance` of the predicted one (recall); averaged over images (reduce=False: per image). Both masks
    empty counts as 1, one empty as 0; the canvas edge is not an outline. It scores the shape of the outline, which IoU, dominated by the
    interior, hardly sees. Introduced in 11_gan_segmentation."""
    p, t = _mask_pair(pred, target)
    if not isinstance(tolerance, int) or isinstance(tolerance, bool) or tolerance < 0:
        raise ValueError(f"tolerance must be a whole number of pixels >= 0; got {tolerance!r}.")
    side = check_masks(pred).shape[-2:]
    bp, bt = (_boundary(m.view(-1, 1, *side).float()) for m in (p, t))
    grow = 2 * tolerance + 1
    near_t = torch.nn.functional.max_pool2d(bt, grow, 1, tolerance)
    near_p = torch.nn.functional.max_pool2d(bp, grow, 1, tolerance)
    n_p, n_t = bp.flatten(1).sum(1).double(), bt.flatten(1).sum(1).double()
    precision = (bp * near_t).flatten(1).sum(1).double() / n_p.clamp_min(1)
    recall = (bt * near_p).flatten(1).sum(1).double() / n_t.clamp_min(1)
    f1 = torch.where(
        precision + recall > 0, 2 * precision * recall / (precision + recall).clamp_min(1e-12), 0.0
    )
    empty_p, empty_t = ~p.any(1), ~t.any(1)
    per = torch.where(empty_p & empty_t, torch.ones_like(f1), torch.where(empty_p | empty_t, 0.0, f1))
    return float(per.mean()) if reduce else per


def segmentation_report(pred, target) -> dict:
    """IoU, boundary F1 and stray blobs per mask, in one dict. Introduced in 11_gan_segmentation."""
    return {
        "IoU": iou(pred, target),
        "boundary F1": boundary_f1(pred, target),
        "stray blobs / mask": spurious_components(pred, target),
    }
