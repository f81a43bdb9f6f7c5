"""The animation player: a component (widgets/player.*) fed with explicit frame data."""

import io
import json
import re
import shutil
import subprocess

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402
from celluloid import Camera  # noqa: E402
from PIL import Image  # noqa: E402

import notebook_utils as nu  # noqa: E402
from conftest import REPO_ROOT  # noqa: E402

DESCRIPTION = "Two lines move as the frames go by."


def line_frames(frames=4):
    """Explicit frames: in each, a line rising on top and a flat line below."""
    fig, (top, bottom) = plt.subplots(2, 1)
    inset = top.inset_axes([0.7, 0.6, 0.25, 0.35])
    inset.plot([0, 1], [1, 0])  # static
    top.set_xlim(0, 20)
    bottom.set_ylim(-1, frames)
    return fig, [[*top.plot(np.arange(10) + shift, np.arange(10), color="C0"),
                  *bottom.plot(np.arange(10), np.full(10, shift), color="C1")]
                 for shift in range(frames)]


def celluloid_animation(frames=4):
    fig, (top, bottom) = plt.subplots(2, 1)
    camera = Camera(fig)
    for shift in range(frames):
        top.plot(np.arange(10) + shift, np.arange(10), color="C0")
        bottom.plot(np.arange(10), np.full(10, shift), color="C1")
        camera.snap()
    return camera.animate(interval=50)


def player_parts(html):
    soup = BeautifulSoup(html, "html.parser")
    data = json.loads(soup.select_one("script.course-animation-data").string)
    return soup, data


def test_player_has_every_frame_and_the_controls():
    _, frames = line_frames(4)
    html = nu.animation_player(frames, DESCRIPTION, interval_ms=80).html
    soup, data = player_parts(html)
    assert len(data["frames"]) == 4 and data["interval"] == 80
    assert all(len(frame) == 2 for frame in data["frames"])  # two lines per frame
    assert {b["data-action"] for b in soup.select("button")} == {"first", "back", "play", "forward", "last"}
    assert soup.select_one("input[type=range]")["max"] == "3"
    assert soup.select_one("output").get_text() == "1 / 4"
    assert soup.find("select") is not None  # speed
    assert len(soup.find_all("svg")) == 1  # the static figure is drawn once
    assert soup.find("svg")["aria-label"] == DESCRIPTION and soup.find("svg")["role"] == "img"


def test_script_and_style_are_the_component_files_inlined():
    _, frames = line_frames(2)
    soup, _ = player_parts(nu.animation_player(frames, DESCRIPTION).html)
    scripts = [s.string for s in soup.find_all("script") if not s.get("type")]
    assert scripts == [(REPO_ROOT / "widgets" / "runtime.js").read_text() + "\n"
                       + (REPO_ROOT / "widgets" / "player.js").read_text()]
    assert soup.find("style").string == (REPO_ROOT / "widgets" / "player.css").read_text()


def test_celluloid_animations_are_accepted_with_their_interval():
    _, data = player_parts(nu.animation_player(celluloid_animation(3), DESCRIPTION).html)
    assert len(data["frames"]) == 3 and data["interval"] == 50


def path_points(path):
    """The points of an SVG path of "M x y" (absolute) and "l dx dy ..." (relative)."""
    points, relative, numbers = [], False, []
    for token in re.findall(r"[Ml]|-?(?:\d+\.?\d*|\.\d+)", path):
        if token in "Ml":
            relative = token == "l"
            continue
        numbers.append(float(token))
        if len(numbers) == 2:
            x, y = numbers
            if relative:
                x, y = points[-1][0] + x, points[-1][1] + y
            points.append((x, y))
            numbers = []
    assert numbers == [], path
    return points


def test_frames_are_compact_paths_that_decode_exactly():
    points = [(True, 738, 1059), (False, 902, 1059), (False, 968, 1007), (False, 970, 1007),
              (True, 5, 7), (True, 10, 10), (False, 5, 3)]
    path = nu._compact_svg_path(points)
    assert path == "M73.8 105.9l16.4 0 6.6-5.2 .2 0M.5 .7M1 1l-.5-.7"
    decoded = path_points(path)
    assert [(round(x * 10), round(y * 10)) for x, y in decoded] == [(x, y) for _, x, y in points]


