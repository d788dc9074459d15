"""Keras CSVLogger / History JSON / generic CSV -> Trace -> charts, and bad files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from vizlearn.cli import cli
from vizlearn.importers import (
    MetricsFileError,
    read_csv_metrics,
    read_keras_csv,
    read_keras_history,
    read_metrics,
)
from vizlearn.render.metrics_chart import metric_groups, plot_metrics
from vizlearn.style import Style
from vizlearn.trace import load_trace

# As keras.callbacks.CSVLogger writes it: epochs from 0, columns sorted.
KERAS_CSV = """epoch,accuracy,loss,val_accuracy,val_loss
0,0.62,1.10,0.70,0.95
1,0.78,0.70,0.80,0.66
2,0.85,0.50,0.84,0.55
"""
HISTORY = {
    "loss": [1.1, 0.7, 0.5],
    "accuracy": [0.62, 0.78, 0.85],
    "val_loss": [0.95, 0.66, 0.55],
    "val_accuracy": [0.7, 0.8, 0.84],
}
SMALL = Style(width=480, height=360, dpi=60)


@pytest.fixture
def write(tmp_path):
    def write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_keras_csv_and_history_json_give_the_same_trace(write):
    a = read_keras_csv(write("log.csv", KERAS_CSV))
    b = read_keras_history(write("history.json", json.dumps(HISTORY)))
    for t in (a, b):
        np.testing.assert_array_equal(
            t.metric_steps, [1, 2, 3]
        )  # epochs as Keras prints
        np.testing.assert_array_equal(t.metrics["val_loss"], [0.95, 0.66, 0.55])
        np.testing.assert_array_equal(t.loss, [1.1, 0.7, 0.5])
        np.testing.assert_array_equal(t.loss_steps, [1, 2, 3])
        assert t.meta["step_unit"] == "epoch" and t.meta["lesson"] == "import"
    assert sorted(a.metrics) == sorted(b.metrics)
    assert a.meta["source"] == "keras-csv" and a.meta["file"] == "log.csv"


def test_auto_detects_format_and_roundtrips_through_npz(write, tmp_path):
    assert read_metrics(write("a.csv", KERAS_CSV)).meta["source"] == "keras-csv"
    assert (
        read_metrics(write("h.json", json.dumps(HISTORY))).meta["source"]
        == "keras-json"
    )
    plain = read_metrics(write("p.csv", "step;loss;acc\n10;2.0;0.1\n20;1.0;0.5\n"))
    assert plain.meta["source"] == "csv"  # ';' separated, step column first
    np.testing.assert_array_equal(plain.metric_steps, [10, 20])
    plain.save(tmp_path / "p.npz")
    again = read_metrics(tmp_path / "p.npz")
    np.testing.assert_array_equal(again.metrics["acc"], [0.1, 0.5])


def test_pandas_json_and_wrapped_history(write):
    pandas = {k: {str(i): v for i, v in enumerate(vs)} for k, vs in HISTORY.items()}
    t = read_keras_history(write("p.json", json.dumps({"history": pandas})))
    np.testing.assert_array_equal(t.metrics["accuracy"], HISTORY["accuracy"])


def test_csv_without_step_column_counts_rows(write):
    t = read_csv_metrics(write("m.csv", "loss,accuracy\n1.0,0.5\n0.5,0.75\n"))
    np.testing.assert_array_equal(t.metric_steps, [0, 1])


def test_missing_cells_and_divergence(write):
    text = "epoch,loss,val_loss\n0,1.0,\n1,0.8,0.9\n2,0.7,NA\n3,nan,0.5\n4,0.1,0.1\n"
    t = read_keras_csv(write("d.csv", text))
    assert t.meta["diverged_at"] == 4  # epoch index 3 counted from 1
    np.testing.assert_array_equal(t.loss, [1.0, 0.8, 0.7])  # loss where it exists
    np.testing.assert_array_equal(t.metric_steps, [2])  # rows with every metric
    h = read_keras_history(write("d.json", '{"loss": [1.0, NaN, 0.5]}'))
    assert h.meta["diverged_at"] == 2 and list(h.loss) == [1.0]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("e.csv", "", "the file is empty"),
        ("h.csv", "epoch,loss\n", "a header but no data rows"),
        (
            "r.csv",
            "epoch,loss\n0,1.0\n1,0.5,3\n",
            r"r.csv:3: 3 cells, but the header has 2",
        ),
        ("n.csv", "epoch,loss\n0,1.0\n1,abc\n", r"n.csv:3: column 'loss' holds 'abc'"),
        ("d.csv", "step,loss,loss\n0,1,1\n", "distinct, non-empty column names"),
        (
            "s.csv",
            "epoch,loss\n1,1.0\n1,0.5\n",
            r"s.csv:3: steps must increase; 1 follows 1",
        ),
        ("f.csv", "epoch,loss\n0.5,1.0\n", "the step column must hold whole numbers"),
        ("o.csv", "epoch\n0\n1\n", "no metric columns besides the step"),
        ("j.json", "{loss: [1]}", r"j.json:1: not valid JSON"),
        ("l.json", "[1, 2]", "expected a JSON object like"),
        ("u.json", '{"loss": [1, 2], "acc": [1]}', "lengths are loss: 2, acc: 1"),
        ("t.json", '{"loss": [1, "x"]}', r"'loss'\[1\] is 'x', not a number"),
        ("b.json", '{"loss": 3}', "'loss' must be a non-empty list of numbers"),
    ],
)
def test_malformed_files_say_what_and_where(write, name, text, message):
    with pytest.raises(MetricsFileError, match=message):
        read_metrics(write(name, text))


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(MetricsFileError, match="not a UTF-8 text file"):
        read_metrics(path)


def test_metrics_chart_groups_train_and_validation(write):
    trace = read_metrics(write("log.csv", KERAS_CSV))
    assert metric_groups(trace) == {
        "loss": ["loss", "val_loss"],
        "accuracy": ["accuracy", "val_accuracy"],
    }
    fig = plot_metrics(trace, style=SMALL)
    loss_ax, acc_ax = fig.axes
    assert [ln.get_label() for ln in loss_ax.get_lines()] == ["train", "validation"]
    np.testing.assert_array_equal(acc_ax.get_lines()[1].get_ydata(), [0.7, 0.8, 0.84])
    assert acc_ax.get_ylim() == (0, 1.02) and loss_ax.get_xlabel() == "epoch"
    ja = plot_metrics(trace, names=["accuracy"], style=Style(lang="ja"))
    assert (
        ja.axes[0].get_xlabel() == "エポック" and ja.axes[0].get_title() == "認識精度"
    )
    with pytest.raises(ValueError, match="no metric lr; the trace has loss, accuracy"):
        plot_metrics(trace, names=["lr"])


def test_cli_import_and_plot_metrics(write, tmp_path):
    log = write("log.csv", KERAS_CSV)
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(log), "-o", str(tmp_path / "run.npz")])
    assert result.exit_code == 0, result.output
    assert load_trace(tmp_path / "run.npz").meta["source"] == "keras-csv"
    out = tmp_path / "chart.png"
    result = runner.invoke(
        cli,
        [
            "plot-metrics",
            str(tmp_path / "run.npz"),
            "--metric",
            "loss",
            "--size",
            "400x300",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    from PIL import Image

    assert Image.open(out).size == (400, 300)


def test_cli_bad_file_is_one_line_exit_1(write, tmp_path):
    bad = write("bad.csv", "epoch,loss\n0,oops\n")
    result = CliRunner().invoke(
        cli, ["plot-metrics", str(bad), "-o", str(tmp_path / "c.png")]
    )
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"Error: {bad}:2: column 'loss' holds 'oops', not a number"
    )
    assert not (tmp_path / "c.png").exists()


class FakeHistory:
    """What keras' model.fit returns: .history and .epoch (from initial_epoch)."""

    def __init__(self, history, epoch):
        self.history, self.epoch = history, epoch


