"""Helpers shared by every page of the course.

The pages import this module, whether they are executed by ``jupyter-book build``,
by the tests, or by a student in Jupyter: ``pip install -e .`` (done by ``make``)
puts it on the path of the course's virtual environment.
"""

import contextlib
import hashlib
import io
import json
import os
import textwrap
from collections import namedtuple
from html import escape as html_escape
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import ArtistAnimation

REPO_ROOT = Path(__file__).resolve().parent
DATA_DIR = REPO_ROOT / "data"
CAT_PHOTO = DATA_DIR / "cat.jpg"
WIDGETS_DIR = REPO_ROOT / "widgets"  # the JavaScript, CSS and HTML of the interactive parts

# One palette for the whole book; colour-blind safe (Okabe & Ito).
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]

COURSE_STYLE = {
    "figure.figsize": (6.4, 3.2),
    "figure.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "image.cmap": "gray",
    # A fixed salt makes the ids inside SVG figures identical from build to build.
    "svg.hashsalt": "cnn-course",
}


# What ``setup`` puts in the environment before TensorFlow is first imported.
#  - TF_CPP_MIN_LOG_LEVEL: TensorFlow's C++ log (start-up notes, harmless graph warnings)
#    would land in the pages' outputs; Python errors still raise.
#  - TF_ENABLE_ONEDNN_OPTS: oneDNN kernels sum floating-point numbers in an order that
#    depends on the CPU, so printed results would differ in the last digits from machine
#    to machine, and they announce themselves on stderr with a time stamp. The plain
#    kernels are used instead.
#  - TF_NUM_INTRAOP_THREADS: the plain kernels split a long sum between threads, and
#    the split changes how it is rounded. By default TensorFlow takes one thread per
#    core, so a machine with more cores would train to other numbers than the book's
#    (with one thread, three pages' trainings end far enough from the book's to fail
#    their checks). Two threads, as on the two-core machines that build the book, give
#    its numbers whatever the number of cores. (Another kind of CPU, with other vector
#    instructions, may still differ in the last digits.)
#  - SOURCE_DATE_EPOCH: Matplotlib stamps SVG and PDF files with this date instead of the
#    current time, so that a rebuild writes identical figures.
COURSE_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0",
                      "TF_NUM_INTRAOP_THREADS": "2", "SOURCE_DATE_EPOCH": "0"}


SEED_VARIABLE = "COURSE_SEED"
# COURSE_SEED=k shifts every seed of a page by k × SEED_STRIDE, far enough that the
# seeds a page derives from it (SEED + 1, SEED + n_images, ...) never meet another run's.
SEED_STRIDE = 1000
CHECKS_VARIABLE = "COURSE_CHECKS"


def run_seed():
    """The base seed of this run: 0, or SEED_STRIDE × the environment's COURSE_SEED.

    Every seed a page uses (data, initialisation, shuffling, augmentation) is this one
    plus a constant, so one variable moves a whole page to another random draw, while an
    unset variable gives the book's usual numbers.
    """
    value = os.environ.get(SEED_VARIABLE, "").strip()
    if not value:
        return 0
    if not value.isdigit():
        raise ValueError(f"{SEED_VARIABLE} must be a non-negative whole number, got {value!r}")
    return SEED_STRIDE * int(value)


def setup():
    """Prepare a page and return its base seed: call it in the page's first cell, before
    Keras or TensorFlow is imported, as ``SEED = setup()``.

    It sets TensorFlow's environment (quiet, the book's numbers on any number of cores),
    applies the course's figure style and seeds Python, NumPy and, once imported,
    TensorFlow, with the run's seed (``run_seed()``: 0 unless COURSE_SEED is set).
    Importing this module changes nothing by itself.
    """
    import sys

    if "tensorflow" in sys.modules and any(
            os.environ.get(name) != value for name, value in COURSE_ENVIRONMENT.items()
            if name.startswith("TF_")):
        raise RuntimeError(
            "TensorFlow was imported before notebook_utils.setup(): its log and its "
            "numerical kernels are already fixed. Restart the kernel and call setup() "
            "first, before `import keras` or `import tensorflow`."
        )
    seed = run_seed()
    for name, value in COURSE_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    _import_tensorflow_quietly()
    prepare_notebook_graphics()
    make_deterministic(seed)
    return seed


def _import_tensorflow_quietly():
    """Import TensorFlow with the process's stderr closed.

    While its C++ core loads, before TF_CPP_MIN_LOG_LEVEL applies, TensorFlow writes a
    few lines straight to file descriptor 2 (absl's "All log messages before
    absl::InitializeLog() is called...", oneDNN's notice where it is on). In a notebook
    they land on stderr, in red, and say nothing to a reader.
    """
    import sys

    if "tensorflow" not in sys.modules:
        with native_stderr_closed():
            import tensorflow  # noqa: F401
    import tensorflow as tf

    tf.get_logger().addFilter(_not_a_retracing_warning)


def _not_a_retracing_warning(record):
    """TensorFlow warns when a function is traced again ("5 out of the last 12 calls ...
    triggered tf.function retracing"): a page that trains several fresh models, each
    with a fresh optimizer as it should, retraces by design. The warning names memory
    addresses, so two runs would print different outputs; it tells a reader nothing."""
    return "triggered tf.function retracing" not in record.getMessage()


@contextlib.contextmanager
def native_stderr_closed():
    """A context in which file descriptor 2 (the process's stderr) goes nowhere.

    For TensorFlow's C++ code that logs notes there whatever TF_CPP_MIN_LOG_LEVEL says
    (its loading; on some versions its graph optimiser). Python's own ``sys.stderr`` in
    a notebook is not file descriptor 2, and Python errors still raise.
    """
    import sys

    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class ClaimNotMet(AssertionError):
    """A page's claim about its own results does not hold on this run."""


def check(claim, holds, expected, observed):
    """Check a claim the page's text makes about a result it computed.

    ``claim`` says what the text claims ("the ResNet's training loss falls below the
    plain network's"), ``holds`` whether it holds on this run, ``expected`` what the text
    needs and ``observed`` what this run measured (both short phrases).

    Where the book is built or tested (COURSE_CHECKS=strict, set by the build and the
    tests), a claim that does not hold raises ``ClaimNotMet``, which fails the build. In
    a reader's own session (Colab, Binder, local Jupyter) it shows a visible note
    instead and the notebook goes on: training is not bit-identical from one computer
    to another, and a reader who changes a seed or a layer is doing the right thing.
    """
    if not (isinstance(claim, str) and claim):
        raise ValueError(f"claim must say what the text claims, got {claim!r}")
    holds = bool(holds)  # NumPy booleans too
    if holds:
        return True
    message = f"{claim}: expected {expected}, observed {observed}"
    mode = os.environ.get(CHECKS_VARIABLE, "").strip().lower()
    if mode == "strict":
        raise ClaimNotMet(message)
    from IPython.display import display

    note = f"On this run, a result differs from the text. {message}."
    html = ('<div class="course-check-note" role="note" style="border-left: 4px solid #D55E00; '
            'padding: 0.4em 0.8em; margin: 0.5em 0;"><strong>On this run, a result differs '
            f'from the text.</strong> {html_escape(claim)}: expected {html_escape(str(expected))}, '
            f'observed {html_escape(str(observed))}.</div>')
    display({"text/plain": note, "text/html": html}, raw=True,
            metadata={"course_check": {"claim": claim, "expected": str(expected),
                                       "observed": str(observed)}})
    return False


def glue(name, value, display=False):
    """Bind ``value`` to ``name`` for the prose ({glue:text}`name` in MyST-NB).

    In the book this is MyST-NB's ``glue``; where MyST-NB is not installed (Colab) the
    value is simply not exported, and the page runs all the same. NumPy scalars are
    glued as the Python numbers they hold, which format specs such as ``:.3f`` accept.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return
    if isinstance(value, np.generic):
        value = value.item()
    myst_glue(name, value, display=display)


def counted(number, noun, plural=None):
    """A count with its noun in the right number: ``counted(1, "mistake")`` is
    '1 mistake', ``counted(3, "mistake")`` '3 mistakes'; give ``plural`` for nouns
    that do not take an s."""
    if not (isinstance(number, (int, np.integer)) and not isinstance(number, bool)):
        raise TypeError(f"number must be an integer, got {number!r}")
    if not (isinstance(noun, str) and noun):
        raise ValueError(f"noun must be a word, got {noun!r}")
    return f"{number} {noun if number == 1 else (plural or noun + 's')}"


# A figure holding an image of at least this many pixels shows a photograph.
PHOTOGRAPH_PIXELS = 150 * 150


def prepare_notebook_graphics():
    """Apply the course's figure style and make inline figures vector graphics.

    Each figure is kept as SVG, which the HTML book shows (crisp on any screen), and as
    PDF, which the PDF book prints. A figure that shows a photograph is kept as JPEG
    instead of SVG: an SVG would embed the photograph as a PNG, several times heavier
    (`figure_as_jpeg`). Call it once at the top of each page.
    """
    mpl.rcParams.update(COURSE_STYLE)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # plain Python (a script, a test): nothing to display inline
        return
    set_matplotlib_formats("svg", "pdf")
    from IPython import get_ipython
    from matplotlib.figure import Figure

    shell = get_ipython()
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    as_svg = formatters["image/svg+xml"].lookup_by_type(Figure)
    formatters["image/svg+xml"].for_type(
        Figure, lambda figure: None if shows_a_photograph(figure) else as_svg(figure))
    formatters["image/jpeg"].for_type(
        Figure, lambda figure: figure_as_jpeg(figure) if shows_a_photograph(figure) else None)


def shows_a_photograph(figure):
    """Whether one of the figure's axes shows an image of PHOTOGRAPH_PIXELS or more."""
    return any(np.prod(np.shape(image.get_array())[:2]) >= PHOTOGRAPH_PIXELS
               for ax in figure.axes for image in ax.get_images())


