"""GAN Lessons: the helpers the notebooks import. Each name says which chapter introduces it."""

from . import checks, theory
from .baselines import AutoEncoder, LeNet, accuracy, predict, train_autoencoder, train_classifier
from .conditional import (
    CONDITIONAL_RECIPE,
    ConditionalDiscriminator,
    ConditionalGenerator,
    ConditioningReport,
    conditioning_accuracy,
    fid_per_class,
)
from .config import DATA_DIR, QUICK, get_device, set_seed, single_thread
from .data import MNISTDigits, load_mnist, shuffled_indices, to_uint8
from .dcgan import (
    Discriminator,
    GANRun,
    Generator,
    TrainConfig,
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
from .ddpm import Denoiser, NoiseSchedule, diffusion_sample, train_denoiser
from .engine import DOptions, Loop, NonFiniteLossError, Position, epoch_loader, fit, update_D, update_G
from .feature_net import lenet_features, load_feature_net
from .layers import (
    AugmentedDiscriminator,
    MinibatchStdDev,
    check_labels,
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
    d_loss_wasserstein,
    g_loss_hinge,
    g_loss_least_squares,
    g_loss_minimax,
    g_loss_nonsaturating,
    g_loss_wasserstein,
    get_loss,
    gradient_penalty,
    r1_penalty,
)
from .metrics import (
    FID_LABEL,
    FeatureStats,
    SmallSampleWarning,
    class_coverage,
    evaluate,
    feature_stats,
    fid,
    frechet_distance,
    inception_score_like,
    nearest_neighbours,
    precision_recall,
    precision_recall_from_features,
)
from .pix2pix import (
    PatchDiscriminator,
    SegmentationSet,
    UNet,
    make_segmentation_set,
    pixel_loss,
    predict_masks,
    segmentation_splits,
    train_segmenter,
    update_G_paired,
)
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
from .remedies import REMEDIES, compare_remedies, format_table, ring_modes_reached
from .segmentation import check_masks, dice, iou, pixel_accuracy, segmentation_report, spurious_components
from .toy2d import PRESETS, ToyGAN, make_data, modes_reached
from .trackers import DiagnosticsTracker, FIDTracker, diagnose
from .widgets import conditional_explorer, gaussian_explorer, latent_explorer, playground

__version__ = "0.1.0"
