"""Generators of the course's static figures and data files.

Run ``python -m figures`` (or ``make figures``) from the repository root to recreate
every file in ``img/`` and ``data/cat.jpg``. The output is byte-for-byte reproducible
with the pinned environment, and a test checks that the committed files are current.
"""

import argparse
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # a generator never needs a screen

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: E402
from PIL import Image  # noqa: E402

from notebook_utils import COURSE_STYLE, PALETTE, REPO_ROOT  # noqa: E402

# Fixed metadata: no date, no version string, so that files do not change between runs.
PNG_METADATA = {"Software": None}
PDF_METADATA = {"Creator": None, "Producer": None, "CreationDate": None}

# LeNet-5 as in LeCun et al. (1998), Fig. 2: (name, channels, side, operation into it)
LENET_STAGES = [
    ("INPUT", 1, 32, None),
    ("C1", 6, 28, "5x5 conv"),
    ("S2", 6, 14, "2x2 pool"),
    ("C3", 16, 10, "5x5 conv"),
    ("S4", 16, 5, "2x2 pool"),
]
# Then the stages whose output is a vector: (name, units, operation into it). C5 is a 5x5
# convolution over S4's 5x5 maps, so its 120 maps are 1x1: drawn as a vector like F6.
LENET_DENSE = [("C5", 120, "5x5 conv"), ("F6", 84, "full"), ("OUTPUT", 10, "full")]


def _check_output_path(path, suffixes):
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise ValueError(f"{path}: expected a file name ending in one of {suffixes}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: folder {path.parent} does not exist")
    return path


def draw_lenet(path):
    """Draw the LeNet-5 architecture diagram and save it as a PNG image."""
    path = _check_output_path(path, (".png",))
    with plt.rc_context(COURSE_STYLE):
        fig, ax = plt.subplots(figsize=(10, 3.4))
        ax.set_axis_off()
        x = 0.0
        anchors = []  # (left, right) x of each stage, to place the arrows
        for name, channels, side, _ in LENET_STAGES:
            size = 0.9 + side / 16  # on-page size grows with the map's side
            shown = min(channels, 6)  # a few sheets suggest a stack of many
            step = 0.12
            for i in range(shown):
                ax.add_patch(
                    Rectangle(
                        (x + i * step, 0.5 - size / 2 - i * step),
                        size,
                        size,
                        facecolor="#dbe9f6" if i < shown - 1 else "#a6c8e6",
                        edgecolor=PALETTE[0],
                        linewidth=1,
                    )
                )
            right = x + (shown - 1) * step + size
            label = f"{name}\n{channels}@{side}x{side}" if name != "INPUT" else f"INPUT\n{side}x{side}"
            ax.text((x + right) / 2, 0.5 + size / 2 + 0.25, label, ha="center", va="bottom")
            anchors.append((x, right))
            x = right + 1.2
        for name, units, _ in LENET_DENSE:
            height = 0.6 + units / 40
            ax.add_patch(
                Rectangle((x, 0.5 - height / 2), 0.35, height, facecolor="#f6d8c6",
                          edgecolor=PALETTE[1], linewidth=1)
            )
            ax.text(x + 0.175, 0.5 + height / 2 + 0.25, f"{name}\n{units}", ha="center", va="bottom")
            anchors.append((x, x + 0.35))
            x += 0.35 + 1.2
        operations = [op for *_, op in LENET_STAGES[1:]] + [op for *_, op in LENET_DENSE]
        for (_, left_end), (right_start, _), operation in zip(anchors, anchors[1:], operations):
            ax.add_patch(
                FancyArrowPatch((left_end + 0.1, 0.5), (right_start - 0.1, 0.5),
                                arrowstyle="-|>", mutation_scale=12, color="0.25")
            )
            ax.text((left_end + right_start) / 2, 0.2, operation.replace(" ", "\n"),
                    ha="center", va="top", fontsize=8, color="0.25")
        ax.set_xlim(-0.2, x - 1.0)
        ax.set_ylim(-2.0, 3.4)
        ax.set_aspect("equal")
        fig.savefig(path, dpi=150, bbox_inches="tight", metadata=PNG_METADATA)
        plt.close(fig)
    return path


def padding_frames(input_size=5, kernel_size=3, padding="valid"):
    """Positions of a kernel sliding with stride 1 over a square input.

    Returns the padding width and the list of (row, column) of the kernel's top-left
    corner in padded coordinates, one per output pixel, in reading order.
    """
    if padding not in ("valid", "same"):
        raise ValueError(f'padding must be "valid" or "same", got {padding!r}')
    if not (isinstance(input_size, int) and isinstance(kernel_size, int)):
        raise TypeError("input_size and kernel_size must be integers")
    if kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(f"kernel_size must be a positive odd integer, got {kernel_size}")
    if input_size < kernel_size:
        raise ValueError(
            f"input_size ({input_size}) must be at least kernel_size ({kernel_size})"
        )
    pad = kernel_size // 2 if padding == "same" else 0
    output_size = input_size + 2 * pad - kernel_size + 1
    positions = [(row, col) for row in range(output_size) for col in range(output_size)]
    return pad, positions


