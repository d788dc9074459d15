"""syrupy's own kind of test: the `snapshot` fixture and `--snapshot-update`."""


def test_numbers(snapshot):
    assert {"loss": [0.5, 0.25], "lesson": "sin-regression"} == snapshot


def test_text(snapshot):
    assert "ゼロから作る Deep Learning" == snapshot
