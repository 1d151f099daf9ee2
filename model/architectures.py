"""The networks: the tutorial's MLP, the CNN we ship (and its augmentation), a small yes/no CNN."""

import keras
from keras import layers, regularizers

INPUT_SHAPE = (28, 28, 1)


def build_mlp():
    """The tutorial's model, unchanged: Flatten, Dense 128 relu, Dense 10 softmax."""
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ],
        name="mlp",
    )


def _conv_block(filters, l2):
    return [
        layers.Conv2D(
            filters, 3, padding="same", use_bias=False, kernel_regularizer=regularizers.l2(l2)
        ),
        layers.BatchNormalization(),
        layers.ReLU(),
    ]


def build_cnn(l2=1e-4):
    """A small CNN: three conv stages, each halving the image, with batch norm, dropout and L2.

    Pooling after every convolution keeps the work small (0.14 ms a drawing on one CPU core
    with LiteRT, against 0.36 ms for two convolutions per stage) at the same accuracy.
    """
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            *_conv_block(32, l2),
            layers.MaxPooling2D(),  # 14x14
            *_conv_block(64, l2),
            layers.MaxPooling2D(),  # 7x7
            layers.Dropout(0.1),
            *_conv_block(128, l2),
            layers.MaxPooling2D(),  # 3x3
            layers.Dropout(0.2),
            layers.Flatten(),
            layers.Dense(128, use_bias=False, kernel_regularizer=regularizers.l2(l2)),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Dropout(0.4),
            layers.Dense(10, activation="softmax"),
        ],
        name="cnn",
    )


@keras.saving.register_keras_serializable(package="digits")
class RandomStrokeWidth(layers.Layer):
    """Thicken or thin the strokes at random, as different pens and brush sizes do.

    A 3x3 max-filter (dilation) thickens, a 3x3 min-filter (erosion) thins; a random blend with
    the original gives widths in between. Active only in training.
    """

    def __init__(self, strength=0.8, **kwargs):
        super().__init__(**kwargs)
        self.strength = strength

    def call(self, images, training=True):
        if not training:
            return images
        ops = keras.ops
        dilated = ops.max_pool(images, 3, strides=1, padding="same")
        eroded = -ops.max_pool(-images, 3, strides=1, padding="same")
        batch = ops.shape(images)[0]
        # t in [-strength, strength]: negative thins, positive thickens.
        t = keras.random.uniform((batch, 1, 1, 1), -self.strength, self.strength)
        thick = images + ops.maximum(t, 0.0) * (dilated - images)
        return thick + ops.maximum(-t, 0.0) * (eroded - images)

    def get_config(self):
        return {**super().get_config(), "strength": self.strength}


@keras.saving.register_keras_serializable(package="digits")
class RandomAffine(layers.Layer):
    """Tilt, slant, resize and move each digit at random, in one resampling per image.

    One combined affine transform is four times cheaper than chaining Keras' RandomRotation,
    RandomShear, RandomZoom and RandomTranslation, which matters on a 2-core CPU.
    """

    def __init__(self, rotate=0.21, shear=0.25, zoom=0.12, shift=2.5, **kwargs):
        super().__init__(**kwargs)
        self.rotate, self.shear, self.zoom, self.shift = rotate, shear, zoom, shift

    def call(self, images, training=True):
        if not training:
            return images
        ops = keras.ops
        n = ops.shape(images)[0]

        def uniform(limit):
            return keras.random.uniform((n,), -limit, limit)

        angle, shear = uniform(self.rotate), uniform(self.shear)
        scale_x, scale_y = 1.0 + uniform(self.zoom), 1.0 + uniform(self.zoom)
        cos, sin = ops.cos(angle), ops.sin(angle)
        # A = rotation @ horizontal shear @ scale, mapping output pixels to input pixels.
        a00, a01 = cos * scale_x, (cos * shear - sin) * scale_y
        a10, a11 = sin * scale_x, (sin * shear + cos) * scale_y
        c = (INPUT_SHAPE[0] - 1) / 2.0
        b0 = c - a00 * c - a01 * c + uniform(self.shift)
        b1 = c - a10 * c - a11 * c + uniform(self.shift)
        zero = ops.zeros_like(a00)
        transform = ops.stack([a00, a01, b0, a10, a11, b1, zero, zero], axis=1)
        return ops.image.affine_transform(images, transform, fill_mode="constant")

    def get_config(self):
        return {
            **super().get_config(),
            "rotate": self.rotate,
            "shear": self.shear,
            "zoom": self.zoom,
            "shift": self.shift,
        }


def build_augmentation():
    """Random changes that imitate how people draw: tilt, slant, size, position, pen width."""
    return keras.Sequential([RandomAffine(), RandomStrokeWidth()], name="augmentation")


def small_binary_cnn(name):
    """A yes/no question about a 28x28 input (model/notdigit.py, model/onedigit.py): three
    small conv stages and one dense layer, about 1 M multiply-adds, tens of microseconds."""

    def stage(filters):
        return [
            layers.Conv2D(filters, 3, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.MaxPooling2D(),
        ]

    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            *stage(12),
            *stage(24),
            *stage(48),
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(64, activation="relu"),
            layers.Dropout(0.3),
            layers.Dense(1, activation="sigmoid"),
        ],
        name=name,
    )


ARCHITECTURES = {"mlp": build_mlp, "cnn": build_cnn}


def load_model(path):
    """Load a saved .keras model (this module registers its custom layers first)."""
    return keras.models.load_model(path)
