"""gan_lessons.segmentation: IoU, Dice, pixel accuracy and spurious blobs on hand-made masks, and their errors."""

import pytest
import torch

from gan_lessons.segmentation import (
    dice,
    iou,
    pixel_accuracy,
    segmentation_report,
    spurious_components,
)


def _masks(*rows):
    return torch.tensor(rows, dtype=torch.float32)[:, None]


def test_iou_and_dice_on_hand_made_masks():
    target = _masks([[1, 1, 0, 0]], [[1, 0, 0, 0]])
    pred = _masks([[1, 0, 0, 0]], [[1, 1, 1, 1]])
    # image 1: |P∩T| = 1, |P∪T| = 2 -> IoU 1/2, Dice 2/3; image 2: 1/4 and 2/5
    assert iou(pred, target, reduce=False).tolist() == pytest.approx([0.5, 0.25])
    assert dice(pred, target, reduce=False).tolist() == pytest.approx([2 / 3, 0.4])
    assert iou(pred, target) == pytest.approx(0.375)
    assert pixel_accuracy(pred, target) == pytest.approx(4 / 8)  # 3 of 4, then 1 of 4
    assert iou(target, target) == 1.0 and dice(target, target) == 1.0


def test_empty_masks():
    empty, full = _masks([[0, 0]]), _masks([[1, 1]])
    assert iou(empty, empty) == 1.0 and dice(empty, empty) == 1.0  # nothing to find, nothing found
    assert iou(full, empty) == 0.0 and dice(empty, full) == 0.0


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
    assert set(report) == {"IoU", "Dice", "pixel accuracy", "spurious blobs / mask"}


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
