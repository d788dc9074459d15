"""The gallery: every lesson's figures in one folder, with an ``index.html``.

A registry, so a lesson adds its figures with one decorated function::

    @entry("fit", ("final fit", "学習後の回帰曲線"), ("alt text", "代替テキスト"),
           command="vizlearn plot fit")
    def _fit(out: Path, build: Build) -> list[Path]:
        trace = build.trace("sin-regression")
        return [build.still(vl.plot(trace, "fit", style=build.style), out / "fit.png")]

``build_gallery(outdir, lang=, quick=)`` runs every entry, then writes the page
(``vizlearn.export.html``). Runs shared by several entries are trained once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vizlearn.style import Style

__all__ = ["Entry", "Build", "ENTRIES", "entry", "build_gallery", "GalleryResult"]

Writer = Callable[[Path, "Build"], Sequence[Path]]


@dataclass(frozen=True)
class Entry:
    """One gallery figure: name, caption and alt text (EN, JA), and its writer."""

    name: str
    caption: tuple[str, str]
    alt: tuple[str, str]
    write: Writer
    command: str = ""
    player: bool = False
    """Also write ``NAME-player.html``, a page stepping through the entry's GIF."""


ENTRIES: dict[str, Entry] = {}


def entry(
    name: str,
    caption: tuple[str, str],
    alt: tuple[str, str],
    *,
    command: str = "",
    player: bool = False,
) -> Callable[[Writer], Writer]:
    """Register the decorated ``write(outdir, build) -> files`` as a gallery entry."""

    def register(write: Writer) -> Writer:
        ENTRIES[name] = Entry(name, caption, alt, write, command, player)
        return write

    return register


@dataclass
class Build:
    """What an entry's writer gets: the style, the mode, and shared training runs."""

    style: Style
    quick: bool = False
    _traces: dict[tuple, Any] = field(default_factory=dict)

    def options(self, full: Mapping[str, Any], quick: Mapping[str, Any]) -> dict:
        """``full`` options, updated with ``quick`` ones in quick mode."""
        return {**full, **(quick if self.quick else {})}

    def trace(self, lesson: str, **options: Any) -> Any:
        """Train ``lesson`` with ``options`` once per build; return its Trace."""
        from vizlearn import api

        key = (lesson, tuple(sorted(options.items())))
        if key not in self._traces:
            self._traces[key] = api.train(lesson, **options)
        return self._traces[key]

    def still(self, figure: Any, path: Path, trace: Any = None) -> Path:
        """Save a Figure with the provenance of ``trace`` (a Trace or a dict)."""
        from vizlearn import api

        if trace is None or isinstance(trace, Mapping):
            return api.save(figure, path, provenance=trace)
        return api.save(figure, path, provenance=api.provenance(trace))

    def animation(
        self, anim: Any, stem: Path, formats: Sequence[str] = ("gif", "webp")
    ) -> list[Path]:
        """Save an Animation once per format (``stem.gif``, ``stem.webp``)."""
        return [anim.save(stem.with_suffix("." + fmt)) for fmt in formats]


@dataclass(frozen=True)
class GalleryResult:
    """What ``build_gallery`` wrote."""

    index: Path
    files: tuple[Path, ...]
    entries: tuple[str, ...]


def build_gallery(
    outdir: str | Path,
    *,
    lang: str = "en",
    quick: bool = False,
    names: Sequence[str] | None = None,
    on_entry: Callable[[str], Any] | None = None,
) -> GalleryResult:
    """Write every entry's files into ``outdir`` and an ``index.html`` listing them.

    ``quick`` trains and renders less (for tests); ``names`` picks entries.
    """
    from vizlearn.export.html import gallery_html
    from vizlearn.files import atomic_path

    chosen = _choose(names)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    build = Build(Style.from_preset("blog", lang=lang), quick=quick)
    cards, written = [], []
    for e in chosen:
        if on_entry is not None:
            on_entry(e.name)
        files = [Path(p) for p in e.write(outdir, build)]
        cards.append(_card(e, files, outdir, lang))
        written += files + ([outdir / cards[-1].player] if cards[-1].player else [])
    title = "vizlearn gallery" if lang == "en" else "vizlearn ギャラリー"
    index = outdir / "index.html"
    with atomic_path(index) as tmp:
        tmp.write_text(gallery_html(cards, title=title, lang=lang), encoding="utf-8")
    return GalleryResult(index, tuple(written), tuple(e.name for e in chosen))