def figure_as_jpeg(figure, quality=80, density=1.25):
    """(JPEG bytes, {"width": w, "height": h}) for a figure shown at w x h CSS pixels, the
    size of its SVG (96 pixels per inch), drawn with ``density`` pixels per CSS pixel,
    sharper on dense screens."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="jpeg", dpi=96 * density, bbox_inches="tight",
                   pil_kwargs={"quality": quality, "optimize": True})
    from PIL import Image

    width, height = Image.open(io.BytesIO(buffer.getvalue())).size
    return buffer.getvalue(), {"width": round(width / density), "height": round(height / density)}


def random_walk(n_steps=50, step_std=0.1, seed=0):
    """A seeded random walk: the cumulative sum of N(0, step_std^2) increments."""
    if not (isinstance(n_steps, (int, np.integer)) and n_steps >= 1):
        raise ValueError(f"n_steps must be a positive integer, got {n_steps!r}")
    if not step_std > 0:
        raise ValueError(f"step_std must be positive, got {step_std!r}")
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.normal(loc=0.0, scale=step_std, size=n_steps))


def gaussian_taps(n_taps=5, half_width=2.0):
    """A Gaussian filter: exp(-u^2 / 2) at ``n_taps`` points of [-half_width, half_width],
    normalised to sum to 1."""
    if not (isinstance(n_taps, (int, np.integer)) and n_taps >= 1 and n_taps % 2 == 1):
        raise ValueError(f"n_taps must be a positive odd integer, got {n_taps!r}")
    u = np.linspace(-half_width, half_width, n_taps)
    taps = np.exp(-(u**2) / 2)
    return taps / taps.sum()


def make_deterministic(seed=0):
    """Seed Python, NumPy and TensorFlow, and make TensorFlow's operations deterministic,
    so that training prints the same numbers at every run."""
    if not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def cosine_decay(learning_rate, epochs, n_examples, batch_size):
    """A learning rate that decays from ``learning_rate`` to zero along a cosine over
    ``epochs`` epochs of ``n_examples`` examples in batches of ``batch_size``; give it to
    any Keras optimiser, e.g. ``keras.optimizers.Adam(cosine_decay(3e-3, 20, 4000, 64))``.

    Large steps first, then ever smaller ones: the last epochs fine-tune the weights
    instead of jumping around a minimum.
    """
    for name, value in [("epochs", epochs), ("n_examples", n_examples), ("batch_size", batch_size)]:
        if not (isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1):
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if not (isinstance(learning_rate, (int, float)) and not isinstance(learning_rate, bool)
            and 0 < learning_rate < 1):
        raise ValueError(f"learning_rate must be a number between 0 and 1, got {learning_rate!r}")
    import keras

    steps = epochs * -(-n_examples // batch_size)  # batches per epoch, the last one partial
    return keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps)


def load_mnist1d(seed=None):
    """The MNIST-1D data set (Greydanus, 2020), generated locally: with its published
    seed (42) by default, or with ``seed`` (the robustness run draws other data sets).

    Returns ``(x_train, y_train), (x_test, y_test)``: 4,000 and 1,000 signals of 40
    samples, shaped (n, 40, 1) for Keras' 1D layers, and their labels 0 to 9.

    These are exactly the arrays of ``mnist1d.data.make_dataset(get_dataset_args())``
    (tested): the same transformations of the same templates, with the same random
    numbers in the same order. Only the interpolations differ in how they are called:
    the package builds a scipy ``interp1d`` object for each of its 20,000, which then
    calls ``numpy.interp``; calling it directly takes a second instead of three.
    """
    from mnist1d.data import get_dataset_args

    x, y, _ = mnist1d_with_patterns(seed)
    split = int(len(y) * get_dataset_args().train_split)
    return (x[:split], y[:split]), (x[split:], y[split:])


def mnist1d_with_patterns(seed=None):
    """All 5,000 signals of ``load_mnist1d(seed)``, before the split, with where each
    one's pattern lies: ``(x, y, patterns)``, ``x`` shaped (5000, 40, 1), ``patterns``
    a boolean (5000, 40) array, true at the samples that take anything from the digit's
    template (the rest is background noise)."""
    from mnist1d.data import get_dataset_args, get_templates
    from mnist1d.transform import corr_noise_like, iid_noise_like, pad, shear, translate
    from mnist1d.utils import set_seed

    if seed is not None and not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)
                                 and seed >= 0):
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    args = get_dataset_args()
    if seed is not None:
        args.seed = int(seed)
    templates = get_templates()["x"]

    def interpolate(signal, length):  # linear, onto `length` evenly spaced points
        return np.interp(np.linspace(0, 1, length), np.linspace(0, 1, len(signal)), signal)

    set_seed(args.seed)
    signals, labels, patterns = [], [], []
    for label, template in enumerate(templates):
        for _ in range(args.num_samples // len(templates)):
            x = pad(template + 1e-8, args.padding)
            x = interpolate(x, args.template_len + args.padding[-1])  # dilate
            x *= 1 + args.scale_coeff * (np.random.rand() - 0.5)  # scale
            x = translate(x, args.max_translation)
            background = x == 0  # correlated noise where there is no signal, then white noise
            x = ~background * x + background * corr_noise_like(x, args.corr_noise_scale)
            x = x + iid_noise_like(x, args.iid_noise_scale)
            signals.append(interpolate(shear(x, args.shear_scale), args.final_seq_length))
            labels.append(label)
            patterns.append(interpolate(~background, args.final_seq_length) > 0)
    order = np.random.permutation(len(labels))
    x, y = np.stack(signals)[order], np.asarray(labels)[order]
    x = (x - x.mean()) / x.std()
    return x[..., np.newaxis], y, np.stack(patterns)[order]


def build_lenet(input_shape=(32, 32, 1), n_classes=10):
    """The LeNet of the core chapter (ReLU, max pooling), as a Keras model.

    The layers carry the names of LeCun et al. (1998). C5 is written as ``Flatten``
    then ``Dense(120)``: in the paper C5 is a 5x5 convolution over the 5x5 maps of S4,
    which fits in one position only (for 32x32 inputs), so it is exactly a dense
    layer on the flattened maps (48,120 parameters either way).
    """
    if not (len(input_shape) == 3 and all(isinstance(n, int) and n > 0 for n in input_shape)):
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape!r}")
    if input_shape[0] < 16 or input_shape[1] < 16:
        raise ValueError(f"LeNet needs inputs of at least 16x16 pixels, got {input_shape[:2]}")
    import keras
    from keras import layers

    return keras.Sequential(name="lenet", layers=[
        keras.Input(shape=input_shape),
        layers.Conv2D(filters=6, kernel_size=5, padding="valid", activation="relu", name="C1"),
        layers.MaxPool2D(pool_size=2, name="S2"),
        layers.Conv2D(filters=16, kernel_size=5, padding="valid", activation="relu", name="C3"),
        layers.MaxPool2D(pool_size=2, name="S4"),
        layers.Flatten(),
        layers.Dense(120, activation="relu", name="C5"),
        layers.Dense(84, activation="relu", name="F6"),
        layers.Dense(n_classes, activation="softmax", name="output"),
    ])


def create_optimizer_variables(model):
    """Give a compiled model's optimiser its variables (e.g. Adam's momenta) now, before
    the first call of ``fit``; returns the model.

    Variables created during the first training step make TensorFlow trace (build the
    graph of) that step a second time, which costs a second or more per network. For the
    same reason, give ``compile`` its metrics as objects, such as
    ``keras.metrics.SparseCategoricalAccuracy(name="accuracy")``, not as strings.
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError("compile the model first: it has no optimiser yet")
    optimizer.build(model.trainable_variables)
    return model


