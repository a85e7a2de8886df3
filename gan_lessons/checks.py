"""Exercise checkers for the chapters. Introduced in 02_core_concepts and 03_loss_math.

Convention: every `check_...` function
- prints "Correct! ..." (with a short remark) and returns True when the answer is right,
  including equivalent forms (a loss written on logits or on probabilities, a tuple or a
  torch.Size, "generative" or "G", ...);
- raises `WrongAnswer` (a subclass of AssertionError) whose message is a specific hint
  when the answer is one of the typical mistakes, or a plain comparison otherwise;
- raises ValueError when the checker itself is called with something unusable (for
  example a number where a function is expected).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .theory import LOG4, gaussian_pdf


class WrongAnswer(AssertionError):
    """An exercise answer that is not right yet; the message says why."""


def _correct(msg: str) -> bool:
    print(f"Correct! {msg}")
    return True


def _as_float(value: Any, what: str) -> float:
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise WrongAnswer(
                f"{what} should be one number; you gave a tensor of shape {tuple(value.shape)}."
            )
        return float(value.item())
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise WrongAnswer(f"{what} should be one number; you gave an array of shape {value.shape}.")
        return float(value.item())
    if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
        return float(value)
    raise ValueError(
        f"{what} should be a number (float, or a one-element tensor); got {type(value).__name__}."
    )


def _close(a: float, b: float, tol: float = 1e-4) -> bool:
    return math.isfinite(a) and abs(a - b) <= tol * max(1.0, abs(b))


# ---------------------------------------------------------------- losses, written on logits or probabilities


def _batches(n_batches: int = 3, size: int = 16) -> list[tuple[torch.Tensor, torch.Tensor]]:
    gen = torch.Generator().manual_seed(1234)
    # Real logits lean positive, fake logits lean negative, like a half-trained D; all moderate in size.
    return [
        (torch.randn(size, generator=gen) * 1.5 + 1.0, torch.randn(size, generator=gen) * 1.5 - 1.0)
        for _ in range(n_batches)
    ]


def _call_loss(fn: Callable, args: tuple, as_probs: bool) -> torch.Tensor | None:
    """Call fn on logits (as_probs=False) or on probabilities; None if it fails or gives a non-finite result."""
    inputs = tuple(torch.sigmoid(a) if as_probs else a.clone() for a in args)
    try:
        with torch.no_grad():
            out = fn(*inputs)
    except Exception:
        return None
    if isinstance(out, (int, float)) and not isinstance(out, bool):
        out = torch.tensor(float(out))
    if isinstance(out, np.ndarray):
        out = torch.from_numpy(out)
    if not isinstance(out, torch.Tensor):
        return None
    out = out.detach().double()
    return out if torch.isfinite(out).all() else None


def _match_loss(
    fn: Callable, variants: dict[str, Callable], arity: int
) -> tuple[str | None, str, torch.Tensor | None]:
    """Which variant (name) fn computes, and whether it takes logits or probabilities."""
    batches = _batches()
    first = None
    for as_probs in (False, True):
        outs = []
        for batch in batches:
            out = _call_loss(fn, batch[:arity] if arity == 2 else (batch[1],), as_probs)
            outs.append(out)
        if first is None:
            first = outs[0]
        if any(o is None for o in outs):
            continue
        if any(o.numel() != 1 for o in outs):
            return "not_scalar", "probabilities" if as_probs else "logits", outs[0]
        for name, variant in variants.items():
            if all(
                _close(float(o), float(variant(*(b[:arity] if arity == 2 else (b[1],)))))
                for o, b in zip(outs, batches)
            ):
                return name, "probabilities" if as_probs else "logits", outs[0]
        first = outs[0]
    return None, "", first


def _require_callable(fn: Any, example: str) -> None:
    if not callable(fn):
        raise ValueError(f"Pass your function itself (for example `{example}`), not {type(fn).__name__}.")


def _bce(logits: torch.Tensor, target: float) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits.double(), torch.full_like(logits.double(), target))


_LOG_D = lambda a: F.logsigmoid(a.double())  # log D = log sigmoid(a)
_LOG_1MD = lambda a: F.logsigmoid(-a.double())  # log(1 - D) = log sigmoid(-a)

D_LOSS_VARIANTS: dict[str, Callable] = {
    "correct": lambda r, f: _bce(r, 1.0) + _bce(f, 0.0),
    "half": lambda r, f: 0.5 * (_bce(r, 1.0) + _bce(f, 0.0)),
    "article_sign": lambda r, f: -_LOG_D(r).mean() + _LOG_1MD(f).mean(),
    "maximise_v": lambda r, f: _LOG_D(r).mean() + _LOG_1MD(f).mean(),
    "no_fake": lambda r, f: -_LOG_D(r).mean(),
    "swapped": lambda r, f: _bce(r, 0.0) + _bce(f, 1.0),
    "sum": lambda r, f: -_LOG_D(r).sum() - _LOG_1MD(f).sum(),
    "generator_style": lambda r, f: -_LOG_D(r).mean() - _LOG_D(f).mean(),
}
D_LOSS_HINTS = {
    "article_sign": "The fake term has the wrong sign: this is the article's L_D = -E[log D(x)] + E[log(1 - D(G(z)))]. "
    "D wants D(G(z)) -> 0, i.e. log(1 - D(G(z))) -> 0 from below, so that term must also be subtracted: "
    "L_D = -E[log D(x)] - E[log(1 - D(G(z)))].",
    "maximise_v": "You wrote V(D, G) itself, which the discriminator MAXIMISES. A loss is minimised, so use -V: "
    "put a minus sign in front of both terms.",
    "no_fake": "Only the real term is there. Without -E[log(1 - D(G(z)))], D is never told to reject fakes "
    "and can win by saying 'real' to everything.",
    "swapped": "The labels are swapped: real images should have target 1 and fakes target 0 "
    "(binary_cross_entropy(D(x), 1) + binary_cross_entropy(D(G(z)), 0)).",
    "sum": "Use the batch mean (E[...] is an average), not the sum: with a sum the loss and its gradient "
    "grow with the batch size.",
    "generator_style": "The fake term is -log D(G(z)): that is the (non-saturating) GENERATOR's loss. "
    "D wants the fakes labelled 0, so its fake term is -log(1 - D(G(z))).",
}


def check_d_loss(fn: Callable) -> bool:
    """Exercise (03): fn(real, fake) -> the discriminator loss, on logits or on probabilities D(x), D(G(z))."""
    _require_callable(fn, "check_d_loss(my_d_loss)")
    name, form, out = _match_loss(fn, D_LOSS_VARIANTS, arity=2)
    if name in ("correct", "half"):
        extra = " (scaled by 1/2, which only rescales the gradient)" if name == "half" else ""
        return _correct(f"Your L_D, written on {form}{extra}, is -E[log D(x)] - E[log(1 - D(G(z)))].")
    if name == "not_scalar":
        raise WrongAnswer("Your loss returns one value per example: reduce it to one number with .mean().")
    if name in D_LOSS_HINTS:
        raise WrongAnswer(D_LOSS_HINTS[name])
    if out is None:
        raise WrongAnswer(
            "Your function failed or returned NaN/inf both on logits and on probabilities. Call it as "
            "fn(real, fake) with two 1-D tensors, and take logs of probabilities only (or use "
            "F.binary_cross_entropy_with_logits on logits)."
        )
    expected = float(D_LOSS_VARIANTS["correct"](*_batches()[0]))
    raise WrongAnswer(
        f"Not the discriminator loss yet: on a test batch you return {float(out.flatten()[0]):.4f}, expected "
        f"{expected:.4f} (given logits). L_D = -mean(log D(x_real)) - mean(log(1 - D(x_fake)))."
    )


G_LOSS_VARIANTS: dict[str, Callable] = {
    "nonsaturating": lambda f: _bce(f, 1.0),
    "saturating": lambda f: _LOG_1MD(f).mean(),
    "d_fake_term": lambda f: -_LOG_1MD(f).mean(),
    "wrong_sign": lambda f: _LOG_D(f).mean(),
    "probability": lambda f: -torch.sigmoid(f.double()).mean(),
}
G_LOSS_HINTS = {
    "saturating": "That is the saturating (minimax) loss log(1 - D(G(z))). It is correct in theory, but its gradient "
    "with respect to D's logit is -D(G(z)), which vanishes early in training when D rejects the fakes "
    "(D(G(z)) ~ 0). The non-saturating loss -log D(G(z)) has the same fixed point and gradient -(1 - D(G(z))).",
    "d_fake_term": "-log(1 - D(G(z))) is the discriminator's fake term: minimising it makes the fakes look MORE fake.",
    "wrong_sign": "Sign error: minimising log D(G(z)) pushes D(G(z)) towards 0, which helps D, not G. Use -log D(G(z)).",
    "probability": "-D(G(z)) (the article's 'maximise the probability') has gradient -D(1 - D) with respect to the logit: "
    "it vanishes when D(G(z)) ~ 0, just like the saturating loss. Take the log: -log D(G(z)).",
}


def check_g_loss(fn: Callable) -> bool:
    """Exercise (03): fn(fake) -> a generator loss that does not saturate, on logits or on probabilities."""
    _require_callable(fn, "check_g_loss(my_g_loss)")
    name, form, out = _match_loss(fn, G_LOSS_VARIANTS, arity=1)
    if name == "nonsaturating":
        return _correct(
            f"-E[log D(G(z))], written on {form}: its gradient stays strong when D rejects the fakes."
        )
    if name == "not_scalar":
        raise WrongAnswer("Your loss returns one value per example: reduce it to one number with .mean().")
    if name in G_LOSS_HINTS:
        raise WrongAnswer(G_LOSS_HINTS[name])
    if out is None:
        raise WrongAnswer(
            "Your function failed or returned NaN/inf on both logits and probabilities. Call it as fn(fake)."
        )
    raise WrongAnswer("Not the non-saturating generator loss: it should be -mean(log D(G(z))).")


def check_loss_choice(answer: str) -> bool:
    """Exercise (03): which generator loss keeps a strong gradient when D(G(z)) ~ 0? One of 'a'-'d' (see chapter 03)."""
    hints = {
        "a": G_LOSS_HINTS["saturating"],
        "c": G_LOSS_HINTS["probability"],
        "d": G_LOSS_HINTS["d_fake_term"],
    }
    letter = answer.strip().lower().strip("()") if isinstance(answer, str) else None
    if letter not in ("a", "b", "c", "d"):
        raise ValueError(f"Answer with one letter, 'a', 'b', 'c' or 'd'; got {answer!r}.")
    if letter == "b":
        return _correct(
            "-log D(G(z)): gradient -(1 - D(G(z))) w.r.t. the logit, close to -1 when D(G(z)) ~ 0."
        )
    raise WrongAnswer(hints[letter])


# ---------------------------------------------------------------- numbers


def check_d_star(
    value: Any,
    x: float,
    mu_data: float = 0.0,
    sigma_data: float = 1.0,
    mu_g: float = 2.0,
    sigma_g: float = 1.0,
) -> bool:
    """Exercise (03): the optimal discriminator's output D*(x) for two Gaussians."""
    v = _as_float(value, "D*(x)")
    pd, pg = float(gaussian_pdf(x, mu_data, sigma_data)), float(gaussian_pdf(x, mu_g, sigma_g))
    right = pd / (pd + pg)
    if _close(v, right):
        return _correct(f"D*({x}) = p_data/(p_data + p_g) = {right:.4f}.")
    if _close(v, pg / (pd + pg)):
        raise WrongAnswer(
            "Upside down: that is p_g/(p_data + p_g) = 1 - D*(x), the probability of 'fake'. "
            "D outputs the probability of 'real'."
        )
    if _close(v, pd / pg):
        raise WrongAnswer(
            "That is the density ratio p_data/p_g, which is not a probability. Divide by the SUM: p_data/(p_data + p_g)."
        )
    if _close(v, pd):
        raise WrongAnswer("That is p_data(x) alone. D* weighs it against p_g(x): D* = p_data/(p_data + p_g).")
    if _close(v, 0.5):
        raise WrongAnswer(
            "D* = 1/2 only where p_data(x) = p_g(x) (everywhere, once G is perfect). Here the densities differ."
        )
    if not 0 <= v <= 1:
        raise WrongAnswer(f"D*(x) is a probability, between 0 and 1; you gave {v:.4g}.")
    raise WrongAnswer(
        f"Not quite: you gave {v:.4f}. Evaluate both Gaussian densities at x = {x} and form p_data/(p_data + p_g)."
    )


