"""Training data as Keras sees it: batched datasets and the seeded validation split, shared by
every trainer (train, finetune, train_notdigit)."""

import numpy as np


def to_dataset(x, y, batch_size, augment, seed, weights=None, repeatable=False):
    """Batches of (image, one-hot label[, weight]); augmentation runs in the input pipeline only.
    `repeatable` augments one batch at a time: in parallel, batches draw from the random stream
    in whatever order the threads run."""
    import tensorflow as tf  # here, so that a command's --help needs no TensorFlow

    from model.architectures import build_augmentation

    ds = tf.data.Dataset.from_tensor_slices((x, y) if weights is None else (x, y, weights))
    if augment:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    if augment:
        augmentation = build_augmentation()
        ds = ds.map(
            lambda a, *rest: (augmentation(a, training=True), *rest),
            num_parallel_calls=None if repeatable else tf.data.AUTOTUNE,
        )
    return ds.prefetch(tf.data.AUTOTUNE)


def validation_split(count, share, seed):
    """(validation, fit) indices of `count` training images: the seed's permutation, the
    validation share first. Fine-tuning judges on part of this split (model/finetune.py)."""
    order = np.random.default_rng(seed).permutation(count)
    n_val = int(count * share)
    return order[:n_val], order[n_val:]