def _choose(names: Sequence[str] | None) -> list[Entry]:
    if not names:
        return list(ENTRIES.values())
    unknown = [n for n in names if n not in ENTRIES]
    if unknown:
        raise ValueError(
            f"unknown gallery entry {', '.join(unknown)}; "
            f"choose from {', '.join(ENTRIES)}"
        )
    return [ENTRIES[n] for n in names]


def _card(e: Entry, files: list[Path], outdir: Path, lang: str) -> Any:
    from vizlearn.export.html import HTML, Card, player_html

    i = 1 if lang == "ja" else 0
    gifs = [f for f in files if f.suffix == ".gif"]
    player = None
    if e.player and gifs:
        # its own page: the GIF is embedded there, and index.html stays small
        fragment = player_html(gifs[0], label=e.alt[i], element_id=f"player-{e.name}")
        page = HTML(fragment).save(outdir / f"{e.name}-player.html", title=e.caption[i])
        player = page.name
    rel = [f.resolve().relative_to(outdir.resolve()).as_posix() for f in files]
    width, height = _image_size(files[0])
    return Card(
        e.name,
        e.caption[i],
        e.alt[i],
        rel,
        [f.stat().st_size for f in files],
        width,
        height,
        e.command,
        player,
    )


def _image_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as im:
        return im.size


# --- the entries ----------------------------------------------------------------

_SIN = {"full": {}, "quick": {"iters": 600, "frames": 8}}


def _sin(build: Build) -> Any:
    return build.trace("sin-regression", **build.options(_SIN["full"], _SIN["quick"]))


@entry(
    "sin-regression",
    (
        "Sin regression: the curve and its residuals during training, loss below",
        "sin 関数の回帰：学習中の回帰曲線と残差（下は損失関数）",
    ),
    (
        "Animation: a red curve bends to follow noisy points of a sine wave "
        "while the loss falls",
        "アニメーション：赤い曲線が学習とともに sin 波の"
        "データ点に沿って曲がり、損失が下がっていく",
    ),
    command="vizlearn animate sin-regression --preset blog -o sin-regression.gif",
    player=True,
)
def _sin_regression(out: Path, build: Build) -> list[Path]:
    from vizlearn import api

    trace = _sin(build)
    return build.animation(
        api.animate(trace, style=build.style), out / "sin-regression"
    )


def _still(
    name: str, kind: str, restyle: Mapping[str, Any] | None = None, **kw: Any
) -> Writer:
    """A writer for one still of the sin-regression run (``restyle``: Style changes)."""

    def write(out: Path, build: Build) -> list[Path]:
        from vizlearn import api

        trace = _sin(build)
        style = replace(build.style, **(restyle or {}))
        fig = api.plot(trace, kind, style=style, **kw)
        return [build.still(fig, out / f"{name}.png", trace)]

    return write


entry(
    "fit",
    (
        "The final fit: data, trained curve and residuals",
        "学習後の回帰曲線：データ、学習した曲線と残差",
    ),
    (
        "Noisy points of a sine wave with the trained red curve through them",
        "sin 波のノイズ付きデータ点と、それに沿う学習後の赤い曲線",
    ),
    command="vizlearn plot fit --preset blog",
)(_still("fit", "fit"))
entry(
    "loss",
    (
        "Loss per iteration (log scale): a long plateau, then a drop",
        "学習回数ごとの損失関数（対数軸）：長い停滞のあと急に下がる",
    ),
    (
        "A log-scale loss curve, flat for thousands of iterations, then falling",
        "対数軸の損失曲線。数千回は横ばいで、その後下がる",
    ),
    command="vizlearn plot loss --log --preset blog",
)(_still("loss", "loss", log=True))
entry(
    "params",
    (
        "Every weight and bias during training, one panel per tensor",
        "学習中のすべての重みとバイアス（テンソルごとに1枚）",
    ),
    (
        "Four panels of lines, W1, b1, W2 and b2, drifting as training proceeds",
        "W1、b1、W2、b2 の4枚のパネル。学習につれて各線が動いていく",
    ),
    command="vizlearn plot params --preset blog",
)(_still("params", "params"))
entry(
    "fit-ja-dark",
    (
        "The final fit in Japanese on a dark background",
        "学習後の回帰曲線（日本語、ダークテーマ）",
    ),
    (
        "The final fit drawn with Japanese labels on a dark background",
        "日本語のラベルとダークテーマで描いた学習後の回帰曲線",
    ),
    command="vizlearn plot fit --preset blog --lang ja --theme dark",
)(_still("fit-ja-dark", "fit", {"lang": "ja", "theme": "dark"}))