def check_value_at_equilibrium(value: Any) -> bool:
    """Exercise (03): V(D*, G) when p_g = p_data (natural logs)."""
    v = _as_float(value, "V(D*, G)")
    if _close(v, -LOG4):
        return _correct("V(D*, G) = log(1/2) + log(1/2) = -log 4 ~ -1.386, its global minimum over G.")
    if _close(v, LOG4):
        raise WrongAnswer("Sign: log(1/2) is negative. V = E[log D*] + E[log(1 - D*)] = 2 log(1/2) = -log 4.")
    if _close(v, 0.0):
        raise WrongAnswer(
            "0 is the JSD at p_g = p_data. V(D*, G) = -log 4 + 2 JSD, so at equilibrium V = -log 4."
        )
    if _close(v, -math.log(2)):
        raise WrongAnswer(
            "That is one of the two terms (E[log 1/2] = -log 2). V has two: -log 2 - log 2 = -log 4."
        )
    if _close(v, 0.5):
        raise WrongAnswer(
            "1/2 is D*(x) at equilibrium, not V. Plug D* = 1/2 into V = E[log D] + E[log(1 - D)]."
        )
    if _close(v, -math.log10(4)) or _close(v, -2.0):
        raise WrongAnswer("Use natural logs (np.log, torch.log), as the GAN paper does: -log 4 ~ -1.386.")
    raise WrongAnswer(f"Not quite: you gave {v:.4f}. At equilibrium D* = 1/2 everywhere; plug that into V.")


