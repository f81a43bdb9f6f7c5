"""The generated shapes data set (notebook_utils.make_shapes) and its CNN."""

import time

import numpy as np
import pytest

import notebook_utils as nu


@pytest.fixture(scope="module")
def shapes():
    return nu.make_shapes(200, seed=3)


def test_shapes_dtypes_and_ranges(shapes):
    images, labels, masks, class_names = shapes
    assert images.shape == (200, 32, 32, 1) and images.dtype == np.float32
    assert labels.shape == (200,) and labels.dtype == np.int64
    assert masks.shape == (200, 32, 32) and masks.dtype == bool
    assert class_names == nu.SHAPE_CLASSES and len(set(nu.SHAPE_CLASSES)) >= 8
    assert 0 <= images.min() and images.max() <= 1
    assert set(labels) == set(range(len(class_names)))
    # Grey levels, not a binary picture: background, clutter and noise vary.
    assert np.all(images.std(axis=(1, 2, 3)) > 0.02)


def test_same_seed_same_data_other_seed_other_data():
    first, again = nu.make_shapes(50, seed=7), nu.make_shapes(50, seed=7)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    other = nu.make_shapes(50, seed=8)
    assert not np.array_equal(first.images, other.images)
    assert not np.array_equal(first.labels, other.labels)


def test_classes_are_balanced():
    for n in [10, 95, 1003]:
        counts = np.bincount(nu.make_shapes(n, seed=1).labels, minlength=10)
        assert counts.max() - counts.min() <= 1 and counts.sum() == n


def test_masks_are_the_objects(shapes):
    images, labels, masks, _ = shapes
    areas = masks.sum(axis=(1, 2))
    # Every object is there (at least a few pixels), and whole: never wider than the
    # image, never touching more than the image's border allows.
    assert areas.min() >= 10 and areas.max() < 0.5 * 32 * 32
    # The object has its own grey level: inside the mask the image is closer to the
    # object's level than the background around it, so the mask marks the object.
    for image, mask in zip(images[..., 0], masks):
        inside, outside = image[mask], image[~mask]
        assert abs(np.median(inside) - np.median(outside)) > 0.15
    # Small objects of ring and frame classes have a hole: their masks are not convex
    # blobs, unlike discs'.
    ring = nu.SHAPE_CLASSES.index("ring")
    ring_masks = masks[labels == ring]
    centres = [np.argwhere(m).mean(axis=0).round().astype(int) for m in ring_masks]
    assert sum(not m[r, c] for m, (r, c) in zip(ring_masks, centres)) >= 0.8 * len(ring_masks)


def test_a_subset_of_classes_is_a_smaller_task():
    subset = ("bar", "disc", "ring")
    data = nu.make_shapes(60, classes=subset, seed=0, image_size=20)
    assert data.class_names == subset and data.images.shape == (60, 20, 20, 1)
    assert np.bincount(data.labels).tolist() == [20, 20, 20]
    # Label 0 is a bar here: long and thin masks, unlike a disc's.
    def elongation(mask):
        eigenvalues = np.linalg.eigvalsh(np.cov(np.argwhere(mask).T))
        return eigenvalues[1] / eigenvalues[0]
    bars = [elongation(m) for m in data.masks[data.labels == 0]]
    discs = [elongation(m) for m in data.masks[data.labels == 1]]
    assert min(bars) > 3 and max(discs) < 1.5


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_images=0), "n_images must be a positive integer"),
    (dict(n_images=2.5), "n_images must be a positive integer"),
    (dict(n_images=10, classes=("disc", "blob")), r"unknown class names \['blob'\]"),
    (dict(n_images=10, classes=("disc", "disc", "ring")), "must be distinct"),
    (dict(n_images=10, classes=("disc",)), "at least two classes"),
    (dict(n_images=10, classes="disc"), "sequence of class names"),
    (dict(n_images=10, image_size=8), "image_size must be an integer of at least 16"),
    (dict(n_images=10, seed=-1), "seed must be a non-negative integer"),
])
def test_bad_input_is_rejected_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nu.make_shapes(**kwargs)


def test_ten_thousand_images_take_well_under_two_seconds():
    nu.make_shapes(10)  # loads the texture photographs once
    durations = []
    for seed in range(3):  # CPU time, the best of three: a busy machine does not fail it
        start = time.process_time()
        data = nu.make_shapes(10_000, seed=seed)
        durations.append(time.process_time() - start)
        assert data.images.shape == (10_000, 32, 32, 1)
    assert min(durations) < 2.0


def test_shapes_cnn_fits_the_data_and_checks_its_arguments():
    data = nu.make_shapes(4, classes=("disc", "ring", "bar"), image_size=24)
    model = nu.build_shapes_cnn(3, image_size=24, dropout=0.25)
    assert model.output_shape == (None, 3)
    probabilities = model.predict(data.images, verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    names = [layer.name for layer in model.layers]
    assert names[:5] == ["conv1", "bn1", "relu1", "pool1", "conv2"] and "dropout1" in names
    assert "dropout1" not in [layer.name for layer in nu.build_shapes_cnn(3).layers]
    for kwargs, message in [(dict(n_classes=1), "n_classes"),
                            (dict(n_classes=3, image_size=4), "image_size"),
                            (dict(n_classes=3, dropout=1.0), "dropout")]:
        with pytest.raises(ValueError, match=message):
            nu.build_shapes_cnn(**kwargs)
