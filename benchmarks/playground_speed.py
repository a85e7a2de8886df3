"""How fast the chapter 04 playground and the latent explorer are on this machine. Prints numbers; asserts nothing.

    .venv/bin/python benchmarks/playground_speed.py            # about 40 s
    .venv/bin/python benchmarks/playground_speed.py --seconds 20 --trained

Measures, on the CPU:
1. the playground while playing (background thread): training iterations per second and frames per
   second together, as a student sees them; and how long a control change takes to return
   meanwhile (the notebook must not freeze);
2. the parts alone: training iterations per second without drawing, and one frame's render time;
3. latent_explorer(G): redraw time per slider move (median and 95th percentile) for the chapter 05
   generator (untrained by default: the same network and the same work; --trained trains it for
   one epoch on the shipped digits first).
Targets (issues 5 and 25): >= 20 iterations/s with >= 5 frames/s, with every overlay on (gradient arrows,
manifold, KL/JS); a control change (lr, G steps per D step, speed) answered within 200 ms; latent explorer
redraw < 50 ms.
Timings on a shared machine are noisy: run it on a quiet one for numbers to quote.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import torch


def playground_while_playing(seconds: float, overlays: bool = True) -> dict:
    """Play for `seconds`; with `overlays`, every overlay on: G's gradient arrows, G's manifold, and the KL/JS
    panel (always on), with G steps per D step at 1 (the default)."""
    from gan_lessons.widgets import playground

    pg = playground("ring", seed=0)
    pg.show_grads.value = overlays
    pg.show_manifold.value = overlays
    pg.play()
    time.sleep(1.0)  # warm-up
    it0, f0, t0 = pg.gan.iteration, pg.frames, time.perf_counter()
    latencies = []
    end = t0 + seconds
    values = [1e-3, 2e-3]
    while time.perf_counter() < end:
        time.sleep(0.5)
        start = time.perf_counter()
        control = (
            pg.lr_g if len(latencies) % 2 == 0 else pg.lr_d
        )  # an instructor moving sliders while it plays
        control.value = values[(len(latencies) // 2) % 2]
        latencies.append(1000 * (time.perf_counter() - start))
    it1, f1, t1 = pg.gan.iteration, pg.frames, time.perf_counter()
    # the new controls, still playing (after the measurement: they change what an iteration or a frame is)
    for control, value in ((pg.g_steps, 2), (pg.g_steps, 1), (pg.speed, "10"), (pg.speed, "auto")):
        time.sleep(0.3)
        start = time.perf_counter()
        control.value = value
        latencies.append(1000 * (time.perf_counter() - start))
    pg.pause()
    assert pg.error is None, pg.error
    return {
        "iterations_per_s": (it1 - it0) / (t1 - t0),
        "frames_per_s": (f1 - f0) / (t1 - t0),
        "steps_per_frame": pg.steps_per_frame,
        "control_ms_median": statistics.median(latencies),
        "control_ms_max": max(latencies),
    }


def data_change_latency() -> dict:
    """How long the dashboard takes to answer a finished stroke of the canvas (the drawing's points arrive
    in its text box) and a shipped snapshot chosen in the menu (load, restore, redraw)."""
    import numpy as np

    from gan_lessons.widgets import playground

    pg = playground("ring", seed=0)
    t = np.linspace(0, 2 * np.pi, 120)
    start = time.perf_counter()
    pg.draw_points.value = "\n".join(f"{np.cos(a):.3f}, {np.sin(2 * a):.3f}" for a in t)
    drawing_ms = 1000 * (time.perf_counter() - start)
    assert pg.gan.data.name == "custom"
    start = time.perf_counter()
    pg.start_from.value = "toy_spiral_mid.pt"
    snapshot_ms = 1000 * (time.perf_counter() - start)
    assert pg.gan.iteration == 1000, pg.status.value
    return {"points": len(t), "drawing_ms": drawing_ms, "snapshot_ms": snapshot_ms}


def parts_alone(n_steps: int = 500, n_frames: int = 30) -> dict:
    from gan_lessons import PlaygroundFigure, ToyGAN

    gan = ToyGAN("ring", seed=0)
    gan.step(20)
    start = time.perf_counter()
    gan.step(n_steps)
    steps_per_s = n_steps / (time.perf_counter() - start)
    fig = PlaygroundFigure(gan)
    fig.render(gan)
    times = []
    for _ in range(n_frames):
        gan.step(5)
        start = time.perf_counter()
        fig.render(gan)
        times.append(1000 * (time.perf_counter() - start))
    fig.show_grads = True
    grads = []
    for _ in range(n_frames // 2):
        start = time.perf_counter()
        fig.render(gan)
        grads.append(1000 * (time.perf_counter() - start))
    return {
        "train_only_iterations_per_s": steps_per_s,
        "render_ms_median": statistics.median(times),
        "render_with_arrows_ms_median": statistics.median(grads),
        "full_redraws": fig.full_draws,
    }


def latent_explorer_redraw(trained: bool, moves: int = 60) -> dict:
    from gan_lessons.widgets import latent_explorer

    if trained:
        from gan_lessons import load_mnist, new_run, train

        run = new_run()
        train(run, load_mnist(), 1, progress=False)
        G = run.G
    else:
        from gan_lessons import Generator

        torch.manual_seed(0)
        G = Generator(latent_dim=64, width=32)
    box = latent_explorer(G)
    box.redraw_ms.clear()
    for i in range(moves):
        control = box.t if i % 2 == 0 else box.sliders[i % len(box.sliders)]
        control.value = round((i % 10) / 10 * (control.max - control.min) + control.min, 2)
    ms = sorted(box.redraw_ms)
    return {
        "redraws": len(ms),
        "redraw_ms_median": statistics.median(ms),
        "redraw_ms_p95": ms[int(0.95 * (len(ms) - 1))],
        "redraw_ms_max": ms[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="how long to play (default 15)")
    parser.add_argument(
        "--trained", action="store_true", help="train the chapter 05 generator for 1 epoch first"
    )
    args = parser.parse_args()
    if args.seconds <= 0:
        raise SystemExit("--seconds must be > 0")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load average {load:.1f}; "
        f"torch {torch.__version__} with {torch.get_num_threads()} threads"
    )
    play = playground_while_playing(args.seconds)
    print(
        f"playground, playing {args.seconds:.0f} s with every overlay on (arrows, manifold, KL/JS): "
        f"{play['iterations_per_s']:.0f} iterations/s, "
        f"{play['frames_per_s']:.1f} frames/s ({play['steps_per_frame']} iterations per frame at the end); "
        f"a control change returns in {play['control_ms_median']:.0f} ms (median), {play['control_ms_max']:.0f} ms (max)"
    )
    data = data_change_latency()
    print(
        f"your own data: a drawing of {data['points']} points becomes the data in {data['drawing_ms']:.0f} ms; "
        f"loading a snapshot takes {data['snapshot_ms']:.0f} ms"
    )
    parts = parts_alone()
    print(
        f"parts alone: training {parts['train_only_iterations_per_s']:.0f} iterations/s without drawing; "
        f"one frame {parts['render_ms_median']:.0f} ms ({parts['render_with_arrows_ms_median']:.0f} ms with arrows), "
        f"{parts['full_redraws']} full redraws of the cached background"
    )
    le = latent_explorer_redraw(args.trained)
    print(
        f"latent_explorer ({'trained 1 epoch' if args.trained else 'untrained'} Generator(64, 32)): "
        f"redraw {le['redraw_ms_median']:.1f} ms median, {le['redraw_ms_p95']:.1f} ms p95, "
        f"{le['redraw_ms_max']:.1f} ms max over {le['redraws']} slider moves"
    )
    ok = (
        play["iterations_per_s"] >= 20
        and play["frames_per_s"] >= 5
        and play["control_ms_max"] < 200
        and le["redraw_ms_median"] < 50
    )
    print(
        "targets (>= 20 it/s with >= 5 fps; control change < 200 ms; redraw < 50 ms):",
        "met" if ok else "NOT met on this run",
    )


if __name__ == "__main__":
    main()