def _draw_padding_frame(ax_in, ax_out, input_size, kernel_size, pad, positions, step):
    """Draw one frame: the kernel over the (padded) input, and the output filled so far.

    The panels have room for the padded input and the output of "same" padding, whatever
    the padding, so that cells have the same size in the "valid" and "same" animations.
    """
    total = input_size + 2 * pad
    output_size = total - kernel_size + 1
    span = input_size + 2 * (kernel_size // 2)
    for ax in (ax_in, ax_out):
        ax.clear()
        ax.set_aspect("equal")
        ax.set_axis_off()
    for row in range(total):
        for col in range(total):
            is_padding = not (pad <= row < pad + input_size and pad <= col < pad + input_size)
            ax_in.add_patch(
                Rectangle((col, total - 1 - row), 1, 1,
                          facecolor="white" if is_padding else "#a6c8e6",
                          edgecolor="0.45" if is_padding else PALETTE[0],
                          linestyle="--" if is_padding else "-", linewidth=1.2,
                          )
            )
            if is_padding:
                ax_in.text(col + 0.5, total - 0.5 - row, "0", ha="center", va="center",
                           fontsize=11, color="0.3")
    row, col = positions[step]
    ax_in.add_patch(
        Rectangle((col, total - kernel_size - row), kernel_size, kernel_size,
                  facecolor=PALETTE[1], alpha=0.35, edgecolor=PALETTE[1], linewidth=3)
    )
    for index in range(output_size * output_size):
        out_row, out_col = divmod(index, output_size)
        done = index <= step
        ax_out.add_patch(
            Rectangle((out_col, output_size - 1 - out_row), 1, 1,
                      facecolor=(PALETTE[1] if index == step else "#f6d8c6") if done else "white",
                      edgecolor=PALETTE[1], linewidth=1.2)
        )
    # Centre each grid in its panel.
    margin_in = (span - total) / 2
    ax_in.set_xlim(-margin_in - 0.1, total + margin_in + 0.1)
    ax_in.set_ylim(-margin_in - 0.1, total + margin_in + 0.1)
    margin_out = (span - output_size) / 2
    ax_out.set_xlim(-margin_out - 0.1, output_size + margin_out + 0.1)
    ax_out.set_ylim(output_size - input_size - 0.1, output_size + 0.1)  # top-aligned
    ax_in.set_title(f"input {input_size}x{input_size}" + (f", padding {pad}" if pad else ""),
                    fontsize=12)
    ax_out.set_title(f"output {output_size}x{output_size}", fontsize=12)


def padding_animation(path, padding="valid", input_size=5, kernel_size=3, still_path=None):
    """Animate a kernel sliding over an input, with or without "same" zero padding.

    The input is drawn above the output, so that the animation stays readable in half
    the width of a page. Saves a looping GIF at ``path`` and, if ``still_path`` is given,
    one vector frame as PDF for print.
    """
    path = _check_output_path(path, (".gif",))
    if still_path is not None:
        still_path = _check_output_path(still_path, (".pdf",))
    pad, positions = padding_frames(input_size, kernel_size, padding)
    frames = []
    with plt.rc_context(COURSE_STYLE):
        span = input_size + 2 * (kernel_size // 2)  # the padded input's side with "same"
        fig, (ax_in, ax_out) = plt.subplots(2, 1, figsize=(2.6, 4.4),
                                            height_ratios=[span, input_size])
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.01, top=0.93, hspace=0.14)
        for step in range(len(positions)):
            _draw_padding_frame(ax_in, ax_out, input_size, kernel_size, pad, positions, step)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=120, metadata=PNG_METADATA)
            frames.append(Image.open(buffer).convert("RGB"))
        if still_path is not None:
            _draw_padding_frame(ax_in, ax_out, input_size, kernel_size, pad, positions,
                                len(positions) // 2)
            fig.savefig(still_path, metadata=PDF_METADATA)
        plt.close(fig)
    # One shared palette for every frame keeps colours steady and the file small; Pillow's
    # optimisation (only the colours used, only what changes from frame to frame) halves it.
    palette = frames[len(frames) // 2].quantize(colors=32, dither=Image.Dither.NONE)
    frames = [frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in frames]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=700, loop=0,
                   optimize=True, disposal=1)
    return path


def draw_favicon(path):
    """A 32x32 icon for browser tabs: a 3x3 kernel over a grid."""
    path = _check_output_path(path, (".png",))
    with plt.rc_context(COURSE_STYLE):
        fig = plt.figure(figsize=(0.32, 0.32), dpi=100)
        ax = fig.add_axes([0, 0, 1, 1])
        ax.set_axis_off()
        for row in range(4):
            for col in range(4):
                ax.add_patch(Rectangle((col, row), 1, 1, facecolor="#a6c8e6",
                                       edgecolor=PALETTE[0], linewidth=0.5))
        ax.add_patch(Rectangle((0, 1), 3, 3, facecolor=PALETTE[1], alpha=0.6,
                               edgecolor=PALETTE[1], linewidth=1))
        ax.set_xlim(0, 4)
        ax.set_ylim(0, 4)
        fig.savefig(path, metadata=PNG_METADATA, transparent=True)
        plt.close(fig)
    return path


def write_cat_photo(path):
    """Save scikit-image's bundled "chelsea" photo (CC0) as a JPEG file."""
    path = _check_output_path(path, (".jpg", ".jpeg"))
    from skimage import data

    Image.fromarray(data.chelsea()).save(path, quality=90, optimize=False)
    return path


def generate_all(root=REPO_ROOT):
    """Write every generated file under ``root`` (the repository by default)."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"cannot write the figures under {root}: no such folder")
    img = root / "img"
    img.mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(parents=True, exist_ok=True)
    written = [draw_lenet(img / "lenet.png"), draw_favicon(img / "favicon.png"),
               write_cat_photo(root / "data" / "cat.jpg")]
    for padding in ("valid", "same"):
        written.append(
            padding_animation(img / f"padding_{padding}.gif", padding,
                              still_path=img / f"padding_{padding}.pdf")
        )
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO_ROOT,
                        help="where img/ and data/ are written (default: the repository)")
    args = parser.parse_args(argv)
    for path in generate_all(args.root):
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
