import io
import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import notebook_utils as nu  # noqa: E402


def test_cat_photo_loads_as_rgb_floats():
    cat = nu.load_cat()
    assert cat.shape == (300, 451, 3)
    assert cat.dtype == np.float64
    assert 0.0 <= cat.min() and cat.max() <= 1.0
    assert cat.std() > 0.1  # a photo, not a blank image


def test_missing_image_says_where_and_how_to_recreate(tmp_path):
    with pytest.raises(FileNotFoundError, match="make figures"):
        nu.load_rgb_image(tmp_path / "no_cat.jpg")


def test_grey_image_is_rejected(tmp_path):
    from PIL import Image

    path = tmp_path / "grey.png"
    Image.fromarray(np.zeros((4, 4), dtype=np.uint8)).save(path)
    with pytest.raises(ValueError, match="not an RGB image"):
        nu.load_rgb_image(path)


def test_style_is_applied():
    nu.prepare_notebook_graphics()
    assert matplotlib.rcParams["svg.hashsalt"] == "cnn-course"
    assert matplotlib.rcParams["axes.spines.top"] is False


def test_show_image_hides_ticks_and_checks_shape():
    fig, ax = plt.subplots()
    nu.show_image(ax, np.zeros((5, 5, 3)), title="x")
    assert ax.get_xticks().size == 0 and ax.get_title() == "x"
    with pytest.raises(ValueError, match=r"\(H, W\) or \(H, W, 3\)"):
        nu.show_image(ax, np.zeros((5, 5, 2)))
    plt.close(fig)


def test_inline_figures_are_kept_as_svg_and_pdf():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    nu.prepare_notebook_graphics()
    formatter = shell.display_formatter.formatters
    figure = plt.figure()
    assert formatter["image/svg+xml"].lookup(figure) is not None
    assert formatter["application/pdf"].lookup(figure) is not None
    plt.close(figure)


def test_a_figure_of_a_photograph_is_kept_as_jpeg_instead_of_svg():
    """The cat's figure of the core chapter weighed 360 KB as SVG (the photograph embedded
    as PNG); plots and small images (digits, maps of 32 x 32) stay vector."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    nu.prepare_notebook_graphics()
    photo, axes = plt.subplots(1, 2, figsize=(6.4, 2.5))
    nu.show_image(axes[0], nu.load_cat())
    axes[1].plot([0, 1], [1, 0])
    small, ax = plt.subplots()
    nu.show_image(ax, np.random.default_rng(0).random((32, 32)))
    plot, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    try:
        assert nu.shows_a_photograph(photo)
        assert not nu.shows_a_photograph(small) and not nu.shows_a_photograph(plot)
        for figure in (small, plot):
            data, _ = shell.display_formatter.format(figure)
            assert "image/svg+xml" in data and "image/jpeg" not in data
        data, metadata = shell.display_formatter.format(photo)
        assert "image/svg+xml" not in data and "application/pdf" in data
        jpeg = data["image/jpeg"]
        image = Image.open(io.BytesIO(jpeg))
        assert image.format == "JPEG"
        # Shown at the size of the SVG (96 pixels per inch), drawn 1.25 times denser.
        shown = metadata["image/jpeg"]
        assert abs(image.size[0] / shown["width"] - 1.25) < 0.01
        assert abs(image.size[1] / shown["height"] - 1.25) < 0.01
        assert 450 < shown["width"] <= 6.4 * 96  # 6.4 inches, trimmed to the drawing
        svg = io.BytesIO()
        photo.savefig(svg, format="svg")
        assert len(jpeg) < len(svg.getvalue()) / 3
    finally:
        for figure in (photo, small, plot):
            plt.close(figure)


def test_random_walk_is_seeded_and_checked():
    walk = nu.random_walk(50, 0.1, seed=0)
    assert walk.shape == (50,)
    assert np.array_equal(walk, nu.random_walk(50, 0.1, seed=0))
    assert not np.array_equal(walk, nu.random_walk(50, 0.1, seed=1))
    assert np.allclose(np.diff(walk).std(), 0.1, atol=0.04)
    with pytest.raises(ValueError, match="positive integer"):
        nu.random_walk(0)
    with pytest.raises(ValueError, match="step_std must be positive"):
        nu.random_walk(10, step_std=-1)


def test_gaussian_taps_match_the_chapter():
    taps = nu.gaussian_taps(5, 2.0)
    expected = np.exp(-np.array([4, 1, 0, 1, 4]) / 2)
    assert np.allclose(taps, expected / expected.sum())
    assert np.isclose(taps.sum(), 1.0) and np.allclose(taps, taps[::-1])
    with pytest.raises(ValueError, match="odd"):
        nu.gaussian_taps(4)


class RecordedDisplay:
    """Stands in for IPython's DisplayHandle: whether an IPython shell exists in the test
    session decides where a real display goes (to stdout or nowhere)."""

    shown = []  # every state of the block, in order

    def display(self, obj, raw=False):
        assert raw and set(obj) == {"text/plain"}
        self.shown.append(obj["text/plain"])

    update = display


def fit_with_progress(monkeypatch, capsys, epochs, log_every, extra_callbacks=()):
    """Train a tiny model with the callback; return the block's successive states."""
    import IPython.display
    import keras

    RecordedDisplay.shown = []
    monkeypatch.setattr(IPython.display, "DisplayHandle", RecordedDisplay)
    nu.make_deterministic(0)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    x, y = np.ones((8, 3)), np.zeros((8, 1))
    model.fit(x, y, epochs=epochs, verbose=0,
              callbacks=[nu.training_progress(log_every=log_every), *extra_callbacks])
    assert capsys.readouterr().out == ""  # nothing printed besides the one block
    return RecordedDisplay.shown


