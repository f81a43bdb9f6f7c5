"""The UCR/UEA helpers of notebook_utils: load_ucr, published_accuracies and the table
of published accuracies in data/ucr_published_accuracies.csv."""

import csv

import numpy as np
import pytest

import notebook_utils as nu


@pytest.mark.parametrize("name", sorted(nu.UCR_DATASETS))
def test_every_data_set_loads_z_normalised_with_integer_labels(name):
    data = nu.load_ucr(name)
    n_classes = len(data.class_names)
    assert n_classes >= 2 and list(data.class_names) == sorted(data.class_names)
    for x, y in [(data.x_train, data.y_train), (data.x_test, data.y_test)]:
        assert len(x) == len(y) > 0
        assert y.dtype == np.int64 and set(y) <= set(range(n_classes))
        series = list(x)  # an array (n, length, channels) or a list of (length, channels)
        channels = {s.shape[1] for s in series}
        assert len(channels) == 1
        for s in series:
            assert s.dtype == np.float32 and s.ndim == 2 and np.isfinite(s).all()
            assert np.allclose(s.mean(axis=0), 0, atol=1e-4)
            std = s.std(axis=0)
            assert np.all(np.isclose(std, 1, atol=1e-3) | (std == 0))
    # every class appears in the training split
    assert set(data.y_train) == set(range(n_classes))


def test_known_shapes_of_the_page():
    gunpoint = nu.load_ucr("GunPoint")
    assert gunpoint.x_train.shape == (50, 150, 1) and gunpoint.x_test.shape == (150, 150, 1)
    motions = nu.load_ucr("BasicMotions")
    assert motions.x_train.shape == (40, 100, 6) and len(motions.class_names) == 4


def test_unequal_lengths_come_as_lists():
    vowels = nu.load_ucr("JapaneseVowels")
    assert isinstance(vowels.x_train, list) and isinstance(vowels.x_test, list)
    lengths = {len(s) for s in vowels.x_train + vowels.x_test}
    assert min(lengths) == 7 and max(lengths) == 29
    assert all(s.shape[1] == 12 for s in vowels.x_train)


def test_raw_series_are_not_normalised():
    raw = nu.load_ucr("ItalyPowerDemand", z_normalise=False)
    normalised = nu.load_ucr("ItalyPowerDemand")
    assert not np.allclose(raw.x_train.std(axis=1), 1)
    manual = (raw.x_train - raw.x_train.mean(axis=1, keepdims=True)) / raw.x_train.std(
        axis=1, keepdims=True)
    assert np.allclose(manual, normalised.x_train, atol=1e-5)
    assert np.array_equal(raw.y_test, normalised.y_test)


def test_constant_channel_becomes_zeros():
    series = np.stack([np.arange(5.0), np.full(5, 3.0)], axis=-1).astype(np.float32)
    result = nu._z_normalised(series)
    assert np.allclose(result[:, 1], 0) and np.isclose(result[:, 0].std(), 1)


def test_unknown_data_set_is_refused_with_the_list():
    with pytest.raises(ValueError, match="GunPoint"):
        nu.load_ucr("NoSuchData")
    with pytest.raises(ValueError, match="unknown data set"):
        nu.published_accuracies("NoSuchData")
    with pytest.raises(TypeError):
        nu.published_accuracies(3)


def test_published_accuracies_read_the_file():
    published = nu.published_accuracies("GunPoint")
    assert {"FCN", "ResNet", "InceptionTime", "HC2"} <= set(published)
    assert all(0 <= value <= 1 for value in published.values())
    assert nu.published_accuracies("BasicMotions") == {}  # known, no rows


def test_published_table_is_well_formed():
    with open(nu.PUBLISHED_ACCURACIES, newline="") as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == ["dataset", "classifier", "accuracy", "statistic",
                                     "source"]
        rows = list(reader)
    pairs = [(row["dataset"], row["classifier"]) for row in rows]
    assert len(pairs) == len(set(pairs))  # one row per data set and classifier
    for row in rows:
        assert row["dataset"] in nu.UCR_DATASETS
        assert 0 <= float(row["accuracy"]) <= 1
        assert row["statistic"] and row["source"]
