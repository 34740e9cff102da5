"""Chart images (PNG) for the reports, drawn offline with matplotlib's Agg canvas.

Labels are Chinese, so a CJK font is needed: the first installed one matplotlib knows
(Noto Sans CJK from Debian's fonts-noto-cjk, or another Chinese font), else the file
fontconfig names for Chinese. Without any, charts() returns no image and says why, and the
report is built without charts rather than with boxes for every character.
"""

import functools
import io
import shutil
import subprocess

from jiesu.reports.figures import Chart

# Preferred families, best first; any font whose name says CJK or names a Chinese face
# will do after them.
PREFERRED = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
)
HINTS = ("CJK", "Hei", "Song", "Kai", "Fang", "WenQuanYi", "Han Sans", "Han Serif")
NO_FONT_NOTE = "(本机未安装中文字体,图表未生成。)"
DPI = 150
BLUE = "#2f5597"


@functools.cache
def cjk_font() -> str | None:
    """The path of a font file with Chinese glyphs, or None."""
    from matplotlib import font_manager

    fonts = {}
    # a regular face before a bold one of the same family
    for f in sorted(font_manager.fontManager.ttflist, key=lambda f: _weight(f.weight) != 400):
        fonts.setdefault(f.name, f.fname)
    for name in PREFERRED:
        if name in fonts:
            return fonts[name]
    for name in sorted(fonts):
        if any(hint in name for hint in HINTS):
            return fonts[name]
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(
                ["fc-match", "-f", "%{file}", ":lang=zh"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        if found and _has_cjk(found):
            return found
    return None


def _weight(weight) -> int:
    if isinstance(weight, int):
        return weight
    return {"regular": 400, "normal": 400, "book": 400}.get(str(weight).lower(), 700)


def _has_cjk(path: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        return FT2Font(path).get_char_index(ord("中")) != 0
    except (OSError, RuntimeError, ValueError):
        return False


def png(chart: Chart, *, width: float = 6.0, height: float = 3.2) -> bytes | None:
    """One chart as PNG bytes; None without a CJK font or without data."""
    figure = _draw(chart, width=width, height=height)
    if figure is None:
        return None
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def value_ticks(chart: Chart) -> list[float]:
    """The ticks of a chart's value axis as drawn (for tests)."""
    figure = _draw(chart, width=6.0, height=3.2)
    if figure is None:
        return []
    axes = figure.axes[0]
    low, high = axes.get_xlim() if chart.kind == "barh" else axes.get_ylim()
    ticks = axes.get_xticks() if chart.kind == "barh" else axes.get_yticks()
    return [float(t) for t in ticks if low <= t <= high]


def _draw(chart: Chart, *, width: float, height: float):
    path = cjk_font()
    if path is None or not chart.values:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font = FontProperties(fname=path, size=9)
    title = FontProperties(fname=path, size=11)
    rows = len(chart.labels)
    if chart.kind == "barh":
        height = max(height, 0.9 + 0.28 * rows)
    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    if chart.kind == "barh":
        positions = list(range(rows))[::-1]
        bars = axes.barh(positions, chart.values, color=BLUE)
        axes.set_yticks(positions, chart.labels, fontproperties=font)
        axes.bar_label(bars, padding=2, fontproperties=font, fmt=_fmt(chart))
        axes.margins(x=0.15)
    elif chart.kind == "bar":
        bars = axes.bar(range(rows), chart.values, color=BLUE)
        axes.set_xticks(range(rows), chart.labels, fontproperties=font)
        axes.bar_label(bars, padding=2, fontproperties=font, fmt=_fmt(chart))
        axes.margins(y=0.15)
    else:
        axes.plot(range(rows), chart.values, color=BLUE, marker="o", markersize=3)
        step = max(1, rows // 12)
        ticks = list(range(0, rows, step))
        axes.set_xticks(ticks, [chart.labels[i] for i in ticks], fontproperties=font)
        axes.set_ylim(bottom=0)
    if chart.unit == "件":  # counts: whole numbers on the value axis, never 0.5 of a case
        from matplotlib.ticker import MaxNLocator

        value_axis = axes.xaxis if chart.kind == "barh" else axes.yaxis
        value_axis.set_major_locator(MaxNLocator(integer=True))
    for label in axes.get_xticklabels() + axes.get_yticklabels():
        label.set_fontproperties(font)
    axes.set_title(chart.title, fontproperties=title)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure


def _fmt(chart: Chart) -> str:
    return "%.1f" if chart.unit == "分" else "%d"
