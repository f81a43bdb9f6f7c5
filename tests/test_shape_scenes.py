"""The generated segmentation scenes (notebook_utils.make_shape_scenes)."""

import numpy as np
import pytest

import notebook_utils as nu


@pytest.fixture(scope="module")
def scenes():
    return nu.make_shape_scenes(300, seed=5)


def test_shapes_and_dtypes(scenes):
    images, label_maps, class_names = scenes
    assert images.shape == (300, 32, 32, 1) and images.dtype == np.float32
    assert label_maps.shape == (300, 32, 32) and label_maps.dtype == np.uint8
    assert class_names == ("disc", "square", "triangle")
    assert 0 <= images.min() and images.max() <= 1
    assert set(np.unique(label_maps)) == {0, 1, 2, 3}
    small = nu.make_shape_scenes(4, classes=("ring", "plus"), image_size=24, seed=1)
    assert small.images.shape == (4, 24, 24, 1) and small.label_maps.shape == (4, 24, 24)
    assert small.class_names == ("ring", "plus") and small.label_maps.max() <= 2


def test_same_seed_same_scenes_other_seed_other_scenes():
    first, again = nu.make_shape_scenes(40, seed=7), nu.make_shape_scenes(40, seed=7)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    other = nu.make_shape_scenes(40, seed=8)
    assert not np.array_equal(first.images, other.images)
    assert not np.array_equal(first.label_maps, other.label_maps)


def test_background_dominates_and_every_scene_has_an_object(scenes):
    counts = np.bincount(scenes.label_maps.ravel(), minlength=4)
    assert counts[0] > 0.7 * counts.sum() and np.all(counts[1:] > 0)
    assert np.all((scenes.label_maps > 0).sum(axis=(1, 2)) >= 1)


def test_label_maps_follow_the_objects(scenes):
    # An object has its own grey level: in every scene, the labelled pixels differ
    # from the background around them, by more than the background's texture.
    images, label_maps = scenes.images[..., 0], scenes.label_maps
    gaps = []
    for image, label_map in zip(images, label_maps):
        objects = label_map > 0
        gaps.append(np.abs(image[objects] - np.median(image[~objects])).mean())
    assert np.median(gaps) > 0.2
    # The number of objects asked for bounds the number of labelled regions (objects of
    # one class may touch and merge, or hide one another, so only an upper bound).
    from scipy import ndimage

    one = nu.make_shape_scenes(200, n_objects=(1, 1), seed=2)
    for label_map in one.label_maps:
        classes = set(np.unique(label_map)) - {0}
        assert len(classes) == 1
        _, regions = ndimage.label(label_map > 0, structure=np.ones((3, 3)))
        assert regions == 1
    many = nu.make_shape_scenes(200, n_objects=(3, 3), seed=2)
    assert np.mean([len(set(np.unique(m)) - {0}) for m in many.label_maps]) > 1.5


def test_make_shapes_is_unchanged():
    # make_shapes's output, as recorded before make_shape_scenes was added.
    shapes = nu.make_shapes(20, seed=3)
    assert shapes.labels.tolist() == EXPECTED_LABELS
    assert float(shapes.images.astype(np.float64).sum()) == pytest.approx(EXPECTED_SUM, abs=1e-2)
    assert int(shapes.masks.sum()) == EXPECTED_MASK_PIXELS


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_images=0), "n_images"),
    (dict(n_images=5, classes=("disc",)), "at least two"),
    (dict(n_images=5, classes=("disc", "blob")), "unknown"),
    (dict(n_images=5, image_size=8), "image_size"),
    (dict(n_images=5, seed=-1), "seed"),
    (dict(n_images=5, n_objects=(0, 2)), "n_objects"),
    (dict(n_images=5, n_objects=(3, 2)), "n_objects"),
    (dict(n_images=5, n_objects=3), "n_objects"),
    (dict(n_images=5, n_objects=(1, 9)), "at most 8"),
])
def test_bad_input_raises_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nu.make_shape_scenes(**kwargs)


# make_shapes(20, seed=3) before make_shape_scenes existed (notebook_utils.py at the
# last commit): its labels, the sum of its pixels and its number of mask pixels.
EXPECTED_LABELS = [6, 2, 8, 8, 3, 3, 5, 0, 6, 1, 2, 1, 7, 0, 4, 9, 4, 7, 5, 9]
EXPECTED_SUM = 9853.816953533329
EXPECTED_MASK_PIXELS = 2250