def test_history_objects_and_dicts_need_no_file():
    from_dict = read_metrics(HISTORY)
    np.testing.assert_array_equal(from_dict.metric_steps, [1, 2, 3])
    np.testing.assert_array_equal(from_dict.loss, HISTORY["loss"])
    resumed = read_metrics(FakeHistory(HISTORY, [5, 6, 7]))  # fit(initial_epoch=5)
    np.testing.assert_array_equal(resumed.metric_steps, [6, 7, 8])
    assert resumed.meta["source"] == "keras-history"
    assert resumed.meta["step_unit"] == "epoch"
    with pytest.raises(MetricsFileError, match=r"dict: 'loss'\[1\] is 'x'"):
        read_metrics({"loss": [1.0, "x"]})
    with pytest.raises(TypeError, match="a path, a Keras History, a dict"):
        read_metrics(42)


def test_pandas_dataframes():
    pd = pytest.importorskip("pandas", reason="pandas not installed")
    frame = pd.DataFrame(HISTORY)
    t = read_metrics(frame)
    np.testing.assert_array_equal(t.metric_steps, [0, 1, 2])  # rows count
    csv_like = pd.read_csv(__import__("io").StringIO(KERAS_CSV))
    np.testing.assert_array_equal(read_metrics(csv_like).metric_steps, [0, 1, 2])
    by_epoch = frame.set_index(pd.Index([1, 2, 3], name="epoch"))
    t = read_metrics(by_epoch)
    assert t.meta["step_unit"] == "epoch" and t.metric_steps.tolist() == [1, 2, 3]
    with pytest.raises(MetricsFileError, match="column 'tag' is not numeric"):
        read_metrics(frame.assign(tag="x"))


