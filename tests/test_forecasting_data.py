"""The helpers of the forecasting page (notebook_utils, section "Time series:
forecasting"): the airline data, and restarting a training without tracing again."""

import os
import warnings

import numpy as np
import pytest

import notebook_utils as nu


def test_airline_data_are_sktimes():
    from sktime.datasets import load_airline as sktime_airline

    data = nu.load_airline()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = sktime_airline()
    assert data.passengers.shape == (144,) and data.passengers.dtype == np.float64
    np.testing.assert_array_equal(data.passengers, reference.to_numpy())
    assert [str(month) for month in data.months] == [str(p) for p in reference.index]
    assert str(data.months[0]) == "1949-01" and str(data.months[-1]) == "1960-12"
    assert data.passengers[:3].tolist() == [112.0, 118.0, 132.0]


def test_airline_data_need_sktime(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match="sktime"):
        nu.load_airline()


@pytest.fixture(scope="module")
def keras():
    for name, value in nu.COURSE_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    import keras

    return keras


def _model(keras, seed):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((None, 1)),
                             keras.layers.Conv1D(3, 2, padding="causal", activation="relu"),
                             keras.layers.Conv1D(1, 1)])


def _compiled(keras, seed, learning_rate):
    model = _model(keras, seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return nu.create_optimizer_variables(model)


def test_restart_training_equals_a_fresh_training(keras):
    schedule = keras.optimizers.schedules.CosineDecay(1e-2, 20)
    x = np.random.default_rng(0).normal(size=(4, 12, 1)).astype("float32")
    y = np.roll(x, -1, axis=1)

    fresh = _compiled(keras, 1, schedule)
    fresh.fit(x, y, batch_size=4, epochs=20, verbose=0)

    reused = _compiled(keras, 2, keras.optimizers.schedules.CosineDecay(1e-2, 20))
    reused.fit(x, y, batch_size=4, epochs=20, verbose=0)  # another network first
    nu.restart_training(reused, _model(keras, 1).get_weights())
    assert int(reused.optimizer.iterations) == 0
    reused.fit(x, y, batch_size=4, epochs=20, verbose=0)
    for a, b in zip(fresh.get_weights(), reused.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_restart_training_refuses_bad_input(keras):
    with pytest.raises(ValueError, match="compile"):
        nu.restart_training(_model(keras, 0), _model(keras, 1).get_weights())
    model = _compiled(keras, 0, 1e-3)
    with pytest.raises(ValueError, match="schedule"):
        nu.restart_training(model, _model(keras, 1).get_weights())
