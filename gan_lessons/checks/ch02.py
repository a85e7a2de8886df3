"""Checkers for 02_core_concepts: output shapes, parameter counts, generative vs discriminative,
and D(x) as the sigmoid of a logit. `check_output_shape` is used again in 05_dcgan_mnist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from .core import WrongAnswer, as_float, as_tensor, call_student, checker, close, correct, require_callable


@checker(value_answer=True)
def check_output_shape(answer: Any, layer: nn.Module, input_shape: tuple[int, ...]) -> None:
    """Exercise (02): the output shape of `layer` for an input of `input_shape`, batch dimension included."""
    if not isinstance(layer, nn.Module):
        raise ValueError(f"The second argument must be the layer (an nn.Module); got {type(layer).__name__}.")
    try:
        with torch.no_grad():
            right = tuple(layer(torch.zeros(*input_shape)).shape)
    except Exception as exc:
        raise ValueError(
            f"The layer does not accept an input of shape {tuple(input_shape)} ({exc})."
        ) from None
    if not isinstance(answer, (tuple, list, torch.Size)) or not all(isinstance(a, int) for a in answer):
        raise ValueError(f"Give the shape as a tuple of integers, such as (16, 32, 14, 14); got {answer!r}.")
    ans = tuple(answer)
    if ans == right:
        return correct(f"{type(layer).__name__} maps {tuple(input_shape)} -> {right}.")
    if ans == right[1:]:
        raise WrongAnswer(
            f"Include the batch dimension first: the batch of {input_shape[0]} passes through unchanged."
        )
    if len(ans) != len(right):
        raise WrongAnswer(f"The output has {len(right)} dimensions (N, C, H, W); your answer has {len(ans)}.")
    if ans[0] != right[0]:
        raise WrongAnswer(f"A layer never changes the batch size: it stays {right[0]}.")
    if ans[1] != right[1]:
        hint = " (that is in_channels)" if ans[1] == input_shape[1] else ""
        raise WrongAnswer(f"Channels: the output has out_channels = {right[1]} channels{hint}.")
    conv = next((m for m in layer.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))), None)
    if (
        isinstance(conv, nn.ConvTranspose2d)
        and ans[2] == (input_shape[2] + 2 * conv.padding[0] - conv.kernel_size[0]) // conv.stride[0] + 1
    ):
        raise WrongAnswer(
            "You used the Conv2d formula, but this is a TRANSPOSED convolution, which upsamples: "
            "H_out = (H_in - 1) * stride - 2 * padding + kernel_size."
        )
    if (
        isinstance(conv, nn.Conv2d)
        and ans[2] == (input_shape[2] - 1) * conv.stride[0] - 2 * conv.padding[0] + conv.kernel_size[0]
    ):
        raise WrongAnswer(
            "You used the transposed-convolution formula, but Conv2d downsamples: "
            "H_out = floor((H_in + 2 * padding - kernel_size) / stride) + 1."
        )
    if isinstance(conv, (nn.Conv2d, nn.ConvTranspose2d)):
        h, k, st, pad = input_shape[2], conv.kernel_size[0], conv.stride[0], conv.padding[0]

        def size(stride: int, padding: int) -> int:
            if isinstance(conv, nn.ConvTranspose2d):
                return (h - 1) * stride - 2 * padding + k
            return (h + 2 * padding - k) // stride + 1

        if pad and ans[2] == size(st, 0) != right[2]:
            raise WrongAnswer(f"You left out the padding: padding={pad} adds {pad} pixels on each side.")
        if st > 1 and ans[2] == size(1, pad) != right[2]:
            raise WrongAnswer(f"You left out the stride: stride={st} moves the kernel {st} pixels at a time.")
    raise WrongAnswer(
        f"Height/width: the output is {right[2]}x{right[3]}, not {ans[2]}x{ans[3]}. "
        "Conv2d: floor((H + 2p - k)/s) + 1; ConvTranspose2d: (H - 1)s - 2p + k."
    )


_CONVS = (nn.Conv2d, nn.ConvTranspose2d)
_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


@checker(value_answer=True)
def check_parameter_count(answer: Any, model: nn.Module) -> None:
    """Exercise (02): the number of trainable parameters of `model`."""
    if not isinstance(model, nn.Module):
        raise ValueError(f"The second argument must be the layer or model; got {type(model).__name__}.")
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
        value = as_float(answer, "the parameter count")  # 32896.0, np.float64, a one-element tensor...
        if not value.is_integer():
            raise WrongAnswer(f"A parameter count is a whole number; got {value}.")
        answer = int(value)
    right = sum(p.numel() for p in model.parameters() if p.requires_grad)
    if answer == right:
        return correct(f"{right:,} trainable parameters.")
    biases = sum(p.numel() for n, p in model.named_parameters() if n.endswith("bias"))
    if biases and answer == right - biases:
        holders = sorted({type(m).__name__ for m in model.modules() if getattr(m, "bias", None) is not None})
        raise WrongAnswer(
            f"You counted only the weights: add the {biases} bias terms, one per output channel or unit of "
            f"the layers that have one ({', '.join(holders)}; a BatchNorm's bias is its shift). A layer built "
            "with bias=False has none."
        )
    buffers = sum(b.numel() for n, b in model.named_buffers() if "running" in n)
    if buffers and answer == right + buffers:
        raise WrongAnswer(
            "BatchNorm's running mean and variance are buffers, updated without gradients: they are not trainable parameters."
        )
    norms = sum(p.numel() for m in model.modules() if isinstance(m, _NORMS) for p in m.parameters())
    no_bias = sum(
        m.out_channels if isinstance(m, _CONVS) else m.out_features
        for m in model.modules()
        if isinstance(m, (*_CONVS, nn.Linear)) and m.bias is None
    )
    if no_bias and answer == right + no_bias:
        why = " (the BatchNorm after it adds the shift, so a bias would be redundant)" if norms else ""
        raise WrongAnswer(
            f"A layer built with bias=False has no bias terms{why}: count only its weights there."
        )
    if norms and answer == right - norms:
        raise WrongAnswer(
            f"BatchNorm has trainable parameters too: a scale (weight) and a shift (bias) per channel, "
            f"{norms} here. Only its running statistics are not trained."
        )
    convs = [m for m in model.modules() if isinstance(m, _CONVS)]
    if convs:
        kernel_weights = sum(m.weight.numel() for m in convs)
        in_out = sum(m.in_channels * m.out_channels // m.groups for m in convs)
        if answer == right - kernel_weights + in_out:
            raise WrongAnswer(
                "Each filter has kernel_size x kernel_size weights per input channel: multiply by k*k."
            )
        if answer == right - kernel_weights + sum(
            m.in_channels * m.out_channels // m.groups * m.kernel_size[0] for m in convs
        ):
            raise WrongAnswer(
                "A kernel is a k x k square: multiply by kernel_size squared (k*k), not by k once."
            )
        no_in = sum(m.out_channels * m.kernel_size[0] * m.kernel_size[1] for m in convs)
        if answer == right - kernel_weights + no_in:
            raise WrongAnswer(
                "Each filter spans ALL input channels: a conv layer has out_channels * in_channels * k * k "
                "weights, not out_channels * k * k."
            )
    raise WrongAnswer(
        f"Not quite: {answer:,} is not the count. A conv layer has out*in*k*k weights, plus out biases "
        "only if it was built with a bias (bias=False: none); a BatchNorm layer has 2 per channel (its "
        "scale and shift); add them up over the layers."
    )


MODEL_KINDS = {
    "CNN classifier": (
        "discriminative",
        "It models p(label | image): give it a digit, it returns a class. It cannot produce images.",
    ),
    "GAN generator": (
        "generative",
        "It turns noise z into new images x: sampling from p_g(x) is what a generative model does.",
    ),
    "VAE": (
        "generative",
        "A VAE has a prior p(z) and a decoder p(x | z): you sample z and decode it into a new image.",
    ),
    "diffusion model": (
        "generative",
        "It starts from noise and denoises step by step into a new sample of p(x).",
    ),
    "object detector": ("discriminative", "It predicts boxes and classes given an image: p(boxes | image)."),
    "segmentation U-Net": (
        "discriminative",
        "It outputs a mask, but GIVEN an image: p(mask | image) is a prediction, "
        "not a model of the images themselves.",
    ),
    "GAN discriminator": (
        "discriminative",
        "D(x) = p(real | x): a binary classifier, the discriminative half of a GAN.",
    ),
}


@checker(value_answer=True)
def check_model_kinds(answers: dict) -> None:
    """Exercise (02): label each model in MODEL_KINDS 'generative' or 'discriminative' (or 'G'/'D')."""
    if not isinstance(answers, dict):
        raise ValueError("Answer with a dict, such as {'CNN classifier': 'discriminative', ...}.")
    missing = [k for k in MODEL_KINDS if k not in answers]
    if missing:
        raise WrongAnswer(f"Label every model; missing: {missing}.")
    norm = {
        "g": "generative",
        "d": "discriminative",
        "generative": "generative",
        "discriminative": "discriminative",
    }
    wrong = []
    for key, (kind, why) in MODEL_KINDS.items():
        got = norm.get(str(answers[key]).strip().lower())
        if got is None:
            raise ValueError(f"Use 'generative' or 'discriminative' for {key!r}; got {answers[key]!r}.")
        if got != kind:
            wrong.append(f"{key} is {kind}: {why}")
    if wrong:
        raise WrongAnswer("\n".join(wrong))
    return correct("Generative models sample x; discriminative models predict something about a given x.")


@checker
def check_prob_real(fn: Callable) -> None:
    """Exercise (02): fn(logit) -> D(x), the probability 'real', safe for every logit."""
    require_callable(fn, "check_prob_real(my_prob_real)")
    a = torch.tensor([-200.0, -30.0, -2.0, 0.0, 0.5, 3.0, 30.0, 200.0])
    with torch.no_grad():
        out = call_student(fn, a.clone(), about="It receives a 1-D tensor of logits.")
    out = as_tensor(out, "one probability per logit", dtype=torch.float32)
    if out.shape != a.shape:
        raise WrongAnswer(
            f"Return one probability per logit (shape {tuple(a.shape)}); got shape {tuple(out.shape)}."
        )
    right = torch.sigmoid(a)
    moderate = slice(2, 6)
    if close(out[moderate], right[moderate], rtol=1e-5, atol=1e-5):
        if not torch.isfinite(out).all():
            raise WrongAnswer(
                "Right formula, but it overflows: exp(200) is inf in float32 and inf/inf = NaN. "
                "Use torch.sigmoid(logit), or 1 / (1 + exp(-logit)), which never divides inf by inf."
            )
        if close(out, right, rtol=1e-5, atol=1e-6):
            return correct("exp(a)/(1 + exp(a)) is just sigmoid(a): the article's D1(x) is the logit.")
    if close(out[moderate], 1 - right[moderate], rtol=1e-5, atol=1e-5):
        raise WrongAnswer(
            "Upside down: that is 1 - sigmoid(a) = sigmoid(-a). The probability 'real' grows with the logit."
        )
    if close(out[moderate], torch.exp(a[moderate]), rtol=1e-5, atol=1e-5):
        raise WrongAnswer("exp(a) alone is not a probability (it exceeds 1 for a > 0): divide by 1 + exp(a).")
    if close(out[moderate], torch.tanh(a[moderate]), rtol=1e-5, atol=1e-5):
        raise WrongAnswer(
            "tanh has range (-1, 1), not (0, 1): negative values cannot be probabilities. Use the sigmoid."
        )
    raise WrongAnswer("Not sigmoid(a) yet: D(x) = exp(a)/(1 + exp(a)) = 1/(1 + exp(-a)).")


__all__ = [
    "MODEL_KINDS",
    "check_model_kinds",
    "check_output_shape",
    "check_parameter_count",
    "check_prob_real",
]