TENSORBOARD = """Wall time,Step,Value
1700000000.5,0,1.25
1700000001.5,50,0.75
1700000002.5,100,0.5
"""


def test_tensorboard_csv_is_charted_against_step(write):
    t = read_metrics(write("run-validation-tag-epoch_loss.csv", TENSORBOARD))
    assert t.meta["source"] == "tensorboard-csv"
    np.testing.assert_array_equal(t.metric_steps, [0, 50, 100])  # not rows 0, 1, 2
    np.testing.assert_array_equal(t.metrics["val_loss"], [1.25, 0.75, 0.5])
    t = read_metrics(write("run-.-tag-loss.csv", TENSORBOARD))
    np.testing.assert_array_equal(t.loss_steps, [0, 50, 100])
    fig = plot_metrics(t, style=SMALL)
    np.testing.assert_array_equal(fig.axes[0].get_lines()[0].get_xdata(), [0, 50, 100])
    assert list(read_metrics(write("mine.csv", TENSORBOARD)).metrics) == ["mine"]


def test_wide_long_and_huge_logs_are_refused_before_parsing(write, tmp_path):
    import time

    wide = write("wide.csv", ",".join(f"m{i}" for i in range(20_000)) + "\n")
    with open(wide, "a") as f:
        for _ in range(50):
            f.write(",".join(["0.5"] * 20_000) + "\n")
    start = time.perf_counter()
    with pytest.raises(MetricsFileError) as info:
        read_metrics(wide)
    assert time.perf_counter() - start < 2
    message = str(info.value)
    assert "\n" not in message and "20,000 columns x 50 rows" in message
    assert "about 8 MB as numbers" in message and "at most 1,000 columns" in message
    long_cell = write("cell.csv", "epoch,loss\n0," + "1" * 5000 + "\n")
    with pytest.raises(
        MetricsFileError, match=r"cell.csv:2: column 'loss' holds 5,000"
    ):
        read_metrics(long_cell)
    huge_field = write("field.csv", 'epoch,loss\n0,"' + "x" * 200_000 + '"\n')
    with pytest.raises(MetricsFileError, match=r"field.csv:\d+: not CSV"):
        read_metrics(huge_field)
    with pytest.raises(MetricsFileError, match="2,000 columns"):
        read_metrics({f"m{i}": [1.0] for i in range(2_000)})


def test_tensorboard_event_files_through_tbparse(tmp_path):
    pytest.importorskip(
        "tbparse", reason="tbparse not installed (vizlearn[tensorboard])"
    )
    writer_module = pytest.importorskip(
        "torch.utils.tensorboard", reason="needs torch's SummaryWriter to write a log"
    )
    for run, offset in (("train", 0.0), ("validation", 0.1)):
        w = writer_module.SummaryWriter(str(tmp_path / "logs" / run))
        for epoch, loss in enumerate([1.0, 0.6, 0.4]):
            w.add_scalar("epoch_loss", loss + offset, epoch)
        w.close()
    t = read_metrics(tmp_path / "logs")
    assert t.meta["source"] == "tensorboard"
    np.testing.assert_array_equal(t.metric_steps, [0, 1, 2])
    np.testing.assert_allclose(t.metrics["val_loss"], [1.1, 0.7, 0.5], rtol=1e-6)
    np.testing.assert_allclose(t.loss, [1.0, 0.6, 0.4], rtol=1e-6)
