"""GAN Lessons: the helpers the notebooks import. Each name says which chapter introduces it."""

from . import checks, theory
from .autoencoder import AutoEncoder, train_autoencoder
from .checkpoint import load_checkpoint, load_generator, read_checkpoint, save_checkpoint  # 05_dcgan_mnist
from .classifier import LeNet, accuracy, predict, train_classifier
from .config import DATA_DIR, QUICK, get_device, set_seed, single_thread  # 00_index
from .data import MNISTDigits, load_mnist, to_uint8
from .diffusion import Denoiser, NoiseSchedule, diffusion_sample, train_denoiser  # 12_future_and_faq
from .losses import (  # 03_loss_math; the registry from 04_toy_gan_playground
    LOSSES,
    LossFamily,
    d_loss_bce,
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
)
from .metrics import (  # 09_evaluating
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
    lenet_features,
    load_feature_net,
    nearest_neighbours,
    precision_recall,
    precision_recall_from_features,
)
from .models import Discriminator, Generator, count_parameters, init_dcgan_weights, trace_shapes
from .plot import PlaygroundFigure, image_grid, plot_history, save_gif, show_images, show_sample_progress
from .run import GANRun, TrainConfig, new_run  # 05_dcgan_mnist
from .toy import PRESETS, ToyGAN, make_data, mode_coverage  # 04_toy_gan_playground
from .train import NonFiniteLossError, epoch_loader, train, update_D, update_G  # 05_dcgan_mnist
from .widgets import gaussian_explorer, latent_explorer, playground  # chapters 03, 04, 05

__version__ = "0.1.0"
