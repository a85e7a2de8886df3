"""GAN Lessons: the helpers the notebooks import, re-exported from one place. Every module lists its public
names in `__all__`, and this file re-exports all of them (tests/test_architecture.py checks it); each
name's docstring says which chapter introduces it. ARCHITECTURE.md has the module map."""

from . import checks, theory
from .baselines import AutoEncoder, accuracy, predict, train_autoencoder, train_classifier
from .conditional import (
    CONDITIONAL_RECIPE,
    SHIPPED_CONDITIONAL,
    ConditionalDiscriminator,
    ConditionalGenerator,
    ConditioningReport,
    conditional_generator_bytes,
    conditioning_accuracy,
    fid_per_class,
    load_conditional_generator,
    obedient_samples,
    recall_per_class,
)
from .config import DATA_DIR, QUICK, Chapter, get_device, set_seed, setup_chapter, single_thread
from .data import MNISTDigits, load_mnist, shuffled_indices, to_uint8
from .dcgan import (
    Discriminator,
    GANRun,
    Generator,
    gan_step,
    load_checkpoint,
    load_generator,
    load_pretrained_generator,
    new_run,
    read_checkpoint,
    save_checkpoint,
    train,
    train_conditional,
)
from .ddpm import (
    DENOISER_RECIPE,
    FLOW_TIME_SCALE,
    Denoiser,
    NoiseSchedule,
    ddim_step,
    denoiser_bytes,
    diffusion_sample,
    flow_matching_pair,
    flow_sample,
    load_denoiser,
    train_denoiser,
    train_flow_matching,
    train_recipe_denoiser,
)
from .engine import (
    DOptions,
    Loop,
    NonFiniteLossError,
    Position,
    check_budget,
    check_finite,
    epoch_loader,
    fit,
    optimizer_step,
    report_stop,
    update_D,
    update_G,
)
from .feature_net import (
    FEATURE_NET_FORMAT,
    LeNet,
    as_images,
    class_probabilities,
    feature_net_path,
    lenet_features,
    load_feature_net,
    penultimate,
    probabilities_from_features,
)
from .layers import (
    D_NORMS,
    AugmentedDiscriminator,
    MinibatchStdDev,
    ada_adjust,
    check_labels,
    conv_operator_norm,
    count_parameters,
    diff_augment,
    init_dcgan_weights,
    one_hot_channels,
    trace_shapes,
)
from .losses import (
    LOSSES,
    LossFamily,
    auxiliary_class_loss,
    clip_weights_,
    d_loss_bce,
    d_loss_bce_smoothed,
    d_loss_hinge,
    d_loss_least_squares,
    d_loss_relativistic,
    d_loss_wasserstein,
    g_loss_hinge,
    g_loss_least_squares,
    g_loss_minimax,
    g_loss_nonsaturating,
    g_loss_relativistic,
    g_loss_wasserstein,
    get_loss,
    gradient_penalty,
    r1_penalty,
    r2_penalty,
)
from .metrics import (
    FID_LABEL,
    IS_LABEL,
    MIN_FID_SAMPLES,
    Coverage,
    EvalReport,
    FeatureStats,
    NearestNeighbours,
    PrecisionRecall,
    SmallSampleWarning,
    class_coverage,
    coverage_from_counts,
    evaluate,
    evaluate_features,
    feature_stats,
    fid,
    frechet_distance,
    inception_score_from_probs,
    inception_score_like,
    knn_radii,
    nearest_neighbours,
    precision_recall,
    precision_recall_from_features,
)
from .pix2pix import (
    GRID_RESULTS,
    METHODS,
    PIX2PIX_LAMBDA,
    SEG_SIZE,
    SEMI_ADV_WEIGHT,
    SHIPPED_N,
    PatchDiscriminator,
    SegmentationSet,
    SegmenterConfig,
    UNet,
    fit_segmenter,
    frozen,
    grid_cell,
    load_grid,
    load_segmenter,
    make_segmentation_set,
    mask_for_D,
    new_segmenter,
    pixel_loss,
    predict_masks,
    segmentation_splits,
    semi_g_loss,
    semi_g_step,
    train_segmenter,
    update_G_paired,
)
from .playground_html import canvas_html, model_overview_html
from .plot import (
    PlaygroundFigure,
    image_grid,
    plot_diagnostics,
    plot_history,
    plot_toy_runs,
    save_gif,
    show_images,
    show_sample_progress,
)
from .points2d import grid_divergences, load_points, modes_reached, parse_points
from .remedies import (
    BASE,
    PAIRING_SETTINGS,
    REMEDIES,
    STABILIZING_TABLE_FORMAT,
    compare_remedies,
    format_seed_summary,
    format_table,
    load_ring_pairing,
    load_stabilizing_table,
    pairing_modes_reached,
    ring_modes_reached,
    rows_by_remedy,
    stabilizing_table_path,
    train_for_g_steps,
)
from .segmentation import (
    boundary_f1,
    check_masks,
    iou,
    pixel_accuracy,
    segmentation_report,
    spurious_components,
)
from .toy2d import PRESETS, ToyGAN, make_data
from .trackers import (
    KL_COLLAPSE,
    Diagnosis,
    DiagnosticsTracker,
    FIDTracker,
    Tracker,
    diagnose,
    eval_table,
    log_eval,
    upgrade_history,
)
from .train_config import TrainConfig
from .widgets import conditional_explorer, gaussian_explorer, latent_explorer, playground

__version__ = "0.1.0"

# The playground's snapshots (issue 25) and the latent tools, appended as their own block.
from .latent import (  # noqa: E402
    Encoder,
    Inversion,
    TruncationRow,
    attribute_direction,
    class_swap,
    edit,
    encode_invert,
    error_summary,
    format_truncation_table,
    ink,
    invert,
    nearest_errors,
    train_encoder,
    truncate,
    truncation_sweep,
)
from .toy2d import SHIPPED_SNAPSHOT_RECIPES, load_shipped_snapshot  # noqa: E402