def training_progress(log_every=5):
    """A Keras callback for ``model.fit(..., verbose=0, callbacks=[training_progress()])``.

    It shows one block of text, updated in place after every epoch: the lines logged so
    far (every ``log_every`` epochs and the last one), then the current epoch's line, so
    that a student running the notebook sees the progress. Once training ends, the block
    reads, in order, the logged lines and "trained for N epochs": a built page keeps one
    compact log, not screens of progress bars, and nothing in it depends on timing.
    """
    import keras
    from IPython.display import DisplayHandle

    if not (isinstance(log_every, int) and log_every >= 1):
        raise ValueError(f"log_every must be a positive integer, got {log_every!r}")

    def as_text(lines):  # shown as it is, not as a quoted Python string
        return {"text/plain": "\n".join(lines)}

    class TrainingProgress(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.logged, self.current, self.epochs_done = [], None, 0
            self.block = DisplayHandle()
            self.block.display(as_text([f"epoch 0/{self.params['epochs']}"]), raw=True)

        def on_epoch_end(self, epoch, logs=None):
            self.epochs_done += 1
            metrics = " - ".join(f"{name} {value:.4f}" for name, value in (logs or {}).items())
            self.current = f"epoch {epoch + 1}/{self.params['epochs']}: {metrics}"
            if (epoch + 1) % log_every == 0:
                self.logged.append(self.current)
            # The current epoch's line stays below the log until the next epoch.
            shown = self.logged if self.logged[-1:] == [self.current] else [*self.logged, self.current]
            self.block.update(as_text(shown), raw=True)

        def on_train_end(self, logs=None):
            # The last epoch is always logged, also when a callback stopped training early.
            if self.current is not None and self.logged[-1:] != [self.current]:
                self.logged.append(self.current)
            done = self.epochs_done
            summary = f"trained for {done} {'epoch' if done == 1 else 'epochs'}"
            self.block.update(as_text([*self.logged, summary]), raw=True)

    return TrainingProgress()


def load_cat():
    """Return the cat photo ``data/cat.jpg`` as floats in [0, 1], shape (H, W, 3)."""
    return load_rgb_image(CAT_PHOTO)


def load_rgb_image(path):
    """Read an RGB image as a float array in [0, 1] of shape (height, width, 3)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"Image {path} not found. The course's data live in {DATA_DIR}; "
            "run `make figures` from the repository root to recreate data/cat.jpg."
        )
    from PIL import UnidentifiedImageError

    try:
        image = np.asarray(plt.imread(path))
    except UnidentifiedImageError as error:
        raise ValueError(f"{path} is not an image file that can be read") from error
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(
            f"{path} is not an RGB image: expected shape (height, width, 3), "
            f"got {image.shape}"
        )
    image = image[..., :3]
    if np.issubdtype(image.dtype, np.integer):
        image = image / np.iinfo(image.dtype).max
    return image.astype(np.float64)


def show_image(ax, image, title=None, **imshow_kwargs):
    """Show a 2D (grey) or (H, W, 3) (colour) array on ``ax`` without axis ticks."""
    image = np.asarray(image)
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise ValueError(
            f"show_image expects an array of shape (H, W) or (H, W, 3), got {image.shape}"
        )
    ax.imshow(image, **imshow_kwargs)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title is not None:
        ax.set_title(title)
    return ax


class InlinedComponent:
    """A component of the course (the player, a widget) as a cell output.

    Jupyter and the HTML book use ``_repr_html_``: the component's HTML, its JavaScript
    and CSS inlined. The PDF book, which cannot run anything, uses ``_repr_png_``: a
    still image. Subclasses give a plain-text ``__repr__`` without a memory address, so
    that two builds print the same.
    """

    def __init__(self, html, still_png):
        self.html = html
        self.still_png = still_png

    def _repr_html_(self):
        return self.html

    def _repr_png_(self):
        return self.still_png


class AnimationPlayer(InlinedComponent):
    """An animation shown by a player in HTML and by a strip of key frames on paper."""

    def __init__(self, html, key_frames_png, n_frames):
        super().__init__(html, key_frames_png)
        self.n_frames = n_frames

    def __repr__(self):
        return f"<animation player, {self.n_frames} frames>"


def frames_of(animation):
    """The frames (lists of artists) and the interval in milliseconds of a matplotlib
    ``ArtistAnimation``, such as celluloid's ``camera.animate()``, read through
    matplotlib's public API."""
    if not isinstance(animation, ArtistAnimation):
        raise TypeError(
            "expected a matplotlib ArtistAnimation (what celluloid's camera.animate() "
            f"returns), got {type(animation).__name__}"
        )
    frames = [list(artists) for artists in animation.new_frame_seq()]
    return frames, animation.event_source.interval


def animation_player(frames, description, interval_ms=200, key_frames=None):
    """A light player for an animation of lines, from explicit per-frame data.

    ``frames`` is a list of frames, each a list of the ``Line2D`` artists drawn in that
    frame, all on one figure (what celluloid's ``Camera.snap()`` records); a matplotlib
    ``ArtistAnimation`` (celluloid's ``camera.animate()``) is accepted too, and brings
    its own interval. ``interval_ms`` is the time between frames.

    The figure is drawn once as SVG, without the animated lines; each frame only stores
    the outlines of its lines, which the player's script (``widgets/player.js``, styled
    by ``widgets/player.css``, both inlined) redraws. The player has play/pause, step,
    first/last buttons, a frame slider and a speed selector. ``description`` is the text
    alternative read to those who cannot see the animation. ``key_frames`` (frame
    indices, four evenly spaced ones by default) are drawn side by side for print.

    Only lines without markers may change from frame to frame; everything else must be
    static (drawn in an inset axes, for instance, which celluloid leaves alone).
    """
    if isinstance(animation := frames, ArtistAnimation):
        frames, interval_ms = frames_of(animation)
    if isinstance(frames, (str, bytes)) or not hasattr(frames, "__len__"):
        raise TypeError(f"frames must be a list of frames (lists of Line2D), got {type(frames).__name__}")
    frames = [list(artists) for artists in frames]
    if not frames:
        raise ValueError("the animation has no frame: call camera.snap() at least once")
    if not (isinstance(description, str) and len(description.split()) >= 5):
        raise ValueError(
            "description must say in a sentence what the animation shows (it is read to "
            f"readers who cannot see it), got {description!r}"
        )
    if not (isinstance(interval_ms, (int, float)) and not isinstance(interval_ms, bool)
            and interval_ms > 0):
        raise ValueError(f"interval_ms must be a positive number, got {interval_ms!r}")
    for number, artists in enumerate(frames):
        for artist in artists:
            _check_animated_artist(artist, number)
    figures = {id(artist.figure): artist.figure for artists in frames for artist in artists}
    if len(figures) != 1:
        raise ValueError(f"the frames must draw on one figure, they draw on {len(figures)}")
    (figure,) = figures.values()
    if key_frames is None:
        key_frames = np.linspace(0, len(frames) - 1, min(4, len(frames))).round().astype(int)
    key_frames = [int(k) for k in key_frames]
    if not key_frames or not all(0 <= k < len(frames) for k in key_frames):
        raise ValueError(
            f"key_frames must be frame indices between 0 and {len(frames) - 1}, got {key_frames}"
        )

    # Settles autoscaled limits and layout, so that the data-to-screen transforms are final.
    figure.draw_without_rendering()
    svg_height = figure.get_figheight() * 72
    to_svg = 72 / figure.dpi  # SVG user units are points; display units are pixels

    def svg_tenths(x, y):
        """A display point as SVG coordinates, in tenths of a point (integers)."""
        return round(x * to_svg * 10), round((svg_height - y * to_svg) * 10)

    styles, clips, frame_paths = [], [], []
    for artists in frames:
        paths = []
        for artist in artists:
            style = (
                f"fill:none;stroke:{mpl.colors.to_hex(artist.get_color())};"
                f"stroke-width:{artist.get_linewidth():.2f};stroke-linejoin:round"
            )
            if style not in styles:
                styles.append(style)
            box = artist.get_clip_box() if artist.get_clip_on() else None
            clip = None
            if box is not None:
                corners = (round(v * to_svg, 1) for v in (box.x0, box.y0, box.x1, box.y1))
                x0, y0, x1, y1 = corners
                clip = [x0, round(svg_height - y1, 1), round(x1 - x0, 1), round(y1 - y0, 1)]
                if clip not in clips:
                    clips.append(clip)
            # Simplifying in display space drops points a screen could not show apart.
            outline = mpl.path.Path(artist.get_transform().transform(artist.get_xydata()))
            points = []
            for vertex, code in outline.cleaned(simplify=True, remove_nans=True).iter_segments():
                if code in (mpl.path.Path.MOVETO, mpl.path.Path.LINETO):
                    points.append((code == mpl.path.Path.MOVETO, *svg_tenths(*vertex)))
            paths.append([styles.index(style), clips.index(clip) if clip else -1,
                          _compact_svg_path(points)])
        frame_paths.append(paths)

    key_frames_png = _draw_key_frames(figure, frames, key_frames)
    for artists in frames:
        for artist in artists:
            artist.set_visible(False)
    buffer = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": COURSE_STYLE["svg.hashsalt"]}):  # the same at every build
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    background = buffer.getvalue()
    background = background[background.index("<svg") :]
    label = html_escape(description, quote=True)
    background = background.replace("<svg", f'<svg role="img" aria-label="{label}"', 1)

    data = json.dumps(
        {"styles": styles, "clips": clips, "frames": frame_paths, "interval": interval_ms},
        separators=(",", ":"),
    )
    player_id = "anim-" + hashlib.sha1(data.encode()).hexdigest()[:10]
    html = (
        _widget_file("player.html")
        .replace("PLAYER_ID", player_id)
        .replace("PLAYER_CSS", _widget_file("player.css"))
        .replace("PLAYER_JS", _widget_script("player.js"))
        .replace("BACKGROUND_SVG", background)
        .replace("FRAME_DATA", data.replace("</", "<\\/"))
        .replace("LAST_FRAME", str(len(frames) - 1))
        .replace("FRAME_COUNT", str(len(frames)))
    )
    return AnimationPlayer(html, key_frames_png, len(frames))


def _compact_svg_path(points):
    """An SVG path through ``points`` ((starts a new line?, x, y), in tenths of a point):
    each line starts with an absolute "M", its other points are relative ("l"), as the
    differences of the rounded coordinates, so that no rounding error adds up. About two
    thirds of the length of absolute coordinates: an animation's frames are most of its
    weight."""
    def number(tenths):
        text = f"{tenths / 10:g}"
        return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text

    tokens, previous = [], None
    for starts, x, y in points:
        if starts or previous is None:
            tokens += ["M", number(x), number(y), "l"]
        else:
            tokens += [number(x - previous[0]), number(y - previous[1])]
        previous = (x, y)
    path = ""
    for token in tokens:  # a space only between two numbers, and none before a minus
        if path and path[-1] not in "Ml" and token[0] not in "-Ml":
            path += " "
        path += token
    return path.replace("lM", "M").removesuffix("l")  # a line of one point


def _widget_file(name):
    """A file of the course's widgets (their HTML, JavaScript and CSS), as text."""
    path = WIDGETS_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: the widgets live in {WIDGETS_DIR}, beside notebook_utils.py"
        )
    return path.read_text()


def _widget_script(name):
    """A widget's script, after the runtime that every widget shares (widgets/runtime.js:
    starting each copy of the widget that Live Code makes, with the reader's state)."""
    return _widget_file("runtime.js") + "\n" + _widget_file(name)