# ---------------------------------------------------------------- chapter 02: networks


def _conv_out(size: int, layer: nn.Module) -> int:
    k, s, p = layer.kernel_size[0], layer.stride[0], layer.padding[0]
    if isinstance(layer, nn.ConvTranspose2d):
        return (size - 1) * s - 2 * p + k + layer.output_padding[0]
    return (size + 2 * p - k) // s + 1


def check_output_shape(answer: Any, layer: nn.Module, input_shape: tuple[int, ...]) -> bool:
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
        return _correct(f"{type(layer).__name__} maps {tuple(input_shape)} -> {right}.")
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
    raise WrongAnswer(
        f"Height/width: the output is {right[2]}x{right[3]}, not {ans[2]}x{ans[3]}. "
        "Conv2d: floor((H + 2p - k)/s) + 1; ConvTranspose2d: (H - 1)s - 2p + k."
    )


def check_parameter_count(answer: Any, model: nn.Module) -> bool:
    """Exercise (02): the number of trainable parameters of `model`."""
    if not isinstance(model, nn.Module):
        raise ValueError(f"The second argument must be the layer or model; got {type(model).__name__}.")
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
        raise ValueError(f"Give the count as an integer; got {answer!r}.")
    right = sum(p.numel() for p in model.parameters() if p.requires_grad)
    if answer == right:
        return _correct(f"{right:,} trainable parameters.")
    biases = sum(p.numel() for n, p in model.named_parameters() if n.endswith("bias"))
    if biases and answer == right - biases:
        raise WrongAnswer(
            f"You counted only the weights: add the {biases} bias terms (one per output channel or unit)."
        )
    buffers = sum(b.numel() for n, b in model.named_buffers() if "running" in n)
    if buffers and answer == right + buffers:
        raise WrongAnswer(
            "BatchNorm's running mean and variance are buffers, updated without gradients: they are not trainable parameters."
        )
    convs = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    if convs:
        no_kernel = (
            right - sum(m.weight.numel() for m in convs) + sum(m.in_channels * m.out_channels for m in convs)
        )
        if answer == no_kernel:
            raise WrongAnswer(
                "Each filter has kernel_size x kernel_size weights per input channel: multiply by k*k."
            )
    raise WrongAnswer(
        f"Not quite: {answer:,} vs the true count. A conv layer has out*in*k*k weights plus out biases; "
        "sum over layers (`count_parameters(model)` tells you the total)."
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


def check_model_kinds(answers: dict) -> bool:
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
    return _correct("Generative models sample x; discriminative models predict something about a given x.")


def check_prob_real(fn: Callable) -> bool:
    """Exercise (02): fn(logit) -> D(x), the probability 'real', safe for every logit."""
    _require_callable(fn, "check_prob_real(my_prob_real)")
    a = torch.tensor([-200.0, -30.0, -2.0, 0.0, 0.5, 3.0, 30.0, 200.0])
    try:
        with torch.no_grad():
            out = fn(a.clone())
    except Exception as exc:
        raise WrongAnswer(
            f"Your function fails on a tensor of logits ({type(exc).__name__}: {exc})."
        ) from None
    out = torch.as_tensor(out, dtype=torch.float32)
    if out.shape != a.shape:
        raise WrongAnswer(
            f"Return one probability per logit (shape {tuple(a.shape)}); got shape {tuple(out.shape)}."
        )
    right = torch.sigmoid(a)
    moderate = slice(2, 6)
    if torch.isfinite(out[moderate]).all() and torch.allclose(out[moderate], right[moderate], atol=1e-5):
        if not torch.isfinite(out).all():
            raise WrongAnswer(
                "Right formula, but it overflows: exp(200) is inf in float32 and inf/inf = NaN. "
                "Use torch.sigmoid(logit), or 1 / (1 + exp(-logit)), which never divides inf by inf."
            )
        if torch.allclose(out, right, atol=1e-6):
            return _correct("exp(a)/(1 + exp(a)) is just sigmoid(a): the article's D1(x) is the logit.")
    if torch.allclose(out[moderate], 1 - right[moderate], atol=1e-5):
        raise WrongAnswer(
            "Upside down: that is 1 - sigmoid(a) = sigmoid(-a). The probability 'real' grows with the logit."
        )
    if torch.allclose(out[moderate], torch.exp(a[moderate]), atol=1e-5):
        raise WrongAnswer("exp(a) alone is not a probability (it exceeds 1 for a > 0): divide by 1 + exp(a).")
    if torch.allclose(out[moderate], torch.tanh(a[moderate]), atol=1e-5):
        raise WrongAnswer(
            "tanh has range (-1, 1), not (0, 1): negative values cannot be probabilities. Use the sigmoid."
        )
    raise WrongAnswer("Not sigmoid(a) yet: D(x) = exp(a)/(1 + exp(a)) = 1/(1 + exp(-a)).")


# ---------------------------------------------------------------- chapter 05: DCGAN on MNIST


def check_scale_images(fn: Callable) -> bool:
    """Exercise (05): `fn` maps uint8 pixels (0..255) to floats in [-1, 1], the range of G's tanh."""
    _require_callable(fn, "def scale(x): return x.float() / 127.5 - 1")
    x = torch.tensor([[0, 64, 128, 255]], dtype=torch.uint8)
    right = x.float() / 127.5 - 1
    try:
        out = fn(x.clone())
    except Exception as exc:
        raise WrongAnswer(
            f"Your function raised {type(exc).__name__}: {exc}. It receives a uint8 tensor."
        ) from None
    out = torch.as_tensor(out)
    if out.shape != x.shape:
        raise WrongAnswer(
            f"Keep the shape: {tuple(x.shape)} in, {tuple(x.shape)} out; you returned {tuple(out.shape)}."
        )
    if not out.is_floating_point():
        raise WrongAnswer(
            "The result is still an integer tensor: convert with .float() before dividing, "
            "or the fractions are lost."
        )
    if torch.allclose(out, right, atol=1e-4):
        return _correct("0 -> -1 (background), 255 -> +1 (ink): the same range as tanh.")
    if torch.allclose(out, x.float() / 255, atol=1e-4):
        raise WrongAnswer(
            "That is [0, 1], what ToTensor() gives. G ends in tanh, so its pixels lie in [-1, 1]: with "
            "real data in [0, 1], D can spot fakes by their negative pixels alone. Use x / 127.5 - 1."
        )
    if torch.allclose(out, x.float() / 127.5, atol=1e-4):
        raise WrongAnswer("That is [0, 2]: subtract 1 after dividing by 127.5.")
    if torch.allclose(out, 1 - x.float() / 127.5, atol=1e-4):
        raise WrongAnswer("Upside down: 0 (background) must map to -1 and 255 (ink) to +1.")
    if torch.allclose(out, (x.float() - 127.5) / 255, atol=1e-4):
        raise WrongAnswer("That is [-0.5, 0.5]: divide by 127.5, not by 255, after centring.")
    raise WrongAnswer(
        f"For pixels {x.tolist()[0]} expected {[round(v, 3) for v in right.tolist()[0]]}; "
        f"got {[round(v, 3) for v in out.float().tolist()[0]]}."
    )