def test_training_progress_is_one_block_in_reading_order(capsys, monkeypatch):
    shown = fit_with_progress(monkeypatch, capsys, epochs=7, log_every=3)
    final = shown[-1].splitlines()
    # The log: every third epoch and the last, then the summary, in this order.
    assert [line.split(":")[0] for line in final] == [
        "epoch 3/7", "epoch 6/7", "epoch 7/7", "trained for 7 epochs"]
    assert all(re.fullmatch(r"epoch \d/7: loss \d+\.\d{4}", line) for line in final[:-1])
    # While training, the block starts at epoch 0 and ends with the current epoch.
    assert shown[0] == "epoch 0/7"
    assert [state.splitlines()[-1].split(":")[0] for state in shown[1:-1]] == [
        f"epoch {n}/7" for n in range(1, 8)]
    # A logged line stays; a line between two logged ones is replaced by the next.
    assert shown[2].splitlines()[0].startswith("epoch 2/7") and len(shown[2].splitlines()) == 1
    assert shown[3].splitlines()[0].startswith("epoch 3/7")
    assert shown[4].splitlines()[0] == shown[3] and shown[4].splitlines()[1].startswith("epoch 4/7")


def test_training_progress_twice_gives_the_same_log(capsys, monkeypatch):
    first = fit_with_progress(monkeypatch, capsys, epochs=4, log_every=2)[-1]
    assert fit_with_progress(monkeypatch, capsys, epochs=4, log_every=2)[-1] == first


def test_training_progress_counts_the_epochs_really_trained(capsys, monkeypatch):
    import keras

    class StopAfterTwo(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    final = fit_with_progress(monkeypatch, capsys, epochs=9, log_every=5,
                              extra_callbacks=[StopAfterTwo()])[-1].splitlines()
    # Stopped early: the last epoch trained is logged, and the summary counts it.
    assert [line.split(":")[0] for line in final] == ["epoch 2/9", "trained for 2 epochs"]
    one = fit_with_progress(monkeypatch, capsys, epochs=1, log_every=5)[-1].splitlines()
    assert one[-1] == "trained for 1 epoch"


def test_training_progress_rejects_a_bad_interval():
    for bad in [0, -1, 2.5, "5"]:
        with pytest.raises(ValueError, match="log_every must be a positive integer"):
            nu.training_progress(log_every=bad)


def test_make_deterministic_repeats_training():
    import keras

    def train():
        nu.make_deterministic(3)
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2)])
        model.compile(optimizer="adam", loss="mse")
        x = np.random.default_rng(0).normal(size=(32, 4))
        model.fit(x, x[:, :2], epochs=3, verbose=0)
        return model.get_weights()[0]

    assert np.array_equal(train(), train())


