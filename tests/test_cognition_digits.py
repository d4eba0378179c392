"""The shipped digits CNN: held-out accuracy as recorded in its provenance, drawn strokes read correctly."""
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from augbench.cognition import digits  # noqa: E402


def test_regression_shipped_cnn_heldout_accuracy():
    """The shipped weights reach the recorded held-out accuracy (>= 0.97) on the 450 images never trained on."""
    from augbench.data import path
    meta = json.loads(path("models/cognition/digits_cnn_meta").read_text())
    acc = digits.heldout_accuracy()
    assert acc == pytest.approx(meta["heldout_accuracy"], abs=1 / 450 + 1e-9)
    assert acc >= 0.97
    assert meta["n_test"] == 450


def test_split_is_disjoint_and_stratified():
    Xtr, Xte, ytr, yte = digits.load_split()
    assert len(Xtr) + len(Xte) == 1797
    a = {x.tobytes() for x in Xtr}
    assert sum(x.tobytes() in a for x in Xte) <= 5        # the UCI set holds a few exact duplicates
    assert np.bincount(yte).min() >= 43


def test_strokes_rasterise_like_training_data_and_are_read():
    one = [np.array([[0.5, 0.0], [0.5, 1.0]])]
    t = np.linspace(0, 2 * np.pi, 40)
    zero = [np.column_stack([0.5 + 0.35 * np.cos(t), 0.5 + 0.5 * np.sin(t)])]
    img = digits.strokes_to_image(zero)
    assert img.shape == (8, 8) and img.max() <= 16 and img.min() >= 0
    model = digits.load_model()
    assert digits.predict(digits.strokes_to_image(one), model)[0] == 1
    assert digits.predict(img, model)[0] == 0
    with pytest.raises(ValueError, match="empty"):
        digits.strokes_to_image([])
    with pytest.raises(ValueError, match="8x8"):
        digits.predict(np.zeros((5, 5)), model)
