"""Live charts: one chart updated in place while your own training loop runs.

>>> rec = vl.live(progress=True, total=1000)                    # doctest: +SKIP
>>> for step in range(1000):                                    # doctest: +SKIP
...     ...                                                     # your update
...     rec.record(step, loss=loss, metrics={"accuracy": acc})
>>> rec.close()                                                 # the final chart

``vl.live`` returns a `LiveRecorder`: a `Recorder` (``freeze()`` gives the
Trace as usual) that redraws the loss and metrics chart at most every
``every`` seconds, and never so often that drawing takes more than
``max_share`` (a tenth) of the time. In Jupyter it updates one display (one
display id, no ``clear_output`` flicker; the saved notebook keeps only the last
chart); in a terminal it prints one line per update to stderr and rewrites a
PNG file.
``progress=True`` adds a progress bar from ``tqdm.auto`` (a notebook widget
in Jupyter; ``pip install 'vizlearn[notebook]'``). As ``on_step=`` of
``vl.train`` it shows progress (the lesson records its own trace).
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from vizlearn.style import Style
from vizlearn.trace import Recorder

__all__ = ["live", "LiveRecorder", "in_notebook"]


def in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (IPython with a kernel attached)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


class LiveRecorder(Recorder):
    """A Recorder that redraws its loss/metrics chart while training runs."""

    def __init__(
        self,
        *,
        every: float = 1.0,
        max_share: float = 0.1,
        progress: bool = False,
        total: int | None = None,
        path: str | Path = "vizlearn-live.png",
        log: bool = False,
        style: Style | None = None,
        notebook: bool | None = None,
        stream: TextIO | None = None,
        meta: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(meta=meta, data=data)
        if every < 0:
            raise ValueError(f"every must be >= 0 seconds, got {every}")
        if not 0 < max_share <= 1:
            raise ValueError(f"max_share must be in (0, 1], got {max_share}")
        self.every, self.log, self.path = every, log, Path(path)
        self.max_share = max_share
        self.style = style or Style(width=640, height=400, dpi=80)
        self.notebook = in_notebook() if notebook is None else notebook
        self.stream = stream if stream is not None else sys.stderr
        self.updates = 0
        self._handle: Any = None
        self._last = -float("inf")
        self._wait = every
        self._step = 0
        self._bar = _progress_bar(total) if progress else None

    def record(self, step: int, **what: Any) -> None:
        """Record as `Recorder.record` does; redraw when ``every`` seconds passed."""
        super().record(step, **what)
        self(int(step) + 1)

    def __call__(self, done: int) -> None:
        """Note that ``done`` iterations ran (so it serves as ``on_step``)."""
        self._step = int(done) - 1
        if self._bar is not None:
            self._bar.update(max(0, int(done) - self._bar.n))
        if time.monotonic() - self._last >= self._wait:
            self.update()

    def update(self) -> None:
        """Redraw now: the chart (in the notebook or the PNG) and the line or bar.

        The next redraw waits ``every`` seconds, or long enough that drawing
        takes at most ``max_share`` of the time (a tenth: 9 times as long as
        this draw took).
        """
        start = time.monotonic()
        self._draw()
        self._last = time.monotonic()
        took = self._last - start
        # the first draw also imports matplotlib and loads fonts: not counted
        factor = 1 / self.max_share - 1
        self._wait = max(self.every, factor * took) if self.updates > 1 else self.every

    def _draw(self) -> None:
        trace = self.so_far()
        summary = _summary(self._step, trace)
        if self._bar is not None:
            self._bar.set_postfix_str(summary.partition(" · ")[2], refresh=False)
        elif not self.notebook:
            from vizlearn.files import terminal_safe

            print(terminal_safe(summary), file=self.stream, flush=True)
        if len(trace.loss) + len(trace.metric_steps) == 0:
            return
        figure = self._figure(trace)
        if self.notebook:
            self._show(figure)
        else:
            from vizlearn.export.still import save_figure

            save_figure(figure, self.path)
        self.updates += 1

    def close(self) -> None:
        """Draw the final chart and close the progress bar."""
        self.update()
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> LiveRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _figure(self, trace: Any) -> Any:
        from vizlearn.render.metrics_chart import plot_metrics

        return plot_metrics(trace, log=self.log, style=self.style)

    def _show(self, figure: Any) -> None:
        from IPython.display import Image, display

        buf = io.BytesIO()
        figure.savefig(buf, format="png", backend="agg", metadata={"Software": None})
        png = buf.getvalue()
        if self._handle is None:
            self._handle = display(Image(data=png), display_id=True)
        else:
            self._handle.update(Image(data=png))


def live(**options: Any) -> LiveRecorder:
    """A `LiveRecorder`: record into it and its chart updates as training runs."""
    return LiveRecorder(**options)


def _progress_bar(total: int | None) -> Any:
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ImportError(
            "progress=True needs tqdm: pip install 'vizlearn[notebook]'"
        ) from None
    return tqdm(total=total, unit="it", file=sys.stderr)


def _summary(step: int, trace: Any) -> str:
    """'step 1,200 · loss 0.1234 · accuracy 0.910' from the latest values."""
    parts = [f"step {step:,}"]
    if len(trace.loss):
        parts.append(f"loss {trace.loss[-1]:.4g}")
    for name, values in trace.metrics.items():
        if name != "loss" and len(values):
            parts.append(f"{name} {values[-1]:.4g}")
    return " · ".join(parts)
