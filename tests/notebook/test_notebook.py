"""A notebook run by a real Jupyter kernel (nbclient): a live chart while a loop
trains, a progress bar, the animation after; nothing fetched, nothing stored twice.
"""

from __future__ import annotations

import base64
import json
import re

import pytest

nbformat = pytest.importorskip("nbformat", reason="pip install -e '.[test]'")
nbclient = pytest.importorskip("nbclient", reason="pip install -e '.[test]'")
pytest.importorskip("ipykernel", reason="pip install -e '.[test]'")

CELLS = [
    # every connection the kernel's code opens from here on is refused and noted
    """
import socket
OUTSIDE = []
_connect = socket.socket.connect
def _guard(self, address):
    host = address[0] if isinstance(address, tuple) else str(address)
    if self.family in (socket.AF_INET, socket.AF_INET6) and host not in (
        "127.0.0.1", "::1", "localhost"
    ):
        OUTSIDE.append(address)
        raise OSError("no network in this test")
    return _connect(self, address)
socket.socket.connect = _guard
""",
    """
import time
import numpy as np
import vizlearn as vl

rng = np.random.default_rng(0)
x = rng.random((100, 1))
t = np.sin(2 * np.pi * x) + rng.random((100, 1))
W1, b1 = 0.01 * rng.normal(size=(1, 10)), np.zeros(10)
W2, b2 = 0.01 * rng.normal(size=(10, 1)), np.zeros(1)
small = vl.Style(width=320, height=200, dpi=40)
rec = vl.live(every=0.2, max_share=1, progress=True, total=300, style=small)
for i in range(300):
    time.sleep(0.01)  # a heavier model's step
    h = 1 / (1 + np.exp(-(x @ W1 + b1)))
    y = h @ W2 + b2
    rec.record(i, loss=np.mean((y - t) ** 2))
    gy = 2 * (y - t) / len(x)
    gh = gy @ W2.T * h * (1 - h)
    W2 -= 0.2 * h.T @ gy; b2 -= 0.2 * gy.sum(0)
    W1 -= 0.2 * x.T @ gh; b1 -= 0.2 * gh.sum(0)
rec.close()
print("updates", rec.updates)
""",
    """
run = vl.train("sin-regression", iters=200, frames=4, n=20)
anim = vl.animate(run, style=vl.Style(width=200, height=150, dpi=40))
anim.embed("fig/sin.gif")
""",
    "anim.player()",
    "print('outside', OUTSIDE)",
]


class RecordingClient(nbclient.NotebookClient):
    """Notes every iopub message type per cell, as the notebook shows them live."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen: dict[int, list[str]] = {}

    def process_message(self, msg, cell, cell_index):
        self.seen.setdefault(cell_index, []).append(msg["msg_type"])
        return super().process_message(msg, cell, cell_index)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebook")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c.strip()) for c in CELLS]
    client = RecordingClient(
        nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": folder}}
    )
    client.execute()
    nbformat.write(nb, folder / "run.ipynb")
    return nb, client, folder


def test_the_chart_updates_in_place_while_the_loop_runs(executed):
    nb, client, _ = executed
    train = nb.cells[1]
    messages = client.seen[1]
    assert messages.count("display_data") >= 2  # the chart and the progress widget
    assert messages.count("update_display_data") >= 3  # redrawn while training
    assert "clear_output" not in messages  # no flicker
    images = [o for o in train.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1  # one chart kept in the notebook: the last one
    assert "vl-live" not in json.dumps(train.outputs)
    widgets = [
        o
        for o in train.outputs
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(widgets) == 1  # tqdm.auto drew a notebook progress bar
    text = "".join(
        o.get("text", "") for o in train.outputs if o["output_type"] == "stream"
    )
    updates = int(re.search(r"updates (\d+)", text).group(1))
    assert updates == messages.count("update_display_data") + 1


def test_the_animation_is_a_linked_file_and_the_player_is_stored_once(executed):
    nb, _, folder = executed
    (embed,) = nb.cells[2].outputs
    assert embed["data"]["text/markdown"].endswith("(fig/sin.gif)")
    assert 'src="fig/sin.gif"' in embed["data"]["text/html"]
    assert (folder / "fig/sin.gif").read_bytes()[:6] == b"GIF89a"
    (player,) = nb.cells[3].outputs
    gif = base64.b64encode((folder / "fig/sin.gif").read_bytes()).decode()
    whole = json.dumps(nb)
    assert whole.count("data:image/gif;base64,") == 1  # the player's GIF, once
    assert player["data"]["text/html"].count(gif) == 1  # the same GIF as the file
    assert len(player["data"]["text/plain"]) < 60  # the compact repr


def test_nothing_was_fetched(executed):
    nb, _, _ = executed
    (out,) = nb.cells[4].outputs
    assert out["text"].strip() == "outside []"
    whole = json.dumps(nb)
    assert "http://" not in whole and "https://" not in whole
