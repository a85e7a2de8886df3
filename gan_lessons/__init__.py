"""GAN Lessons: the helpers the notebooks import. Each name says which chapter introduces it."""

from . import checks, theory
from .autoencoder import AutoEncoder, train_autoencoder
from .classifier import LeNet, accuracy, predict, train_classifier
from .config import DATA_DIR, QUICK, get_device, set_seed
from .data import MNISTDigits, load_mnist, to_uint8
from .losses import d_loss_bce, g_loss_minimax, g_loss_nonsaturating
from .metrics import (  # 09_evaluating
    FID_LABEL,
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
)
from .models import Discriminator, Generator, count_parameters, init_dcgan_weights, trace_shapes
from .plot import image_grid, plot_history, show_images, show_sample_progress
from .toy import ToyGAN, make_data, mode_coverage  # 04_toy_gan_playground
from .train import (
    GANRun,
    NonFiniteLossError,
    TrainConfig,
    load_checkpoint,
    load_generator,
    new_run,
    save_checkpoint,
    train,
)
from .widgets import latent_explorer, playground  # 04_toy_gan_playground, 05_dcgan_mnist

__version__ = "0.1.0"
