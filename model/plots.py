"""The figures beside a digit model's card: learning curves, confusion matrix, reliability."""

import matplotlib

matplotlib.use("Agg")  # files only, no screen
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plot_learning_curves(history, path):
    """Loss and accuracy per epoch, training vs validation (an ensemble: {member: history})."""
    runs = {"": history} if "loss" in history else history
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for ax, key in zip(axes, ("loss", "accuracy")):
        for name, run in runs.items():
            epochs = np.arange(1, len(run["loss"]) + 1)
            ax.plot(epochs, run[key], marker="o", label=f"{name} training".strip())
            if f"val_{key}" in run:
                ax.plot(epochs, run[f"val_{key}"], marker="o", label=f"{name} validation".strip())
        ax.set_xlabel("epoch")
        ax.set_title(key)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_confusion_matrix(confusion, path):
    """Counts of true digit vs predicted digit; the diagonal is left pale so errors stand out."""
    confusion = np.asarray(confusion)
    errors = confusion * (1 - np.eye(10, dtype=confusion.dtype))
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.imshow(errors, cmap="Reds")
    for i in range(10):
        for j in range(10):
            ax.text(j, i, str(confusion[i, j]), ha="center", va="center", fontsize=7)
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true digit")
    ax.set_title("MNIST test set: confusion matrix")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_reliability(calib, path):
    """Reliability diagram: accuracy against confidence per bin, and how many fall in each."""
    rows = [r for r in calib["reliability"] if r["count"]]
    width = 1.0 / calib["bins"]
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(5, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    top.bar(
        [r["low"] for r in rows],
        [r["accuracy"] for r in rows],
        width=width,
        align="edge",
        edgecolor="black",
        label="accuracy",
    )
    top.plot([0, 1], [0, 1], linestyle="--", color="gray", label="perfect calibration")
    top.plot(
        [r["confidence"] for r in rows],
        [r["accuracy"] for r in rows],
        "o",
        color="crimson",
        label="each bin: accuracy at its mean confidence",
    )
    top.set_ylabel("accuracy")
    top.set_title(f"MNIST test set: expected calibration error {calib['ece'] * 100:.2f} %")
    top.legend(loc="upper left", fontsize=8)
    top.grid(alpha=0.3)
    bottom.bar(
        [r["low"] for r in rows],
        [r["count"] for r in rows],
        width=width,
        align="edge",
        edgecolor="black",
        color="gray",
    )
    bottom.set_yscale("log")
    bottom.set_xlabel("confidence (top probability)")
    bottom.set_ylabel("images")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
