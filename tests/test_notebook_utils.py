import json
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from celluloid import Camera  # noqa: E402

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


def _line_animation(frames=4):
    fig, (top, bottom) = plt.subplots(2, 1)
    inset = top.inset_axes([0.7, 0.6, 0.25, 0.35])
    inset.plot([0, 1], [1, 0])  # static: celluloid does not see inset axes
    camera = Camera(fig)
    for shift in range(frames):
        top.plot(np.arange(10) + shift, np.arange(10), color="C0")
        bottom.plot(np.arange(10), np.full(10, shift), color="C1")
        camera.snap()
    return camera.animate(interval=50)


def _player_data(html):
    match = re.search(r"const data = (\{.*?\});\n", html)
    assert match, "the player must embed its frame data"
    return json.loads(match.group(1))


def test_animation_player_has_every_frame_and_the_controls():
    html = nu.animation_player(_line_animation(frames=4)).html
    data = _player_data(html)
    assert len(data["frames"]) == 4
    assert all(len(frame) == 2 for frame in data["frames"])  # two lines per frame
    assert data["interval"] == 50
    for action in ("first", "back", "play", "forward", "last"):
        assert f'data-action="{action}"' in html
    assert 'type="range" min="0" max="3"' in html
    assert "<select" in html  # speed
    assert html.count("<svg") == 1  # the static figure is drawn once


def test_animation_frames_are_in_figure_coordinates():
    data = _player_data(nu.animation_player(_line_animation(frames=2)).html)
    numbers = [float(v) for v in re.findall(r"[-\d.]+", data["frames"][1][1][2])]
    xs, ys = numbers[0::2], numbers[1::2]
    width, height = 6.4 * 72, 4.8 * 72  # default figure size, in SVG points
    assert 0 < min(xs) and max(xs) < width
    assert 0 < min(ys) and max(ys) < height
    assert len(set(ys)) == 1  # a horizontal line stays horizontal


def test_animation_player_is_deterministic():
    first = nu.animation_player(_line_animation()).html
    second = nu.animation_player(_line_animation()).html
    assert first == second


# These animations are rejected before anything is drawn, which Matplotlib warns about.
@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")
def test_animation_rejects_what_it_cannot_draw():
    with pytest.raises(TypeError, match="ArtistAnimation"):
        nu.animation_player("not an animation")
    fig, ax = plt.subplots()
    camera = Camera(fig)
    ax.scatter([1, 2], [3, 4])
    camera.snap()
    with pytest.raises(TypeError, match="only lines"):
        nu.animation_player(camera.animate())
    fig, ax = plt.subplots()
    camera = Camera(fig)
    ax.plot([1, 2], [3, 4], "o-")
    camera.snap()
    with pytest.raises(ValueError, match="markers"):
        nu.animation_player(camera.animate())


def test_animation_has_a_key_frame_strip_for_print():
    import io

    from PIL import Image

    animation = _line_animation(frames=6)
    width, height = (animation._fig.get_size_inches() * 100).round().astype(int)
    player = nu.animation_player(animation, key_frames=[0, 2, 5])
    strip = Image.open(io.BytesIO(player._repr_png_()))
    assert strip.size == (2 * width, 2 * height)  # three frames in a 2-column grid
    default = Image.open(io.BytesIO(nu.animation_player(_line_animation(frames=6))._repr_png_()))
    assert default.size == (2 * width, 2 * height)  # four frames by default
    assert player._repr_html_() == player.html


@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")
def test_key_frames_must_exist():
    with pytest.raises(ValueError, match="between 0 and 3"):
        nu.animation_player(_line_animation(frames=4), key_frames=[0, 4])


def test_inline_figures_are_kept_as_svg_and_pdf():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    nu.prepare_notebook_graphics()
    formatter = shell.display_formatter.formatters
    figure = plt.figure()
    assert formatter["image/svg+xml"].lookup(figure) is not None
    assert formatter["application/pdf"].lookup(figure) is not None
    plt.close(figure)
