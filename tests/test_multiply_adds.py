"""The multiply-add counter and the depth of Keras models (notebook_utils), used by
book/building_blocks.md: each layer kind against its formula, and the clear errors."""

import pytest

import notebook_utils as nu


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


def built(keras, input_shape, layer):
    """``layer`` called once on a keras.Input of ``input_shape`` (batch axis excluded)."""
    layer(keras.Input(input_shape))
    return layer


def test_convolutions_follow_positions_times_kernel_times_channels(keras):
    layers = keras.layers
    # valid padding, stride 2: (15 - 3) // 2 + 1 = 7 positions per axis
    conv = built(keras, (15, 15, 4), layers.Conv2D(6, 3, strides=2))
    assert nu.layer_multiply_adds(conv) == 7 * 7 * 3 * 3 * 4 * 6
    grouped = built(keras, (8, 8, 4), layers.Conv2D(6, 3, padding="same", groups=2))
    assert nu.layer_multiply_adds(grouped) == 8 * 8 * 3 * 3 * 2 * 6
    conv1d = built(keras, (20, 3), layers.Conv1D(5, 4, dilation_rate=2))
    assert nu.layer_multiply_adds(conv1d) == (20 - 2 * 3) * 4 * 3 * 5
    depthwise = built(keras, (10, 10, 3), layers.DepthwiseConv2D(3, depth_multiplier=2))
    assert nu.layer_multiply_adds(depthwise) == 8 * 8 * 3 * 3 * 3 * 2
    separable = built(keras, (10, 10, 3), layers.SeparableConv2D(7, 3, depth_multiplier=2))
    assert nu.layer_multiply_adds(separable) == 8 * 8 * (3 * 3 * 3 * 2 + 3 * 2 * 7)


def test_dense_counts_every_position_and_other_layers_count_zero(keras):
    layers = keras.layers
    assert nu.layer_multiply_adds(built(keras, (12,), layers.Dense(5))) == 12 * 5
    assert nu.layer_multiply_adds(built(keras, (4, 12), layers.Dense(5))) == 4 * 12 * 5
    for layer in (layers.BatchNormalization(), layers.MaxPool2D(2), layers.ReLU()):
        assert nu.layer_multiply_adds(built(keras, (8, 8, 3), layer)) == 0


def test_lenet_multiply_adds_and_depth(keras):
    # C1 117,600; C3 240,000; C5 (dense) 48,000; F6 10,080; output 840
    lenet = nu.build_lenet()
    assert nu.multiply_adds(lenet) == 117_600 + 240_000 + 48_000 + 10_080 + 840
    assert nu.weighted_depth(lenet) == 5


def test_nested_models_are_opened(keras):
    layers = keras.layers
    inner = keras.Sequential([keras.Input((6, 6, 2)), layers.Conv2D(3, 3), layers.Flatten()])
    outer = keras.Sequential([keras.Input((6, 6, 2)), inner, layers.Dense(4)])
    assert nu.multiply_adds(outer) == 4 * 4 * 9 * 2 * 3 + 48 * 4
    assert nu.weighted_depth(outer) == 2


def test_bad_input_gets_a_clear_error(keras):
    layers = keras.layers
    with pytest.raises(TypeError, match="expected a Keras layer"):
        nu.layer_multiply_adds("Conv2D")
    with pytest.raises(TypeError, match="expected a Keras model"):
        nu.multiply_adds(layers.Dense(3))
    with pytest.raises(ValueError, match="call it once on a keras.Input"):
        nu.layer_multiply_adds(layers.Conv2D(3, 3))  # never called: no shapes
    any_size = keras.Sequential([keras.Input((None, None, 3)), layers.Conv2D(4, 3)])
    with pytest.raises(ValueError, match="fixed input shape"):
        nu.multiply_adds(any_size)
    transposed = keras.Sequential([keras.Input((5, 5, 2)), layers.Conv2DTranspose(3, 3)])
    with pytest.raises(ValueError, match="cannot count a Conv2DTranspose"):
        nu.multiply_adds(transposed)
    channels_first = built(keras, (2, 5, 5), layers.Conv2D(3, 3, data_format="channels_first"))
    with pytest.raises(ValueError, match="channels_last"):
        nu.layer_multiply_adds(channels_first)
