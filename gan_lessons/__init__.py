"""GAN Lessons: the helpers the notebooks import. Each name says which chapter introduces it."""

from . import checks, theory
from .autoencoder import AutoEncoder, train_autoencoder
from .checkpoint import (
    load_checkpoint,
    load_generator,
    load_pretrained_generator,
    read_checkpoint,
    save_checkpoint,
)
from .classifier import LeNet, accuracy, predict, train_classifier
from .compare import REMEDIES, compare_remedies, format_table, ring_modes_reached
from .conditioning import ConditioningReport, conditioning_accuracy, fid_per_class
from .config import DATA_DIR, QUICK, get_device, set_seed, single_thread
from .data import (
    MNISTDigits,
    SegmentationSet,
    check_masks,
    load_mnist,
    make_segmentation_set,
    segmentation_splits,
    shuffled_indices,
    to_uint8,
)
from .diagnostics import DiagnosticsTracker, diagnose
from .diffusion import Denoiser, NoiseSchedule, diffusion_sample, train_denoiser
from .feature_net import lenet_features, load_feature_net
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
    FIDTracker,
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
from .models import (
    AugmentedDiscriminator,
    ConditionalDiscriminator,
    ConditionalGenerator,
    Discriminator,
    Generator,
    MinibatchStdDev,
    PatchDiscriminator,
    UNet,
    check_labels,
    count_parameters,
    diff_augment,
    init_dcgan_weights,
    one_hot_channels,
    trace_shapes,
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
from .run import CONDITIONAL_RECIPE, GANRun, TrainConfig, new_run
from .segmentation import dice, iou, pixel_accuracy, segmentation_report, spurious_components
from .toy import PRESETS, ToyGAN, make_data, modes_reached
from .train import (
    NonFiniteLossError,
    epoch_loader,
    pixel_loss,
    predict_masks,
    train,
    train_conditional,
    train_segmenter,
    update_D,
    update_G,
    update_G_paired,
)
from .widgets import conditional_explorer, gaussian_explorer, latent_explorer, playground

__version__ = "0.1.0"
