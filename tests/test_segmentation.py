"""gan_lessons.segmentation: IoU, boundary F1, pixel accuracy and stray blobs on hand-made masks, and their errors."""

import pytest
import torch

from gan_lessons.segmentation import (
    boundary_f1,
    iou,
    pixel_accuracy,
    segmentation_report,
    spurious_components,
)


def _masks(*rows):
    return torch.tensor(rows, dtype=torch.float32)[:, None]


def test_iou_on_hand_made_masks():
    target = _masks([[1, 1, 0, 0]], [[1, 0, 0, 0]])
    pred = _masks([[1, 0, 0, 0]], [[1, 1, 1, 1]])
    # image 1: |P∩T| = 1, |P∪T| = 2 -> IoU 1/2; image 2: 1/4
    assert iou(pred, target, reduce=False).tolist() == pytest.approx([0.5, 0.25])
    assert iou(pred, target) == pytest.approx(0.375)
    assert pixel_accuracy(pred, target) == pytest.approx(4 / 8)  # 3 of 4, then 1 of 4
    assert iou(target, target) == 1.0


def test_empty_masks():
    empty, full = _masks([[0, 0]]), _masks([[1, 1]])
    assert iou(empty, empty) == 1.0 and boundary_f1(empty, empty) == 1.0  # nothing to find, nothing found
    assert iou(full, empty) == 0.0 and iou(empty, full) == 0.0
    assert boundary_f1(full, empty) == 0.0 and boundary_f1(empty, full) == 0.0


def test_boundary_f1_scores_the_outline_within_the_tolerance():
    target = torch.zeros(1, 1, 12, 12)
    target[0, 0, 3:9, 3:9] = 1  # a 6x6 square: its outline is 20 pixels
    assert boundary_f1(target, target) == 1.0
    shifted = torch.roll(target, 1, dims=-1)  # one pixel to the right: every outline pixel within 1 px
    assert boundary_f1(shifted, target) == pytest.approx(1.0)
    assert boundary_f1(shifted, target, tolerance=0) < 0.7
    far = torch.roll(target, 3, dims=-1)
    assert boundary_f1(far, target) < boundary_f1(shifted, target)
    # a stray blob adds outline pixels far from the truth: precision falls, recall stays 1 -> F1 = 2p / (p + 1)
    stray = target.clone()
    stray[0, 0, 0, 11] = 1
    assert boundary_f1(stray, target) == pytest.approx(2 * (20 / 21) / (20 / 21 + 1))
    # IoU barely sees the speck; the boundary measure and the blob count do
    assert iou(stray, target) > 0.97 and spurious_components(stray, target) == 1
    with pytest.raises(ValueError, match="tolerance"):
        boundary_f1(target, target, tolerance=-1)


def test_spurious_components_counts_blobs_away_from_the_truth():
    target = torch.zeros(1, 1, 8, 8)
    target[0, 0, 1:3, 1:3] = 1
    pred = target.clone()
    pred[0, 0, 6, 6] = 1  # a speck far away
    pred[0, 0, 0, 6:8] = 1  # a stray stroke
    pred[0, 0, 3, 3] = 1  # touches the true blob diagonally: the same component
    assert spurious_components(pred, target) == 2
    assert spurious_components(target, target) == 0
    report = segmentation_report(pred, target)
    assert report == {
        "IoU": iou(pred, target),
        "boundary F1": boundary_f1(pred, target),
        "stray blobs / mask": 2.0,
    }


@pytest.mark.parametrize(
    "pred, target, message",
    [
        (torch.zeros(2, 1, 4, 4), torch.zeros(3, 1, 4, 4), "2 predicted masks but 3 true masks"),
        (torch.zeros(2, 1, 4, 4), torch.zeros(2, 1, 8, 8), "at the image's size"),
        (torch.full((2, 1, 4, 4), 0.7), torch.zeros(2, 1, 4, 4), "Threshold"),
        (torch.zeros(2, 4, 4), torch.zeros(2, 1, 4, 4), "unsqueeze"),
    ],
)
def test_segmentation_metric_errors(pred, target, message):
    with pytest.raises(ValueError, match=message):
        iou(pred, target)