def test_frames_are_in_figure_coordinates():
    _, frames = line_frames(2)
    _, data = player_parts(nu.animation_player(frames, DESCRIPTION).html)
    xs, ys = zip(*path_points(data["frames"][1][1][2]))
    width, height = 6.4 * 72, 4.8 * 72  # default figure size, in SVG points
    assert 0 < min(xs) and max(xs) < width
    assert 0 < min(ys) and max(ys) < height
    assert len(set(ys)) == 1  # a horizontal line stays horizontal


def test_player_is_deterministic():
    assert (nu.animation_player(line_frames()[1], DESCRIPTION).html
            == nu.animation_player(line_frames()[1], DESCRIPTION).html)


def test_player_rejects_what_it_cannot_draw():
    with pytest.raises(TypeError, match="list of frames"):
        nu.animation_player("not frames", DESCRIPTION)
    with pytest.raises(ValueError, match="no frame"):
        nu.animation_player([], DESCRIPTION)
    fig, ax = plt.subplots()
    with pytest.raises(TypeError, match="only lines"):
        nu.animation_player([[ax.scatter([1, 2], [3, 4])]], DESCRIPTION)
    with pytest.raises(ValueError, match="markers"):
        nu.animation_player([ax.plot([1, 2], [3, 4], "o-")], DESCRIPTION)
    with pytest.raises(ValueError, match="description must say"):
        nu.animation_player([ax.plot([1, 2], [3, 4])], "")
    with pytest.raises(ValueError, match="interval_ms"):
        nu.animation_player([ax.plot([1, 2], [3, 4])], DESCRIPTION, interval_ms=0)
    other = plt.figure().add_subplot()
    with pytest.raises(ValueError, match="one figure"):
        nu.animation_player([ax.plot([1, 2], [3, 4]), other.plot([1, 2], [3, 4])], DESCRIPTION)
    with pytest.raises(ValueError, match="between 0 and 3"):
        nu.animation_player(line_frames(4)[1], DESCRIPTION, key_frames=[0, 4])
    plt.close("all")


def test_key_frame_strip_for_print():
    fig, frames = line_frames(6)
    width, height = (fig.get_size_inches() * 100).round().astype(int)
    player = nu.animation_player(frames, DESCRIPTION, key_frames=[0, 2, 5])
    strip = Image.open(io.BytesIO(player._repr_png_()))
    assert strip.size == (2 * width, 2 * height)  # three frames in a 2-column grid
    default = Image.open(io.BytesIO(nu.animation_player(line_frames(6)[1], DESCRIPTION)._repr_png_()))
    assert default.size == (2 * width, 2 * height)  # four frames by default
    assert player._repr_html_() == player.html
    assert repr(player) == "<animation player, 6 frames>"


def test_widget_scripts_pass_the_linter():
    """ESLint (pinned in package.json, installed by `make test`) on widgets/*.js, on
    the book's own scripts, _static/*.js, and on the Node scripts, scripts/*.mjs."""
    eslint = REPO_ROOT / "node_modules" / ".bin" / "eslint"
    assert eslint.is_file(), "ESLint is not installed: `make test` runs `npm ci` first"
    assert list((REPO_ROOT / "_static").glob("*.js")), "no script in _static/ to lint"
    result = subprocess.run([str(eslint), "--max-warnings=0", "widgets", "_static", "scripts"], cwd=REPO_ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linter_catches_a_defect(tmp_path):
    """The lint test can fail: ESLint with the course's settings rejects a bad script."""
    shutil.copy(REPO_ROOT / "eslint.config.mjs", tmp_path)
    (tmp_path / "node_modules").symlink_to(REPO_ROOT / "node_modules")
    (tmp_path / "widgets").mkdir()
    (tmp_path / "widgets" / "bad.js").write_text('(function () {\n  "use strict";\n  var x = y;\n}());\n')
    result = subprocess.run([str(REPO_ROOT / "node_modules" / ".bin" / "eslint"), "widgets"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    assert "no-var" in result.stdout and "no-undef" in result.stdout