@entry(
    "activations",
    (
        "Activation functions and their derivatives, as backprop computes them",
        "活性化関数とその微分（逆伝播で使う値）",
    ),
    (
        "Five panels: identity, linear, sigmoid, ReLU and tanh, each with its "
        "derivative dashed",
        "恒等関数、線形変換、シグモイド関数、ReLU、tanh の5枚。破線は微分",
    ),
    command="vizlearn plot activations --derivatives --preset blog",
)
def _activations(out: Path, build: Build) -> list[Path]:
    from vizlearn.export.still import save_figure
    from vizlearn.lessons.activations import ActivationsConfig, curves, titles
    from vizlearn.render.activations import plot_activations

    config = ActivationsConfig(derivatives=True)
    x, cv = curves(config)
    fig = plot_activations(x, cv, titles=titles(config), style=build.style)
    return [
        save_figure(
            fig,
            out / "activations.png",
            provenance={"lesson": "activations", "config": vars(config)},
        )
    ]


# --- lessons with a command of their own ---------------------------------------


def _run(
    build: Build, module: str, config: str, runner: str = "run", **options: Any
) -> Any:
    """Run ``module.runner(Config(**options))`` once per build; return the Trace."""
    import importlib

    key = (module, runner, tuple(sorted(options.items())))
    if key not in build._traces:
        lesson = importlib.import_module(module)
        build._traces[key] = getattr(lesson, runner)(getattr(lesson, config)(**options))
    return build._traces[key]


def _lesson(
    name: str,
    module: str,
    config: str,
    *,
    draw: str,
    runner: str = "run",
    animated: bool = False,
    full: Mapping[str, Any] | None = None,
    quick: Mapping[str, Any] | None = None,
) -> Writer:
    """A writer running a lesson, then ``draw`` ("module:function") as PNG or GIF+WebP.

    ``draw`` returns a Figure (a still) or, with ``animated``, a FrameSource.
    """

    def write(out: Path, build: Build) -> list[Path]:
        import importlib

        from vizlearn import api
        from vizlearn.export.animation import Animation

        options = build.options(full or {}, quick or {})
        trace = _run(build, module, config, runner, **options)
        mod, _, func = draw.partition(":")
        drawn = getattr(importlib.import_module(mod), func)(trace, style=build.style)
        if not animated:
            return [build.still(drawn, out / f"{name}.png", trace)]
        anim = Animation(drawn, provenance=api.provenance(trace))
        return build.animation(anim, out / name)

    return write


