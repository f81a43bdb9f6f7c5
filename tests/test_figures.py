import pytest
from PIL import Image

import figures
from notebook_utils import REPO_ROOT


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("generated")
    figures.generate_all(root)
    return root


COMMITTED = ["img/lenet.png", "img/favicon.png", "img/padding_valid.gif", "img/padding_valid.pdf",
             "img/padding_same.gif", "img/padding_same.pdf", "data/cat.jpg"]


@pytest.mark.parametrize("relative_path", COMMITTED)
def test_committed_files_are_what_the_generators_write(generated, relative_path):
    """Byte-for-byte: the generators are deterministic and img/ is up to date."""
    fresh = (generated / relative_path).read_bytes()
    committed = (REPO_ROOT / relative_path).read_bytes()
    assert fresh == committed, f"{relative_path} is stale: run `make figures` and commit"


def test_generate_all_writes_nothing_else(generated):
    written = sorted(str(p.relative_to(generated)) for p in generated.rglob("*") if p.is_file())
    assert written == sorted(COMMITTED)


def test_lenet_diagram_is_a_wide_sharp_png(generated):
    with Image.open(generated / "img/lenet.png") as image:
        width, height = image.size
    assert width >= 1200 and 2.5 < width / height < 5


@pytest.mark.parametrize("padding, frames", [("valid", 9), ("same", 25)])
def test_padding_animation_has_one_frame_per_output_pixel(generated, padding, frames):
    with Image.open(generated / f"img/padding_{padding}.gif") as gif:
        assert gif.n_frames == frames
        assert gif.info["loop"] == 0


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_padding_animation_is_drawn_for_half_a_column(generated, padding):
    """Input above output: the GIF is taller than wide, so that shown side by side with
    its twin, in half the text column, its cells and labels stay large enough to read."""
    with Image.open(generated / f"img/padding_{padding}.gif") as gif:
        width, height = gif.size
    assert width >= 300 and height > 1.5 * width


def test_lenet_diagram_names_c5_as_in_the_paper():
    assert [name for name, *_ in figures.LENET_DENSE] == ["C5", "F6", "OUTPUT"]
    assert figures.LENET_DENSE[0][2] == "5x5 conv"


def test_favicon_is_32_pixels_square(generated):
    with Image.open(generated / "img/favicon.png") as icon:
        assert icon.size == (32, 32) and icon.mode == "RGBA"


def test_padding_frames_geometry():
    pad, positions = figures.padding_frames(5, 3, "valid")
    assert pad == 0 and len(positions) == 9 and positions[-1] == (2, 2)
    pad, positions = figures.padding_frames(5, 3, "same")
    assert pad == 1 and len(positions) == 25 and positions[-1] == (4, 4)
    pad, positions = figures.padding_frames(7, 5, "same")
    assert pad == 2 and len(positions) == 49


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"padding": "full"}, ValueError, 'padding must be "valid" or "same"'),
        ({"kernel_size": 4}, ValueError, "positive odd integer"),
        ({"input_size": 2}, ValueError, "at least kernel_size"),
        ({"input_size": 5.0}, TypeError, "integers"),
    ],
)
def test_padding_frames_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        figures.padding_frames(**kwargs)


def test_generators_check_their_output_path(tmp_path):
    with pytest.raises(ValueError, match=r"\.png"):
        figures.draw_lenet(tmp_path / "lenet.jpg")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        figures.draw_lenet(tmp_path / "missing-folder" / "lenet.png")
    with pytest.raises(ValueError, match=r"\.gif"):
        figures.padding_animation(tmp_path / "padding.png")


def test_cat_photo_is_the_scikit_image_chelsea(generated):
    with Image.open(generated / "data/cat.jpg") as photo:
        assert photo.size == (451, 300) and photo.mode == "RGB"


def test_generate_all_needs_an_existing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such folder"):
        figures.generate_all(tmp_path / "nowhere")
