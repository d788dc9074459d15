"""pytest-image-snapshot's own kind of test: its `image_snapshot(img, path)`."""

from pathlib import Path

from PIL import Image, ImageDraw


def test_square(image_snapshot):
    img = Image.new("RGB", (20, 12), "white")
    ImageDraw.Draw(img).rectangle((4, 2, 12, 9), fill="tomato")
    image_snapshot(img, Path(__file__).parent / "image_snapshots" / "square.png")