@pytest.mark.parametrize("seed", [-1, 1.5, "0", None, True])
def test_make_deterministic_rejects_bad_seeds(seed):
    with pytest.raises(ValueError, match="non-negative integer"):
        nu.make_deterministic(seed)


def test_load_rgb_image_rejects_a_file_that_is_not_an_image(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("not an image")
    with pytest.raises(ValueError, match="notes.jpg is not an image file"):
        nu.load_rgb_image(path)


def test_build_lenet_has_61706_parameters():
    model = nu.build_lenet()
    assert model.count_params() == 61_706
    assert [layer.name for layer in model.layers][:2] == ["C1", "S2"]
    assert model.output_shape == (None, 10)
    with pytest.raises(ValueError, match="at least 16x16"):
        nu.build_lenet((8, 8, 1))
    with pytest.raises(ValueError, match="height, width, channels"):
        nu.build_lenet((32, 32))


def test_cosine_decay_goes_from_the_learning_rate_to_zero():
    # 100 examples in batches of 32: 4 batches per epoch, 12 steps in 3 epochs.
    schedule = nu.cosine_decay(0.1, epochs=3, n_examples=100, batch_size=32)
    rates = [float(schedule(step)) for step in [0, 6, 12, 20]]
    assert np.allclose(rates, [0.1, 0.05, 0.0, 0.0], atol=1e-7)
    assert np.all(np.diff([float(schedule(step)) for step in range(13)]) < 0)


@pytest.mark.parametrize("arguments, message", [
    ((0.0, 3, 100, 32), "learning_rate must be a number between 0 and 1"),
    ((2, 3, 100, 32), "learning_rate must be a number between 0 and 1"),
    (("0.1", 3, 100, 32), "learning_rate must be a number between 0 and 1"),
    ((0.1, 0, 100, 32), "epochs must be a positive integer"),
    ((0.1, 3, 2.5, 32), "n_examples must be a positive integer"),
    ((0.1, 3, 100, None), "batch_size must be a positive integer"),
])
def test_cosine_decay_rejects_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        nu.cosine_decay(*arguments)


def test_load_mnist1d_is_local_seeded_and_shaped_for_keras():
    (x_train, y_train), (x_test, y_test) = nu.load_mnist1d()
    assert x_train.shape == (4000, 40, 1) and x_test.shape == (1000, 40, 1)
    assert y_train.shape == (4000,) and y_test.shape == (1000,)
    assert set(np.unique(y_train)) == set(range(10))
    assert np.all(np.bincount(y_train) > 300)  # every class well represented
    (again, _), _ = nu.load_mnist1d()
    assert np.array_equal(x_train, again)
    # Exactly the package's own data set (its slower generator, which calls scipy).
    from mnist1d.data import get_dataset_args, make_dataset

    reference = make_dataset(get_dataset_args())
    for ours, theirs in [(x_train[..., 0], "x"), (y_train, "y"), (x_test[..., 0], "x_test"),
                         (y_test, "y_test")]:
        assert np.array_equal(ours, reference[theirs]), theirs


def test_mnist1d_patterns_are_where_the_template_went():
    x, y, patterns = nu.mnist1d_with_patterns(seed=7)
    (x_train, y_train), (x_test, _) = nu.load_mnist1d(seed=7)
    assert np.array_equal(np.concatenate([x_train, x_test]), x)  # the same signals, unsplit
    assert patterns.shape == (5000, 40) and patterns.dtype == bool
    lengths = patterns.sum(axis=1)
    assert 5 <= lengths.min() and lengths.max() <= 20  # a pattern and more background
    # One piece: a pattern's samples are contiguous.
    assert all(np.ptp(np.flatnonzero(row)) + 1 == row.sum() for row in patterns)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        nu.mnist1d_with_patterns(seed=-3)


def test_load_mnist1d_draws_another_data_set_for_another_seed():
    (x_default, y_default), _ = nu.load_mnist1d()
    (x_42, _), _ = nu.load_mnist1d(seed=42)  # the published seed is the default
    (x_other, y_other), _ = nu.load_mnist1d(seed=1042)
    assert np.array_equal(x_default, x_42)
    assert x_other.shape == x_default.shape and not np.allclose(x_other, x_default)
    assert np.all(np.bincount(y_other) > 300)
    for seed in [-1, 1.5, True, "1"]:
        with pytest.raises(ValueError, match="seed must be a non-negative integer"):
            nu.load_mnist1d(seed=seed)


@pytest.mark.parametrize("value, seed", [(None, 0), ("", 0), ("0", 0), ("3", 3000), (" 12 ", 12000)])
def test_run_seed_shifts_every_seed_by_the_course_seed(monkeypatch, value, seed):
    if value is None:
        monkeypatch.delenv("COURSE_SEED", raising=False)
    else:
        monkeypatch.setenv("COURSE_SEED", value)
    assert nu.run_seed() == seed


@pytest.mark.parametrize("value", ["-1", "1.5", "one"])
def test_run_seed_rejects_a_bad_course_seed(monkeypatch, value):
    monkeypatch.setenv("COURSE_SEED", value)
    with pytest.raises(ValueError, match="COURSE_SEED must be a non-negative whole number"):
        nu.run_seed()


SETUP_PROBE = """
import numpy as np, notebook_utils
seed = notebook_utils.setup()
print(seed, np.random.rand())
"""


@pytest.mark.parametrize("course_seed, seed", [(None, 0), ("2", 2000)])
def test_setup_seeds_the_run_and_keeps_tensorflows_start_off_stderr(course_seed, seed):
    """``SEED = setup()``: the run's seed, NumPy seeded with it; TensorFlow's loading
    lines (absl, oneDNN's notice, here turned on) never reach stderr."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("COURSE_SEED", "TF_CPP_MIN_LOG_LEVEL")}
    env.update(PYTHONPATH=str(Path(nu.__file__).parent), TF_ENABLE_ONEDNN_OPTS="1")
    if course_seed is not None:
        env["COURSE_SEED"] = course_seed
    result = subprocess.run([sys.executable, "-c", SETUP_PROBE], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr == ""
    printed_seed, first_draw = result.stdout.split()
    assert int(printed_seed) == seed
    assert float(first_draw) == np.random.RandomState(seed).rand()


def test_native_stderr_closed_silences_file_descriptor_2_inside_only(capfd):
    with nu.native_stderr_closed():
        os.write(2, b"a C++ note\n")
    os.write(2, b"shown\n")
    assert capfd.readouterr().err == "shown\n"
    with pytest.raises(ValueError, match="still raises"):
        with nu.native_stderr_closed():
            raise ValueError("still raises")
    os.write(2, b"restored\n")
    assert capfd.readouterr().err == "restored\n"


def test_a_claim_that_holds_says_nothing(monkeypatch, capsys):
    for mode in ["strict", "note", ""]:
        monkeypatch.setenv("COURSE_CHECKS", mode)
        assert nu.check("the CNN beats the MLP", np.float64(0.9) > 0.5, "> 0.5", "0.9") is True
    assert capsys.readouterr() == ("", "")


def test_a_claim_that_fails_fails_the_build_with_what_it_expected(monkeypatch):
    monkeypatch.setenv("COURSE_CHECKS", "strict")
    with pytest.raises(nu.ClaimNotMet) as raised:
        nu.check("the CNN beats the MLP", np.bool_(False), "a gap above 0.05", "a gap of 0.01")
    assert str(raised.value) == "the CNN beats the MLP: expected a gap above 0.05, observed a gap of 0.01"
    assert isinstance(raised.value, AssertionError)


@pytest.mark.parametrize("mode", ["note", ""])
def test_a_claim_that_fails_in_a_readers_session_is_a_note_and_the_page_goes_on(monkeypatch, mode):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *args, **kwargs: shown.append((args, kwargs)))
    if mode:
        monkeypatch.setenv("COURSE_CHECKS", mode)
    else:
        monkeypatch.delenv("COURSE_CHECKS", raising=False)
    assert nu.check("fine-tuning <wins>", False, "a gap above 0.05", "a gap of 0.01") is False
    [(bundle,), options] = shown[0]
    assert bundle["text/plain"] == ("On this run, a result differs from the text. fine-tuning <wins>: "
                                    "expected a gap above 0.05, observed a gap of 0.01.")
    assert "fine-tuning &lt;wins&gt;" in bundle["text/html"] and 'role="note"' in bundle["text/html"]
    assert options["metadata"]["course_check"]["claim"] == "fine-tuning <wins>"


@pytest.mark.parametrize("claim", ["", None, 3])
def test_a_check_must_name_its_claim(claim):
    with pytest.raises(ValueError, match="claim must say what the text claims"):
        nu.check(claim, True, "x", "y")


def test_counted_puts_the_noun_in_the_right_number():
    assert nu.counted(1, "mistake") == "1 mistake"
    assert nu.counted(0, "mistake") == "0 mistakes"
    assert nu.counted(np.int64(3), "epoch") == "3 epochs"
    assert nu.counted(2, "axis", plural="axes") == "2 axes"
    with pytest.raises(TypeError, match="integer"):
        nu.counted(1.5, "mistake")
    with pytest.raises(ValueError, match="a word"):
        nu.counted(2, "")


def test_glue_passes_numpy_scalars_as_python_numbers(monkeypatch):
    import myst_nb

    glued = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: glued.update({name: value}))
    nu.glue("accuracy", np.float64(0.953))
    nu.glue("count", np.int64(7))
    assert glued == {"accuracy": 0.953, "count": 7}
    assert type(glued["accuracy"]) is float and type(glued["count"]) is int


# A product whose sums are long enough for TensorFlow to split them between threads.
SUM_PROBE = """
import os, sys
import notebook_utils
if sys.argv[1] == "setup":
    assert "TF_NUM_INTRAOP_THREADS" not in os.environ  # importing the helpers changes nothing
    notebook_utils.setup()
import numpy as np, tensorflow as tf
a = tf.constant(np.random.RandomState(0).rand(8, 200_000).astype("float32"))
print(tf.linalg.matmul(a, a, transpose_b=True).numpy().tobytes().hex())
"""


def start_probe(call_setup, threads=None, one_core=False):
    """The probe's product in a fresh Python (started now, read with .communicate())."""
    env = {key: value for key, value in os.environ.items() if key != "TF_NUM_INTRAOP_THREADS"}
    env.update(TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0",
               PYTHONPATH=str(Path(nu.__file__).parent))
    if threads:
        env["TF_NUM_INTRAOP_THREADS"] = str(threads)
    return subprocess.Popen(
        [sys.executable, "-c", SUM_PROBE, "setup" if call_setup else "plain"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=(lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})) if one_core else None)