def _draw_key_frames(figure, frames, key_frames, columns=2):
    """Render the chosen frames of an animation into one PNG image, in a grid."""
    from PIL import Image

    images = []
    for number in key_frames:
        for index, artists in enumerate(frames):
            for artist in artists:
                artist.set_visible(index == number)
        label = figure.text(0.01, 0.99, f"frame {number + 1} of {len(frames)}",
                            ha="left", va="top", fontsize=9, color="0.3")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
        label.remove()
        images.append(Image.open(buffer).convert("RGB"))
    width, height = images[0].size
    rows = -(-len(images) // columns)
    sheet = Image.new("RGB", (width * min(columns, len(images)), height * rows), "white")
    for position, image in enumerate(images):
        sheet.paste(image, ((position % columns) * width, (position // columns) * height))
    buffer = io.BytesIO()
    sheet.save(buffer, format="png", optimize=True)
    return buffer.getvalue()


def _check_animated_artist(artist, frame_number):
    if not isinstance(artist, mpl.lines.Line2D):
        raise TypeError(
            f"frame {frame_number} animates a {type(artist).__name__}; only lines "
            "(Line2D) can change between frames. Draw static elements in an inset "
            "axes, or before creating the Camera and on an axes celluloid does not see."
        )
    if artist.get_marker() not in (None, "None", "", " ") or artist.get_linestyle() != "-":
        raise ValueError(
            f"frame {frame_number} has a line with markers or dashes; animated lines "
            "must be plain solid lines"
        )


# ---- convolution explorer ----
# Copies of the convolution arithmetic taught in book/convolution_by_hand.md (the page
# checks that its functions and these agree), for the explorer widget and its tests.

def _check_conv_arguments(n, k, padding, stride, dilation):
    for name, value, smallest in [("n", n, 0), ("k", k, 1), ("stride", stride, 1),
                                  ("dilation", dilation, 1)]:
        if not (isinstance(value, (int, np.integer)) and not isinstance(value, bool)
                and value >= smallest):
            raise ValueError(f"{name} must be an integer >= {smallest}, got {value!r}")
    if padding not in ("valid", "same") and not (
            isinstance(padding, (int, np.integer)) and not isinstance(padding, bool)
            and padding >= 0):
        raise ValueError(
            f'padding must be "valid", "same" or a number of zeros >= 0, got {padding!r}')


def same_padding(n, k, stride=1, dilation=1):
    """Zeros (before, after) that Keras's "same" padding adds to a side of length n.

    Defined and taught in book/convolution_by_hand.md (section "One dimension").
    """
    _check_conv_arguments(n, k, "same", stride, dilation)
    span = dilation * (k - 1) + 1  # the filter's extent on the input, holes included
    total = max((-(-n // stride) - 1) * stride + span - n, 0)  # -(-n // s) is ceil(n / s)
    return total // 2, total - total // 2


def padding_zeros(n, k, padding="valid", stride=1, dilation=1):
    """Zeros (before, after) on a side of length n: none ("valid"), Keras's "same", or a
    number p of zeros at each end.

    Defined and taught in book/convolution_by_hand.md (section "One dimension").
    """
    _check_conv_arguments(n, k, padding, stride, dilation)
    if padding == "valid":
        return 0, 0
    if padding == "same":
        return same_padding(n, k, stride, dilation)
    return padding, padding


def output_size(n, k, padding="valid", stride=1, dilation=1):
    """Length of the output along a side of length n; 0 when the filter does not fit.

    Defined and taught in book/convolution_by_hand.md (section "One dimension").
    """
    before, after = padding_zeros(n, k, padding, stride, dilation)
    span = dilation * (k - 1) + 1
    return max((n + before + after - span) // stride + 1, 0)


def conv2d(x, filters, bias, padding="valid", stride=1, dilation=1):
    """Cross-correlation as Keras's Conv2D computes it. x: (H, W, C_in); filters:
    (k_h, k_w, C_in, C_out); bias: (C_out,).

    Defined and taught in book/convolution_by_hand.md (section "Two dimensions").
    """
    x, filters = np.asarray(x), np.asarray(filters)
    if x.ndim != 3 or filters.ndim != 4 or filters.shape[2] != x.shape[2]:
        raise ValueError(
            f"x must be (H, W, C_in) and filters (k_h, k_w, C_in, C_out), got {x.shape} "
            f"and {filters.shape}")
    k_h, k_w = filters.shape[:2]
    x = np.pad(x, (padding_zeros(x.shape[0], k_h, padding, stride, dilation),
                   padding_zeros(x.shape[1], k_w, padding, stride, dilation), (0, 0)))
    span_h, span_w = dilation * (k_h - 1) + 1, dilation * (k_w - 1) + 1
    rows = range(0, x.shape[0] - span_h + 1, stride)
    cols = range(0, x.shape[1] - span_w + 1, stride)
    out = np.empty((len(rows), len(cols), filters.shape[3]))
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            patch = x[r:r + span_h:dilation, c:c + span_w:dilation]
            out[i, j] = np.tensordot(patch, filters, axes=3) + bias
    return out


# What the reader can set in the explorer: (smallest, largest) of each setting.
EXPLORER_LIMITS = {"n": (3, 8), "k": (1, 5), "stride": (1, 3), "zeros": (0, 2), "dilation": (1, 3)}


class ConvolutionExplorer(InlinedComponent):
    """The convolution explorer: a live widget in HTML, a still image on paper.

    ``image`` and ``kernel`` are the integer grids the widget convolves (the top-left
    n x n and k x k corners of them), ``settings`` the settings it starts with.
    """

    def __init__(self, html, still_png, image, kernel, settings):
        super().__init__(html, still_png)
        self.image = image
        self.kernel = kernel
        self.settings = settings

    def __repr__(self):
        s = self.settings
        return (f"<convolution explorer: {s['n']}x{s['n']} input, {s['k']}x{s['k']} kernel, "
                f"stride {s['stride']}, padding {s['padding']!r}, dilation {s['dilation']}>")

    def output(self, n, k, padding="valid", stride=1, dilation=1):
        """The output the widget shows for these settings, computed by ``conv2d``."""
        image = self.image[:n, :n, None].astype(float)
        return conv2d(image, self.kernel[:k, :k, None, None], np.zeros(1), padding,
                      stride, dilation)[..., 0]


def explorer_grids(seed=0):
    """The explorer's integer input (8 x 8, values 0 to 9) and kernel (5 x 5, values -2
    to 2), drawn from a seeded generator: the same numbers at every build."""
    rng = np.random.default_rng(seed)
    n_max, k_max = EXPLORER_LIMITS["n"][1], EXPLORER_LIMITS["k"][1]
    return rng.integers(0, 10, size=(n_max, n_max)), rng.integers(-2, 3, size=(k_max, k_max))


def convolution_explorer(n=7, k=3, stride=1, padding="valid", dilation=1, position=0, seed=0):
    """A widget to explore 2D convolution arithmetic, starting from these settings.

    The reader sets the input size ``n``, the kernel size ``k``, the stride, the padding
    ("valid", "same" as in Keras, or a number of zeros at each end) and the dilation,
    steps the kernel over the input (buttons or arrow keys) or shows all its positions,
    and reads the products under the kernel, the output value they give, and the output
    size with its formula. Script and style (``widgets/explorer.*``) are inlined. On
    paper it is a still of the starting settings with the kernel at ``position`` (0 is
    the first; positions are counted row by row).
    """
    limits = EXPLORER_LIMITS
    zeros = padding if padding not in ("valid", "same") else 0
    for name, value in [("n", n), ("k", k), ("stride", stride), ("dilation", dilation),
                        ("zeros", zeros)]:
        low, high = limits[name]
        if not (isinstance(value, (int, np.integer)) and not isinstance(value, bool)
                and low <= value <= high):
            what = "padding" if name == "zeros" else name
            raise ValueError(f"{what} must be an integer from {low} to {high}, got {value!r}")
    image, kernel = explorer_grids(seed)
    side = output_size(n, k, padding, stride, dilation)
    if not (isinstance(position, (int, np.integer)) and 0 <= position < max(side * side, 1)):
        raise ValueError(f"position must be from 0 to {max(side * side - 1, 0)} for these "
                         f"settings ({side} x {side} outputs), got {position!r}")
    settings = {"n": int(n), "k": int(k), "stride": int(stride), "dilation": int(dilation),
                "padding": padding if padding in ("valid", "same") else int(padding),
                "position": int(position)}
    explorer = ConvolutionExplorer(None, None, image, kernel, settings)
    data = json.dumps({"image": image.tolist(), "kernel": kernel.tolist(), "limits": limits,
                       "start": settings}, separators=(",", ":"))
    explorer_id = "explorer-" + hashlib.sha1(data.encode()).hexdigest()[:10]
    explorer.html = (
        _widget_file("explorer.html")
        .replace("EXPLORER_ID", explorer_id)
        .replace("EXPLORER_CSS", _widget_file("explorer.css"))
        .replace("EXPLORER_JS", _widget_script("explorer.js"))
        .replace("EXPLORER_DATA", data)
    )
    explorer.still_png = _draw_explorer_still(explorer)
    return explorer


def _draw_explorer_still(explorer):
    """The widget's starting state drawn with matplotlib: padded input with the kernel's
    taps at the chosen position, kernel, output so far, and the size formula."""
    from matplotlib.patches import Rectangle

    s = explorer.settings
    n, k, stride, dilation, padding = s["n"], s["k"], s["stride"], s["dilation"], s["padding"]
    before, after = padding_zeros(n, k, padding, stride, dilation)
    side = output_size(n, k, padding, stride, dilation)
    out = explorer.output(n, k, padding, stride, dilation)
    padded = n + before + after
    row, col = divmod(s["position"], max(side, 1))
    grids = [(0, padded), (padded + 1.5, k), (padded + k + 3, max(side, 1))]
    width = grids[-1][0] + max(side, 1)
    fig, ax = plt.subplots(figsize=(0.32 * width + 0.4, 0.32 * padded + 1.3), dpi=100)
    ax.set_xlim(-0.2, width + 0.2)
    ax.set_axis_off()
    ax.set_aspect("equal")
    taps = {(row * stride + a * dilation, col * stride + b * dilation)
            for a in range(k) for b in range(k)} if side else set()
    for r in range(padded):
        for c in range(padded):
            inside = before <= r < before + n and before <= c < before + n
            colour = "#f5c87a" if (r, c) in taps else ("white" if inside else "#e8e8e8")
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor=colour, edgecolor="#999999", lw=0.6))
            value = explorer.image[r - before, c - before] if inside else 0
            ax.text(c + 0.5, r + 0.5, str(value), ha="center", va="center", fontsize=8,
                    color="black" if inside else "#555555")
    if side:
        span = dilation * (k - 1) + 1
        ax.add_patch(Rectangle((col * stride, row * stride), span, span, fill=False,
                               edgecolor="#D55E00", lw=2))
    x0 = grids[1][0]
    for a in range(k):
        for b in range(k):
            ax.add_patch(Rectangle((x0 + b, a), 1, 1, facecolor="#f5c87a", edgecolor="#999999", lw=0.6))
            ax.text(x0 + b + 0.5, a + 0.5, _in_parentheses(explorer.kernel[a, b], False),
                    ha="center", va="center", fontsize=8)
    x0 = grids[2][0]
    for i in range(side):
        for j in range(side):
            current = (i, j) == (row, col)
            ax.add_patch(Rectangle((x0 + j, i), 1, 1, facecolor="#f5c87a" if current else "white",
                                   edgecolor="#D55E00" if current else "#999999",
                                   lw=2 if current else 0.6))
            if i * side + j <= s["position"]:
                ax.text(x0 + j + 0.5, i + 0.5, _in_parentheses(out[i, j], False),
                        ha="center", va="center", fontsize=7)
    for (x, size), title in zip(grids, ["input (padded)", "kernel", "output"]):
        ax.text(x + size / 2, -0.4, title, ha="center", va="bottom", fontsize=9)
    padding_name = (f"{counted(padding, 'zero')} at each end" if isinstance(padding, int)
                    else f'"{padding}"')
    lines = [f"n = {n}, k = {k}, stride {stride}, padding {padding_name}, dilation "
             f"{dilation}: output {side} \u00d7 {side}"]
    if side:
        products = " + ".join(
            f"{_in_parentheses(v)}\u00d7{_in_parentheses(w)}" for v, w in zip(
                np.pad(explorer.image[:n, :n], (before, after))[
                    row * stride:row * stride + span:dilation,
                    col * stride:col * stride + span:dilation].ravel(),
                explorer.kernel[:k, :k].ravel()))
        lines += textwrap.wrap(f"under the kernel: {products} = "
                               f"{_in_parentheses(out[row, col], False)}", 90)
    for number, line in enumerate(lines):
        ax.text(0, padded + 0.7 + 0.8 * number, line, ha="left", va="top", fontsize=9)
    ax.set_ylim(padded + 0.9 + 0.8 * len(lines), -1.3)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _in_parentheses(value, parentheses=True):
    """An integer as the explorer prints it: a true minus sign, in parentheses if asked."""
    text = f"{value:.0f}".replace("-", "\u2212")
    return f"({text})" if parentheses and value < 0 else text


# ---- multiply-adds and depth of a Keras model ----
# The layers whose weights multiply their input, by kind; every other layer (biases,
# batch normalisation, activations, pooling, additions, element-wise products, resizing)
# does at most a few operations per value and is not counted.
MULTIPLYING_LAYERS = ("Conv1D", "Conv2D", "Conv3D", "DepthwiseConv1D", "DepthwiseConv2D",
                      "SeparableConv1D", "SeparableConv2D", "Dense")


def _known_shape(shape, layer, which):
    shape = tuple(shape)
    if any(size is None for size in shape[1:]):
        raise ValueError(
            f"layer {layer.name!r} has an {which} of shape {shape}: its size is not known. "
            "Build the model with a fixed input shape, e.g. keras.Input((224, 224, 3)).")
    return shape


def layer_multiply_adds(layer):
    """Multiply-adds that ``layer`` performs for one example (biases not counted).

    Counted: Conv1D/2D/3D (output positions x kernel size x input channels per group x
    filters), DepthwiseConv1D/2D (output positions x kernel size x channels x depth
    multiplier), SeparableConv1D/2D (its depthwise part plus its 1x1 part) and Dense
    (input features x units, at every position of a higher-rank input). Any other layer
    gives 0, unless it holds a kernel this function does not know how to count (e.g.
    Conv2DTranspose): then a ValueError, rather than a silent wrong total.
    The layer must have been called on an input of known shape (a model's layer is).
    """
    import keras

    if not isinstance(layer, keras.layers.Layer):
        raise TypeError(f"expected a Keras layer, got {type(layer).__name__}")
    kind = type(layer).__name__
    if kind not in MULTIPLYING_LAYERS:
        if any(w.name in ("kernel", "depthwise_kernel", "pointwise_kernel") for w in layer.weights):
            raise ValueError(f"layer {layer.name!r} ({kind}) has a kernel, but "
                             f"layer_multiply_adds cannot count a {kind}")
        return 0
    try:
        input_shape, output_shape = layer.input.shape, layer.output.shape
    except (AttributeError, ValueError) as error:
        raise ValueError(f"layer {layer.name!r} has no single input and output shape: call it "
                         "once on a keras.Input of known shape (build the model) first") from error
    input_shape = _known_shape(input_shape, layer, "input")
    output_shape = _known_shape(output_shape, layer, "output")
    if kind == "Dense":
        return int(np.prod(output_shape[1:-1], dtype=np.int64)) * input_shape[-1] * layer.units
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        raise ValueError(f"layer {layer.name!r}: only channels_last data are supported")
    positions = int(np.prod(output_shape[1:-1], dtype=np.int64))
    kernel = int(np.prod(layer.kernel_size))
    channels_in = input_shape[-1]
    if kind.startswith("Depthwise"):
        return positions * kernel * channels_in * layer.depth_multiplier
    if kind.startswith("Separable"):
        depthwise_channels = channels_in * layer.depth_multiplier
        return positions * (kernel * depthwise_channels + depthwise_channels * layer.filters)
    return positions * kernel * (channels_in // layer.groups) * layer.filters


def _all_layers(model):
    """The layers of a model, nested models opened (a model inside a model counts once)."""
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"expected a Keras model, got {type(model).__name__}")
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)
        else:
            yield layer


def multiply_adds(model):
    """Multiply-adds of one forward pass of ``model`` on one example: the sum of
    ``layer_multiply_adds`` over its layers (see there what is counted and ignored)."""
    return sum(layer_multiply_adds(layer) for layer in _all_layers(model))


def weighted_depth(model):
    """The number of layers of ``model`` whose weights multiply their input (convolutions
    of every kind and dense layers; batch normalisation is not counted). Layers on
    parallel branches, such as a ResNet's projection shortcuts, count too."""
    return sum(type(layer).__name__ in MULTIPLYING_LAYERS for layer in _all_layers(model))


# ---- LeNet drawing widget ----

class LeNetDrawingWidget(InlinedComponent):
    """A LeNet that runs in the reader's browser: drawn for in HTML, a still on paper.

    ``quantised_model`` is the Keras copy of the network with the widget's weights (int8
    times one scale per array), ``keras_probabilities`` its probabilities for the embedded
    test digits, which the widget's JavaScript reproduces.
    """

    def __init__(self, html, still_png, quantised_model, keras_probabilities, n_digits, n_bytes):
        super().__init__(html, still_png)
        self.quantised_model = quantised_model
        self.keras_probabilities = keras_probabilities
        self.n_digits = n_digits
        self.n_bytes = n_bytes  # of the widget's HTML, weights and digits included

    def __repr__(self):
        return f"<LeNet drawing widget, {self.n_digits} test digits>"


LENET_WIDGET_LAYERS = ["C1", "C3", "C5", "F6", "output"]


def quantise_int8(weights):
    """Round an array to int8 levels with one scale: ``(q, scale)`` with
    ``q * scale`` (in float32) the nearest such value to each weight."""
    weights = np.asarray(weights, dtype=np.float32)
    largest = float(np.abs(weights).max()) if weights.size else 0.0
    scale = np.float32(largest / 127 if largest > 0 else 1.0)
    q = np.clip(np.round(weights / scale), -127, 127).astype(np.int8)
    return q, scale


def lenet_drawing_widget(lenet, test_levels, test_inputs, test_labels):
    """A LeNet you can draw for: the widget of ``widgets/lenet.*``, inlined.

    ``lenet`` is the trained network of ``build_lenet`` (layers C1, C3, C5, F6 and
    output). Its weights are exported as int8 with one scale per array (about 62 KB
    before base64), and the same rounded weights are set into a copy of the network, the
    ``quantised_model`` of the result, so that the browser and Keras compute the same
    function. ``test_levels`` are test digits as 8x8 grey levels, integers from 0 to 16
    (scikit-learn's digits), ``test_inputs`` the same digits as the page prepared them
    for LeNet (n, 32, 32, 1), ``test_labels`` their labels. The widget prepares the
    levels itself, as the page does (``zoom(levels / 16, 3, order=1)`` and a 4-pixel
    margin), and shows the drawing, the 8x8 levels, the network's input, the feature
    maps of C1 and C3 and the ten probabilities; the PNG still shows the same for the
    first test digit.
    """
    import base64

    import keras

    if not (hasattr(lenet, "get_layer") and all(
            any(layer.name == name for layer in lenet.layers) for name in LENET_WIDGET_LAYERS)):
        raise ValueError(f"lenet must be the network of build_lenet, with layers {LENET_WIDGET_LAYERS}")
    levels = np.asarray(test_levels)
    inputs = np.asarray(test_inputs, dtype=np.float32)
    labels = np.asarray(test_labels)
    if levels.ndim != 3 or levels.shape[1:] != (8, 8) or len(levels) == 0:
        raise ValueError(f"test_levels must have shape (n, 8, 8), got {levels.shape}")
    if not (np.array_equal(levels, np.round(levels)) and levels.min() >= 0 and levels.max() <= 16):
        raise ValueError("test_levels must be whole grey levels from 0 to 16")
    if inputs.shape != (len(levels), 32, 32, 1):
        raise ValueError(f"test_inputs must have shape ({len(levels)}, 32, 32, 1), got {inputs.shape}")
    if labels.shape != (len(levels),) or not np.isin(labels, np.arange(10)).all():
        raise ValueError(f"test_labels must be {len(levels)} digits from 0 to 9")

    quantised_model = keras.models.clone_model(lenet)
    layers_data = []
    for name in LENET_WIDGET_LAYERS:
        kernel, bias = lenet.get_layer(name).get_weights()
        entries, rounded = {}, []
        for part, array in [("kernel", kernel), ("bias", bias)]:
            q, scale = quantise_int8(array)
            entries[part] = {"shape": list(array.shape), "scale": float(scale),
                             "data": base64.b64encode(q.tobytes()).decode("ascii")}
            rounded.append(q.astype(np.float32) * scale)
        quantised_model.get_layer(name).set_weights(rounded)
        layers_data.append({"name": name, **entries})
    # A direct call, not predict(): one forward pass, no function to trace.
    probabilities = keras.ops.convert_to_numpy(quantised_model(inputs, training=False))

    alphabet = "0123456789abcdefg"  # one character per grey level, 0 to 16
    digits_data = [{"levels": "".join(alphabet[int(v)] for v in grid.ravel()), "label": int(label)}
                   for grid, label in zip(levels, labels)]
    data = json.dumps({"layers": layers_data, "digits": digits_data,
                       "keras": [[float(p) for p in row] for row in probabilities]},
                      separators=(",", ":"))
    widget_id = "lenet-" + hashlib.sha1(data.encode()).hexdigest()[:10]
    html = (
        _widget_file("lenet.html")
        .replace("WIDGET_ID", widget_id)
        .replace("LENET_CSS", _widget_file("lenet.css"))
        .replace("LENET_JS", _widget_script("lenet.js"))
        .replace("LENET_DATA", data.replace("</", "<\\/"))
    )
    still = _lenet_still(quantised_model, inputs[0], labels[0], probabilities[0])
    return LeNetDrawingWidget(html, still, quantised_model, probabilities, len(levels),
                              len(html.encode()))


def _lenet_still(model, image, label, probabilities):
    """The widget on paper: a test digit, LeNet's C1 and C3 maps and its probabilities."""
    import keras

    maps = {}
    x = image[np.newaxis]
    for layer in model.layers:
        x = layer(x)
        if layer.name in ("C1", "C3"):
            maps[layer.name] = keras.ops.convert_to_numpy(x)[0]
    figure = plt.figure(figsize=(6.4, 3.0), layout="constrained")
    grid = figure.add_gridspec(4, 12)
    show_image(figure.add_subplot(grid[:3, :3]), image[:, :, 0], title=f"input (a {label})")
    for k in range(6):
        show_image(figure.add_subplot(grid[0, 3 + k]), maps["C1"][:, :, k],
                   vmin=0, vmax=maps["C1"].max(), title="C1" if k == 0 else None)
    for k in range(16):
        show_image(figure.add_subplot(grid[1 + k // 8, 3 + k % 8]), maps["C3"][:, :, k],
                   vmin=0, vmax=maps["C3"].max(), title="C3" if k == 0 else None)
    bars = figure.add_subplot(grid[3, 3:])
    bars.bar(range(10), probabilities, color=PALETTE[0])
    bars.set_xticks(range(10))
    bars.set_ylim(0, 1)
    bars.set_ylabel("prob.")
    bars.set_xlabel("digit")
    figure.supxlabel(f"The widget on paper: a test digit (a {label}), its C1 and C3 maps and "
                     "LeNet's ten probabilities.\nIn the HTML book, draw a digit and watch "
                     "LeNet read it.", fontsize=8, color="0.3")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


# ---- generated shapes data set ----
# A seeded generator of small grey-level images, the image counterpart of MNIST-1D: one
# object per image, of one of ten shapes, at a random position, scale, rotation and
# contrast, on a textured background with clutter and noise. Used by the pages on
# transfer learning and what a CNN sees.

SHAPE_CLASSES = ("disc", "ring", "square", "frame", "triangle",
                 "plus", "bar", "ell", "tee", "half_disc")

Shapes = namedtuple("Shapes", ["images", "labels", "masks", "class_names"])
Shapes.__doc__ = """A generated data set: ``images`` float32 (n, size, size, 1) in [0, 1],
``labels`` int64 indices into ``class_names``, ``masks`` bool (n, size, size), True on
the object's pixels, and ``class_names``, the tuple of the classes asked for."""

# Smallest image side: below it the thinnest parts of a shape (about 0.4 of its
# half-size) would be thinner than a pixel and could vanish.
SHAPES_MIN_IMAGE_SIZE = 16
# The object's half-size, as a fraction of the image side: the largest object spans
# almost three quarters of the image, the smallest less than half.
_SHAPE_SCALE_RANGE = (0.22, 0.36)


def _length(a, b):
    """The Euclidean norm of (a, b), elementwise; faster than np.hypot in float32."""
    return np.sqrt(a * a + b * b)


def _box_distance(u, v, half_width, half_height, centre_u=0.0, centre_v=0.0):
    """Signed distance to an axis-aligned rectangle (negative inside), in the object's
    units."""
    qu = np.abs(u - centre_u) - half_width
    qv = np.abs(v - centre_v) - half_height
    outside = _length(np.maximum(qu, 0), np.maximum(qv, 0))
    return outside + np.minimum(np.maximum(qu, qv), 0)


def _triangle_distance(u, v, circumradius=0.95):
    """Signed distance to an equilateral triangle centred on the origin, one vertex up
    (Inigo Quilez's formula)."""
    k = 3**0.5  # a Python float keeps the arrays in float32
    r = circumradius * k / 2  # half the side
    pu = np.abs(u) - r
    pv = v + r / k
    fold = pu + k * pv > 0
    pu, pv = (np.where(fold, (pu - k * pv) / 2, pu), np.where(fold, (-k * pu - pv) / 2, pv))
    pu = pu - np.clip(pu, -2 * r, 0)
    return -_length(pu, pv) * np.sign(pv)


# Each shape as a signed distance (negative inside) in units of the object's half-size;
# every shape fits in the unit disc, so that a whole object fits in the image.
_SHAPE_DISTANCES = {
    "disc": lambda u, v: _length(u, v) - 0.85,
    "ring": lambda u, v: np.abs(_length(u, v) - 0.7) - 0.2,
    "square": lambda u, v: _box_distance(u, v, 0.65, 0.65),
    "frame": lambda u, v: np.abs(_box_distance(u, v, 0.55, 0.55)) - 0.15,
    "triangle": _triangle_distance,
    "plus": lambda u, v: np.minimum(_box_distance(u, v, 0.9, 0.22),
                                    _box_distance(u, v, 0.22, 0.9)),
    "bar": lambda u, v: _box_distance(u, v, 0.92, 0.25),
    "ell": lambda u, v: np.minimum(_box_distance(u, v, 0.2, 0.75, -0.45, 0.0),
                                   _box_distance(u, v, 0.65, 0.2, 0.0, -0.55)),
    "tee": lambda u, v: np.minimum(_box_distance(u, v, 0.7, 0.2, 0.0, 0.5),
                                   _box_distance(u, v, 0.2, 0.55, 0.0, -0.15)),
    "half_disc": lambda u, v: np.maximum(_length(u, v + 0.35) - 0.9, -(v + 0.35)),
}


def _shape_coverage(class_name, dx, dy, angle, scale):
    """How much of each pixel the object covers (0 to 1, smooth over one pixel at its
    edge): ``dx``, ``dy`` (m, size, size) are the pixel centres relative to the object's
    centre, ``angle`` and ``scale`` (m,) its rotation and half-size in pixels."""
    cos, sin = np.cos(angle)[:, None, None], np.sin(angle)[:, None, None]
    scale = scale[:, None, None]
    u = (cos * dx + sin * dy) / scale
    v = (-sin * dx + cos * dy) / scale
    distance_in_pixels = _SHAPE_DISTANCES[class_name](u, v) * scale
    return np.clip(0.5 - distance_in_pixels, 0, 1)


_SHAPE_TEXTURES = []


def _shape_textures():
    """scikit-image's brick, grass and gravel photographs (they ship in its wheel, no
    download), as float32 in [0, 1], shape (3, 512, 512); loaded once."""
    if not _SHAPE_TEXTURES:
        from skimage import data

        textures = [getattr(data, name)() for name in ("brick", "grass", "gravel")]
        _SHAPE_TEXTURES.append(np.stack(textures).astype(np.float32) / 255)
    return _SHAPE_TEXTURES[0]


def _check_shapes_arguments(n_images, classes, image_size, seed):
    if not (isinstance(n_images, (int, np.integer)) and not isinstance(n_images, bool)
            and n_images >= 1):
        raise ValueError(f"n_images must be a positive integer, got {n_images!r}")
    if isinstance(classes, str) or not hasattr(classes, "__iter__"):
        raise ValueError(f"classes must be a sequence of class names from SHAPE_CLASSES, "
                         f"got {classes!r}")
    classes = tuple(classes)
    if len(classes) < 2:
        raise ValueError(f"classes must name at least two classes, got {classes!r}")
    unknown = [name for name in classes if name not in SHAPE_CLASSES]
    if unknown:
        raise ValueError(f"unknown class names {unknown}: choose among {SHAPE_CLASSES}")
    duplicates = sorted({name for name in classes if classes.count(name) > 1})
    if duplicates:
        raise ValueError(f"classes must be distinct, {duplicates} appear more than once")
    if not (isinstance(image_size, (int, np.integer)) and not isinstance(image_size, bool)
            and image_size >= SHAPES_MIN_IMAGE_SIZE):
        raise ValueError(f"image_size must be an integer of at least "
                         f"{SHAPES_MIN_IMAGE_SIZE} pixels, got {image_size!r}")
    if not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return classes


def make_shapes(n_images, classes=SHAPE_CLASSES, image_size=32, seed=0):
    """Generate ``n_images`` grey-level images of shapes, each with one object of one of
    ``classes`` (names from ``SHAPE_CLASSES``), and return ``Shapes(images, labels,
    masks, class_names)`` (see ``Shapes``). Labels index into ``classes``: a subset of
    classes gives a smaller task. The classes are balanced (their counts differ by at
    most one), in a random order.

    Each image: a crop of a texture photograph (brick, grass or gravel, at a random
    zoom and contrast), two faint blurry blobs, two faint strokes, a faint distractor
    (a smaller shape of another class, possibly cut by the border), then the object,
    whole, at a random position, half-size (0.22 to 0.36 of the image side), rotation
    and contrast, lighter or darker than the background; finally Gaussian noise. Every
    class is a shape up to rotation and reflection (a rotated or mirrored "ell" is
    still an "ell"), so rotations and flips of an image preserve its label.

    The same ``seed`` gives the same images, another seed other images. Vectorised
    NumPy: 10,000 images of 32x32 pixels take well under a second.
    """
    classes = _check_shapes_arguments(n_images, classes, image_size, seed)
    rng = np.random.default_rng(seed)
    n, size = int(n_images), int(image_size)

    def uniform(low, high, shape=(n, 1, 1)):  # float32 throughout: half the memory traffic
        return rng.uniform(low, high, shape).astype(np.float32)

    labels = rng.permutation(np.arange(n) % len(classes)).astype(np.int64)
    pixel_centres = np.arange(size, dtype=np.float32) + np.float32(0.5)
    ys, xs = pixel_centres[None, :, None], pixel_centres[None, None, :]

    # Background: a random crop of a texture, every `zoom`-th pixel, at low contrast.
    textures = _shape_textures()
    which = rng.integers(0, len(textures), n)
    zoom = rng.integers(1, 4, n)
    top, left = (rng.integers(0, textures.shape[1] - zoom * size + 1) for _ in range(2))
    steps = np.arange(size)
    rows = (top[:, None] + zoom[:, None] * steps)[:, :, None]
    cols = (left[:, None] + zoom[:, None] * steps)[:, None, :]
    images = textures[which[:, None, None], rows, cols]
    images -= images.mean(axis=(1, 2), keepdims=True)
    images *= uniform(0.1, 0.3)
    level = uniform(0.3, 0.7)
    images += level

    # Clutter: blurry blobs, thin strokes, and a faint shape of another class.
    for _ in range(2):
        centre_y, centre_x = uniform(0, size), uniform(0, size)
        width = uniform(1.5, 4.0) * np.float32(size / 32)
        # A Gaussian blob is the product of a column and a row profile.
        images += (uniform(-0.1, 0.1) * np.exp(-(ys - centre_y) ** 2 / (2 * width**2))
                   * np.exp(-(xs - centre_x) ** 2 / (2 * width**2)))
    for _ in range(2):
        start_y, start_x = uniform(0, size), uniform(0, size)
        length = uniform(0.15, 0.5) * np.float32(size)
        direction = uniform(0, 2 * np.pi)
        along_x, along_y = np.cos(direction), np.sin(direction)
        from_x, from_y = xs - start_x, ys - start_y  # (n, 1, size) and (n, size, 1)
        along = np.clip(from_x * along_x + from_y * along_y, 0, length)
        # Distance to the segment, then a stroke 0.6 to 1.6 pixels wide, anti-aliased.
        stroke = _length(from_x - along * along_x, from_y - along * along_y)
        np.subtract(uniform(0.8, 1.3), stroke, out=stroke)
        np.clip(stroke, 0, 1, out=stroke)
        stroke *= uniform(-0.12, 0.12)
        images += stroke

    # Polarity: the object (and the distractor) lighter or darker than the background.
    polarity = np.where(rng.random(n) < 0.5, -1, 1).astype(np.float32)
    contrast = polarity * uniform(0.35, 0.55, n)
    object_class = np.array([SHAPE_CLASSES.index(name) for name in classes])[labels]
    distractor_class = (object_class + rng.integers(1, len(SHAPE_CLASSES), n)) % len(SHAPE_CLASSES)
    distractor_contrast = contrast * uniform(0.2, 0.35, n)
    scale = uniform(0.12, 0.22, n) * np.float32(size)
    centre_y, centre_x = uniform(0, size), uniform(0, size)  # may be cut by the border
    angle = uniform(0, 2 * np.pi, n)
    for number, name in enumerate(SHAPE_CLASSES):
        chosen = np.flatnonzero(distractor_class == number)
        if chosen.size:
            coverage = _shape_coverage(name, xs - centre_x[chosen], ys - centre_y[chosen],
                                       angle[chosen], scale[chosen])
            coverage *= distractor_contrast[chosen, None, None]
            images[chosen] += coverage

    # The object, whole, over everything else.
    scale = uniform(*_SHAPE_SCALE_RANGE, n) * np.float32(size)
    centre_y, centre_x = (rng.uniform(scale, size - scale).astype(np.float32)[:, None, None]
                          for _ in range(2))
    angle = uniform(0, 2 * np.pi, n)
    masks = np.empty((n, size, size), dtype=bool)
    object_level = level[:, 0, 0] + contrast
    for number, name in enumerate(classes):
        chosen = np.flatnonzero(labels == number)
        coverage = _shape_coverage(name, xs - centre_x[chosen], ys - centre_y[chosen],
                                   angle[chosen], scale[chosen])
        masks[chosen] = coverage >= 0.5
        images[chosen] += coverage * (object_level[chosen, None, None] - images[chosen])

    noise = rng.standard_normal(images.shape, dtype=np.float32)
    noise *= uniform(0.02, 0.05)
    images += noise
    np.clip(images, 0, 1, out=images)
    return Shapes(images[..., None], labels, masks, classes)


ShapeScenes = namedtuple("ShapeScenes", ["images", "label_maps", "class_names"])
ShapeScenes.__doc__ = """A generated segmentation data set: ``images`` float32 (n, size,
size, 1) in [0, 1]; ``label_maps`` uint8 (n, size, size), 0 for background and k for a
pixel of the k-th class of ``class_names`` (the object on top, where objects overlap);
``class_names``, the tuple of the classes asked for."""

# Half-size of a scene's objects, as a fraction of the image side: smaller than
# make_shapes's, so that several fit, from a few pixels across to half the image.
_SCENE_SCALE_RANGE = (0.1, 0.25)


def make_shape_scenes(n_images, classes=("disc", "square", "triangle"), n_objects=(1, 3),
                      image_size=32, seed=0):
    """Generate ``n_images`` grey-level scenes for segmentation, each with a random
    number of objects (between ``n_objects[0]`` and ``n_objects[1]`` included) of
    ``classes`` (names from ``SHAPE_CLASSES``), and return ``ShapeScenes(images,
    label_maps, class_names)`` (see ``ShapeScenes``).

    The images are built like ``make_shapes``'s, from the same pieces: a texture crop
    at low contrast, two faint blurry blobs, two faint strokes, a faint distractor of
    any of the ten shapes (not labelled: it is clutter), then the objects, drawn one
    over the other in a random order, each whole, of a random class, position,
    half-size (0.1 to 0.25 of the image side), rotation and contrast (its own
    polarity), and Gaussian noise. A pixel belongs to an object where the object
    covers at least half of it; the label map gives the class (1 to ``len(classes)``)
    of the object on top there, 0 elsewhere. The same ``seed`` gives the same scenes,
    another seed other scenes. ``make_shapes``'s images are unchanged by this function.
    """
    classes = _check_shapes_arguments(n_images, classes, image_size, seed)
    if not (isinstance(n_objects, (tuple, list)) and len(n_objects) == 2
            and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                    for v in n_objects)
            and 1 <= n_objects[0] <= n_objects[1]):
        raise ValueError(f"n_objects must be a pair (fewest, most) of integers with "
                         f"1 <= fewest <= most, got {n_objects!r}")
    if n_objects[1] > 8:
        raise ValueError(f"at most 8 objects per scene fit in an image, got {n_objects!r}")
    rng = np.random.default_rng(seed)
    n, size = int(n_images), int(image_size)

    def uniform(low, high, shape=(n, 1, 1)):
        return rng.uniform(low, high, shape).astype(np.float32)

    pixel_centres = np.arange(size, dtype=np.float32) + np.float32(0.5)
    ys, xs = pixel_centres[None, :, None], pixel_centres[None, None, :]

    # Background and clutter: make_shapes's recipe.
    textures = _shape_textures()
    which = rng.integers(0, len(textures), n)
    zoom = rng.integers(1, 4, n)
    top, left = (rng.integers(0, textures.shape[1] - zoom * size + 1) for _ in range(2))
    steps = np.arange(size)
    rows = (top[:, None] + zoom[:, None] * steps)[:, :, None]
    cols = (left[:, None] + zoom[:, None] * steps)[:, None, :]
    images = textures[which[:, None, None], rows, cols]
    images -= images.mean(axis=(1, 2), keepdims=True)
    images *= uniform(0.1, 0.3)
    level = uniform(0.3, 0.7)
    images += level
    for _ in range(2):
        centre_y, centre_x = uniform(0, size), uniform(0, size)
        width = uniform(1.5, 4.0) * np.float32(size / 32)
        images += (uniform(-0.1, 0.1) * np.exp(-(ys - centre_y) ** 2 / (2 * width**2))
                   * np.exp(-(xs - centre_x) ** 2 / (2 * width**2)))
    for _ in range(2):
        start_y, start_x = uniform(0, size), uniform(0, size)
        length = uniform(0.15, 0.5) * np.float32(size)
        direction = uniform(0, 2 * np.pi)
        along_x, along_y = np.cos(direction), np.sin(direction)
        from_x, from_y = xs - start_x, ys - start_y
        along = np.clip(from_x * along_x + from_y * along_y, 0, length)
        stroke = _length(from_x - along * along_x, from_y - along * along_y)
        np.subtract(uniform(0.8, 1.3), stroke, out=stroke)
        np.clip(stroke, 0, 1, out=stroke)
        stroke *= uniform(-0.12, 0.12)
        images += stroke
    # A faint distractor of any shape, unlabelled.
    distractor_class = rng.integers(0, len(SHAPE_CLASSES), n)
    distractor_contrast = (np.where(rng.random(n) < 0.5, -1, 1)
                           * uniform(0.35, 0.55, n) * uniform(0.2, 0.35, n))
    scale = uniform(*_SCENE_SCALE_RANGE, n) * np.float32(size)
    centre_y, centre_x = uniform(0, size), uniform(0, size)
    angle = uniform(0, 2 * np.pi, n)
    for number, name in enumerate(SHAPE_CLASSES):
        chosen = np.flatnonzero(distractor_class == number)
        if chosen.size:
            coverage = _shape_coverage(name, xs - centre_x[chosen], ys - centre_y[chosen],
                                       angle[chosen], scale[chosen])
            images[chosen] += coverage * distractor_contrast[chosen, None, None].astype(
                np.float32)

    # The objects, each whole, later ones on top; object j exists where j < count.
    counts = rng.integers(n_objects[0], n_objects[1] + 1, n)
    label_maps = np.zeros((n, size, size), dtype=np.uint8)
    for j in range(n_objects[1]):
        labels = rng.integers(0, len(classes), n)
        polarity = np.where(rng.random(n) < 0.5, -1, 1).astype(np.float32)
        object_level = level[:, 0, 0] + polarity * uniform(0.35, 0.55, n)
        scale = uniform(*_SCENE_SCALE_RANGE, n) * np.float32(size)
        centre_y, centre_x = (rng.uniform(scale, size - scale).astype(np.float32)[:, None, None]
                              for _ in range(2))
        angle = uniform(0, 2 * np.pi, n)
        for number, name in enumerate(classes):
            chosen = np.flatnonzero((labels == number) & (counts > j))
            if not chosen.size:
                continue
            coverage = _shape_coverage(name, xs - centre_x[chosen], ys - centre_y[chosen],
                                       angle[chosen], scale[chosen])
            label_maps[chosen] = np.where(coverage >= 0.5, number + 1, label_maps[chosen])
            images[chosen] += coverage * (object_level[chosen, None, None] - images[chosen])

    noise = rng.standard_normal(images.shape, dtype=np.float32)
    noise *= uniform(0.02, 0.05)
    images += noise
    np.clip(images, 0, 1, out=images)
    return ShapeScenes(images[..., None], label_maps, classes)


def build_shapes_cnn(n_classes, image_size=32, dropout=0.0):
    """The course's small CNN for the shapes data set (``make_shapes``), not compiled:
    the caller chooses the optimiser, the loss and the metrics.

    Three convolution blocks, each a 3x3 convolution (8, 16, then 32 filters), a batch
    normalisation, a ReLU and a 2x2 max pooling; then a dense layer of 64 units and a
    softmax over ``n_classes``. ``dropout`` (a rate in [0, 1), none by default) adds a
    dropout layer before each of the two dense layers. Layer names, for the pages that
    look inside: ``conv1``, ``bn1``, ``relu1``, ``pool1``, ... up to ``pool3``
    (``relu3`` holds the last feature maps, for Grad-CAM), then ``flatten``, ``dense``,
    ``output``. About 25,000 parameters for 24x24 images, 39,000 for 32x32.

    Batch normalisation makes this small network start learning within a few epochs
    on these images (without it, it stays at chance level for many epochs); its
    momentum of 0.9 lets the statistics used at prediction time follow the short
    trainings of the course.
    """
    if not (isinstance(n_classes, (int, np.integer)) and not isinstance(n_classes, bool)
            and n_classes >= 2):
        raise ValueError(f"n_classes must be an integer of at least 2, got {n_classes!r}")
    if not (isinstance(image_size, (int, np.integer)) and not isinstance(image_size, bool)
            and image_size >= 8):
        raise ValueError(f"image_size must be an integer of at least 8 pixels (three "
                         f"poolings halve it three times), got {image_size!r}")
    if not (isinstance(dropout, (int, float)) and not isinstance(dropout, bool)
            and 0 <= dropout < 1):
        raise ValueError(f"dropout must be a rate in [0, 1), got {dropout!r}")
    import keras
    from keras import layers

    blocks = []
    for number, filters in enumerate([8, 16, 32], start=1):
        blocks += [layers.Conv2D(filters, 3, padding="same", name=f"conv{number}"),
                   layers.BatchNormalization(momentum=0.9, name=f"bn{number}"),
                   layers.ReLU(name=f"relu{number}"),
                   layers.MaxPool2D(2, name=f"pool{number}")]
    head = [layers.Flatten(name="flatten"),
            layers.Dense(64, activation="relu", name="dense"),
            layers.Dense(int(n_classes), activation="softmax", name="output")]
    if dropout:
        head.insert(2, layers.Dropout(dropout, name="dropout2"))
        head.insert(1, layers.Dropout(dropout, name="dropout1"))
    return keras.Sequential(name="shapes_cnn", layers=[
        keras.Input(shape=(int(image_size), int(image_size), 1)), *blocks, *head])


def paired_difference_se(correct_a, correct_b):
    """The difference between two accuracies measured on the same examples, and its
    standard error: returns ``(difference, standard_error)``, two floats.

    ``correct_a`` and ``correct_b`` say, example by example, whether each of two
    classifiers got it right (booleans or 0/1; any per-example scores, such as shares
    in [0, 1], work the same way), the same examples in the same order. The difference
    is ``mean(correct_a) - mean(correct_b)``. Its standard error is that of the mean of
    the per-example differences: with booleans, pairing counts only the examples on
    which the two disagree, so it is smaller than the standard error of two
    independent accuracies whenever the classifiers tend to be right on the same
    examples. A difference of several standard errors is unlikely to come from the luck
    of the draw of the examples (not from that of training, which it does not measure).

    Defined for book/generalisation.md; usable by any page that compares two
    classifiers (or any two 0/1 scores) on the same examples.
    """
    a, b = (np.asarray(correct, dtype=float) for correct in (correct_a, correct_b))
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"correct_a and correct_b must be 1-D of the same length, got "
                         f"shapes {a.shape} and {b.shape}")
    if len(a) < 2:
        raise ValueError("at least two examples are needed for a standard error")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("correct_a and correct_b must hold finite numbers (or booleans)")
    differences = a - b
    return (float(differences.mean()),
            float(differences.std(ddof=1) / np.sqrt(len(differences))))


def logistic_regression(features, outcome, iterations=50):
    """Fit P(outcome = 1) = 1 / (1 + exp(-(b0 + features @ b))) by maximum likelihood
    (Newton's method) and return ``(coefficients, standard_errors)``: element 0 is the
    intercept b0, then one coefficient per column of ``features`` (n, k); ``outcome``
    holds n booleans (or 0/1).

    A coefficient is the change in the log-odds of the outcome per unit of its feature,
    the other features held fixed: standardise the features (mean 0, standard deviation
    1) to compare them. The standard errors come from the inverse of the Fisher
    information at the fit (Wald's), as in any statistics package; a coefficient
    several standard errors from zero is an effect that the luck of the draw of the
    examples does not explain. No penalty, so the fit is that of textbooks (not
    scikit-learn's default, which shrinks the coefficients).

    Defined for book/generalisation.md (which examples a network gets wrong).
    """
    x = np.asarray(features, dtype=float)
    y = np.asarray(outcome, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or y.shape != (len(x),):
        raise ValueError(f"features must be (n, k) and outcome (n,), got shapes "
                         f"{x.shape} and {y.shape}")
    if not np.all(np.isin(y, (0, 1))):
        raise ValueError("outcome must hold booleans (or 0 and 1)")
    if y.min() == y.max():
        raise ValueError("outcome is constant: there is nothing to fit")
    design = np.column_stack([np.ones(len(x)), x])

    def probabilities(coefficients):  # the logistic function, without overflow
        return 0.5 * (1 + np.tanh(design @ coefficients / 2))

    def information(p):  # the Fisher information (minus the log-likelihood's Hessian)
        return design.T @ (design * (p * (1 - p))[:, None])

    coefficients = np.zeros(design.shape[1])
    coefficients[0] = np.log(y.mean() / (1 - y.mean()))  # the fit without features
    for _ in range(iterations):
        p = probabilities(coefficients)
        try:
            step = np.linalg.solve(information(p), design.T @ (y - p))
        except np.linalg.LinAlgError:
            step = np.full_like(coefficients, np.inf)
        if not np.all(np.isfinite(step)):
            break
        coefficients += step
        if np.max(np.abs(step)) < 1e-10:
            covariance = np.linalg.inv(information(probabilities(coefficients)))
            return coefficients, np.sqrt(np.diag(covariance))
    raise RuntimeError("Newton's method did not converge: the features may separate the "
                       "outcomes perfectly, or be collinear")


# ---- Time series: the UCR/UEA archive ----
# The data sets the pages use, all shipped inside sktime (1.2.0), which loads them
# offline. One line each: adding a data set of the archive that sktime ships is one line.
UCR_DATASETS = {
    "GunPoint": "hand's x-coordinate while an actor draws a gun and points it, or points "
                "a finger (2 classes)",
    "ItalyPowerDemand": "a day's hourly electricity demand in Italy: October to March, "
                        "or April to September (2 classes)",
    "ArrowHead": "outlines of arrowheads as angle series: Avonlea, Clovis or Mix "
                 "(3 classes)",
    "OSULeaf": "outlines of leaves of six species of maple and oak (6 classes)",
    "ACSF1": "power consumption of ten kinds of home appliances (10 classes)",
    "BasicMotions": "smart watch, 3D accelerometer and 3D gyroscope (6 channels): "
                    "standing, walking, running or badminton (4 classes)",
    "JapaneseVowels": "12 speech coefficients of the vowels /a/ then /e/ said by one "
                      "of nine male speakers, 7 to 29 time steps (9 classes)",
}
PUBLISHED_ACCURACIES = DATA_DIR / "ucr_published_accuracies.csv"
UCRData = namedtuple("UCRData", "x_train y_train x_test y_test class_names")


def _ucr_series(x):
    """sktime's nested DataFrame (one pd.Series per case and channel) as a list of
    float32 arrays of shape (length, channels), one per series."""
    return [np.stack([np.asarray(cell, dtype=np.float32) for cell in row], axis=-1)
            for row in x.itertuples(index=False)]


def _z_normalised(series):
    """Each channel of each series shifted and scaled to mean 0, standard deviation 1
    (a constant channel becomes zeros)."""
    mean = series.mean(axis=0, keepdims=True)
    std = series.std(axis=0, keepdims=True)
    return (series - mean) / np.where(std > 0, std, 1)


def load_ucr(name, z_normalise=True):
    """A data set of the UCR/UEA archive with its default train/test split, as
    ``UCRData(x_train, y_train, x_test, y_test, class_names)``.

    ``name`` is a key of ``UCR_DATASETS``. The series come channels last, as Keras's
    Conv1D reads them: float32 arrays of shape (n, length, channels) when all series
    have one length, otherwise lists of arrays of shape (length, channels). Labels are
    integers 0 .. k-1, where ``class_names[i]`` is the archive's name of class i (in
    sorted order). With ``z_normalise`` each channel of each series is shifted and
    scaled to mean 0 and standard deviation 1 (most UCR data sets are stored so).
    """
    if name not in UCR_DATASETS:
        raise ValueError(f"unknown data set {name!r}; available: "
                         f"{', '.join(sorted(UCR_DATASETS))}")
    import warnings

    from sktime.datasets import load_UCR_UEA_dataset

    parts = []
    for split in ("train", "test"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sktime's notes on pandas, not ours
            x, y = load_UCR_UEA_dataset(name, split=split, return_type="nested_univ")
        series = _ucr_series(x)
        if z_normalise:
            series = [_z_normalised(s) for s in series]
        parts.append((series, np.asarray(y).astype(str)))
    class_names = sorted(set(parts[0][1]) | set(parts[1][1]))
    arrays = []
    for series, labels in parts:
        if len({s.shape for s in series}) == 1:
            series = np.stack(series)
        arrays += [series, np.searchsorted(class_names, labels).astype(np.int64)]
    return UCRData(*arrays, class_names=class_names)


def published_accuracies(dataset):
    """Published test accuracies on ``dataset``'s default train/test split, from
    ``data/ucr_published_accuracies.csv``, as ``{classifier: accuracy}``.

    Each row of the file names its statistic (one resample, or a mean over runs) and
    its source (paper, file). An empty dict if the file has no row for ``dataset``.
    """
    import csv

    if not isinstance(dataset, str):
        raise TypeError(f"dataset must be a name such as 'GunPoint', got {dataset!r}")
    with open(PUBLISHED_ACCURACIES, newline="") as file:
        rows = list(csv.DictReader(file))
    known = {row["dataset"] for row in rows}
    if dataset not in known and dataset not in UCR_DATASETS:
        raise ValueError(f"unknown data set {dataset!r}; the file has "
                         f"{', '.join(sorted(known))}")
    return {row["classifier"]: float(row["accuracy"])
            for row in rows if row["dataset"] == dataset}


# ---- Time series: forecasting ----
AirlineData = namedtuple("AirlineData", "months passengers")


def load_airline():
    """The airline data set (Box and Jenkins's series G): monthly totals of international
    airline passengers, in thousands, January 1949 to December 1960, as
    ``AirlineData(months, passengers)``: 144 months as ``datetime64[M]`` and 144 floats.

    The numbers are those of ``sktime.datasets.load_airline()``, read from the file
    sktime ships, without importing ``sktime.datasets`` (which takes seconds).
    """
    import csv
    import importlib.util

    spec = importlib.util.find_spec("sktime")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the airline data come with sktime: pip install sktime==1.2.0")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "Airline" / "Airline.csv"
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file))
    months = np.array([row["Date"] for row in rows], dtype="datetime64[M]")
    passengers = np.array([float(row["Passengers"]) for row in rows])
    if not (len(months) == 144 and np.all(np.diff(months) == np.timedelta64(1, "M"))):
        raise ValueError(f"{path} is not the 144 consecutive months of the airline data")
    return AirlineData(months, passengers)


def restart_training(model, weights):
    """Start a compiled model's training afresh: give it ``weights`` (e.g. the weights of
    a newly built, differently seeded copy) and put its optimiser back in its initial
    state (step count and moments at zero); returns the model.

    Its next ``fit`` is then the training of a new network, with no new tracing of the
    training step: training several seeds costs one tracing, not one per seed.
    """
    import keras

    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError("compile the model first: it has no optimiser yet")
    if isinstance(optimizer.learning_rate, keras.Variable):
        raise ValueError("give the optimiser a learning-rate schedule, not a number: "
                         "its learning rate is one of the variables set back to zero")
    model.set_weights(weights)
    for variable in optimizer.variables:
        variable.assign(np.zeros(variable.shape, variable.dtype))
    return model
