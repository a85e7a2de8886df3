import os

import matplotlib

matplotlib.use("Agg")
os.environ.setdefault("GAN_LESSONS_QUICK", "1")
