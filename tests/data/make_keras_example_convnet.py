"""Rebuild tests/data/keras_example_convnet.tflite: a weaker model the quality gate must catch.

    .venv/bin/python tests/data/make_keras_example_convnet.py

The convnet of Keras' own MNIST example (two 3x3 convolutions of 32 and 64 filters, each with
2x2 max pooling, dropout 0.5, softmax), trained on MNIST alone with the project's
preprocessing: no drawn digits, no augmentation. It scores about 99 % on MNIST test, so only
drawn digits tell it from the shipped model (tests/test_drawn_quality.py). About 3 minutes on
2 cores.
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

OUT = Path(__file__).with_name("keras_example_convnet.tflite")
EPOCHS = 15  # as the example trains it
SEED = 35


def build():
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ],
        name="keras_example_convnet",
    )


def main():
    import keras

    from model.data import load_mnist
    from model.export import export_tflite
    from reading.preprocess import preprocess_mnist

    keras.utils.set_random_seed(SEED)
    (x_train, y_train), (x_test, y_test) = load_mnist(verbose=False)
    x_train, x_test = preprocess_mnist(x_train)[..., None], preprocess_mnist(x_test)[..., None]
    model = build()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=128, epochs=EPOCHS, validation_split=0.1, verbose=2)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"MNIST test accuracy {accuracy:.4f} (reported, not used to decide)")
    export_tflite(model, OUT)


if __name__ == "__main__":
    main()
