"""Whether a fine-tuned model replaces the shipped one: decided on validation data only, and the
before-and-after table it is decided by."""

MAX_MNIST_DROP = 0.001  # 0.1 point of accuracy on the MNIST validation slice
MAX_DRAWN_DROP = 0.002  # 0.2 point on the validation drawings


def promotion(before, after):
    """Whether to promote, and why, on validation data only: the MNIST validation slice at most
    0.1 point lower, the validation drawings at most 0.2 point lower, held-out corrections
    higher. Any other figure in before and after (the MNIST test set's) is ignored."""
    checks = (
        (
            after["mnist_validation"] >= before["mnist_validation"] - MAX_MNIST_DROP - 1e-9,
            "MNIST validation accuracy fell more than 0.1 point",
        ),
        (
            after["validation_drawings"] >= before["validation_drawings"] - MAX_DRAWN_DROP - 1e-9,
            "validation drawings' accuracy fell more than 0.2 point",
        ),
        (after["held_out"] > before["held_out"], "not better on the held-out corrections"),
    )
    if all(ok for ok, _ in checks):
        return True, (
            "no worse on the MNIST validation slice and the validation drawings, and "
            "better on the held-out corrections"
        )
    return False, " and ".join(text for ok, text in checks if not ok)


def print_comparison(before, after, mnist_test, n_val, n_drawn, n_held):
    """The figures promotion decides on, before and after; then the MNIST test set's, which
    is reported only."""
    rows = (
        ("mnist_validation", f"MNIST validation slice ({n_val:,})"),
        ("validation_drawings", f"validation drawings ({n_drawn:,})"),
        ("held_out", f"held-out corrections ({n_held:,})"),
    )
    print(
        f"\n| {'decides promotion':34} | before   | after    | change    |\n|{'-' * 36}|"
        f"{'-' * 10}|{'-' * 10}|{'-' * 11}|"
    )
    for key, label in rows:
        print_row(label, before[key], after[key])
    print(f"| {'reported only, never decides':34} |          |          |           |")
    print_row("MNIST test set (10,000)", mnist_test["before"], mnist_test["after"])
    print(flush=True)


def print_row(label, before, after):
    print(
        f"| {label:34} | {before * 100:6.2f} % | {after * 100:6.2f} % | "
        f"{(after - before) * 100:+6.2f} pt |"
    )