def test_setup_gives_the_books_sums_on_a_machine_with_another_number_of_cores():
    probes = {"two threads": start_probe(call_setup=False, threads=2),
              "one thread": start_probe(call_setup=False, threads=1),
              # On one core, TensorFlow would take one thread: setup() keeps the book's two.
              "setup on one core": start_probe(call_setup=True, one_core=True)}
    sums = {}
    for name, process in probes.items():
        stdout, stderr = process.communicate()
        assert process.returncode == 0, f"{name}: {stderr[-2000:]}"
        sums[name] = stdout.strip()
    assert sums["one thread"] != sums["two threads"]  # the probe can tell
    assert sums["setup on one core"] == sums["two threads"]


def test_create_optimizer_variables_builds_them_before_fit():
    import keras

    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="compile the model first"):
        nu.create_optimizer_variables(model)
    model.compile(optimizer=keras.optimizers.Adam(), loss="mse")
    assert not model.optimizer.built
    assert nu.create_optimizer_variables(model) is model
    assert model.optimizer.built and len(model.optimizer.variables) > 2  # momenta, not just the step


def test_tensorflow_s_retracing_warning_is_filtered_and_other_warnings_are_not(caplog):
    """Retracing warnings name memory addresses (two runs print differently) and come by
    design from pages that train fresh models; other TensorFlow warnings still show."""
    nu.setup()
    import tensorflow as tf

    logger = tf.get_logger()
    with caplog.at_level("WARNING", logger=logger.name):
        logger.warning("5 out of the last 12 calls to <function f at 0x7f> triggered "
                       "tf.function retracing. Tracing is expensive")
        logger.warning("something else went wrong")
    assert [record.getMessage() for record in caplog.records] == ["something else went wrong"]