entry(
    "optimizers",
    (
        "SGD, Momentum, AdaGrad and Adam on f(x, y) = x²/20 + y² "
        "(the book's Figure 6-8)",
        "f(x, y) = x²/20 + y² 上の SGD、Momentum、AdaGrad、Adam の経路（図6-8）",
    ),
    (
        "Animation: four contour plots, each with one optimizer's zig-zag or smooth "
        "path toward the minimum",
        "アニメーション：4枚の等高線図の上で、各最適化手法の経路が最小値へ向かう",
    ),
    command="vizlearn optimizers --animate --preset blog",
    player=True,
)(
    _lesson(
        "optimizers",
        "vizlearn.lessons.optimizers",
        "OptimizersConfig",
        draw="vizlearn.render.optimizers:frames_optimizers",
        animated=True,
        quick={"steps": 8},
    )
)
entry(
    "boundary",
    (
        "Decision boundary of a 2-10-3 network on DeZero's spiral data",
        "スパイラルデータに対する 2-10-3 ネットワークの決定境界",
    ),
    (
        "Three interleaved spiral arms of points on regions shaded by the class the "
        "network predicts",
        "3本のらせん状の点と、ネットワークが予測したクラスで塗り分けた領域",
    ),
    command="vizlearn boundary --preset blog",
)(
    _lesson(
        "boundary",
        "vizlearn.lessons.boundary",
        "BoundaryConfig",
        draw="vizlearn.render.boundary:plot_boundary",
        quick={"epochs": 5, "frames": 3},
    )
)
entry(
    "weight-init",
    (
        "Activations per layer for weight std 1, 0.01, Xavier and He "
        "(Figures 6-10 to 6-14)",
        "重みの初期値（標準偏差 1、0.01、Xavier、He）ごとの"
        "各層のアクティベーション分布",
    ),
    (
        "Grids of histograms: with std 1 the activations pile up at 0 and 1, with 0.01 "
        "at 0.5, with Xavier they stay spread",
        "ヒストグラムの格子。標準偏差 1 では 0 と 1 "
        "に偏り、0.01 では 0.5 に集まり、Xavier では広がったまま",
    ),
    command="vizlearn weight-init --preset blog",
)(
    _lesson(
        "weight-init",
        "vizlearn.lessons.weight_init",
        "WeightInitConfig",
        draw="vizlearn.render.histograms:plot_weight_init",
        quick={"samples": 200},
    )
)
entry(
    "vanishing-gradients",
    (
        "Vanishing gradients: per-layer activations and gradients of a 10-layer "
        "sigmoid net over training",
        "勾配消失：10層のシグモイドネットワークの層ごとの"
        "アクティベーションと勾配の推移",
    ),
    (
        "Animation: histograms per layer; the gradients reaching the first layers "
        "stay orders of magnitude smaller",
        "アニメーション：層ごとのヒストグラム。"
        "入力側の層に届く勾配は桁違いに小さいまま",
    ),
    command="vizlearn vanishing-gradients --animate --preset blog",
)(
    _lesson(
        "vanishing-gradients",
        "vizlearn.lessons.weight_init",
        "TrainingConfig",
        runner="run_training",
        draw="vizlearn.render.histograms:frames_vanishing",
        animated=True,
        full={"frames": 30},
        quick={"epochs": 2, "frames": 3, "layers": 4, "hidden": 20},
    )
)


@entry(
    "samplers",
    (
        "Minibatch samplers: how much of the data each has seen, and final accuracy",
        "ミニバッチの取り出し方：これまでに使った訓練データの割合と最終的な認識精度",
    ),
    (
        "Curves of the fraction of training examples seen: with replacement it "
        "approaches 1 - 1/e after one epoch, shuffling reaches 1",
        "使った訓練データの割合の曲線。復元抽出は1エポックで 1 - 1/e 付近、"
        "エポックごとのシャッフルは 1 に達する",
    ),
    command="vizlearn samplers --preset blog",
)
def _samplers(out: Path, build: Build) -> list[Path]:
    from vizlearn.lessons.samplers import SamplersConfig, run

    runs = run(SamplersConfig(**build.options({}, {"iters": 100})))
    return [build.still(runs.plot(style=build.style), out / "samplers.png", runs.meta)]


@entry(
    "sweep",
    (
        "A learning-rate sweep on the spiral: accuracy and loss per epoch, overlaid",
        "スパイラルデータでの学習係数の比較：エポックごとの認識精度と損失関数",
    ),
    (
        "Three pairs of accuracy and loss curves; lr 0.1 stalls near 0.55 while "
        "lr 1 and 3 reach about 0.97",
        "3組の認識精度と損失の曲線。lr 0.1 は 0.55 付近で止まり、lr 1 と 3 は"
        "約 0.97 に達する",
    ),
    command="vizlearn sweep --vary lr=0.1,1,3 --preset blog",
)
def _sweep(out: Path, build: Build) -> list[Path]:
    from vizlearn.lessons.sweep import SweepConfig, parse_vary, run
    from vizlearn.render.sweep import plot_sweep

    options = build.options({}, {"epochs": 5})
    config = SweepConfig(vary=(parse_vary("lr=0.1,1,3"),), **options)
    runs = run(config)
    fig = plot_sweep(
        runs, title="spiral · 1×10 sigmoid · sgd · vary lr", style=build.style
    )
    provenance = {"lesson": "sweep", "config": runs[0].meta["config"]}
    return [build.still(fig, out / "sweep.png", provenance)]
