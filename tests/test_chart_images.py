"""Every chart of the shipped month's reports, in Chinese and English, looks as it did when its
reference image was made: the notebooks' own code draws each chart in this process
(notebook_charts), `notebook.chart`'s way (chartlayout.fit, then plotting.to_png with the chart
check), and the PNG is compared pixel by pixel with tests/chart_images/REPORT.LANG-N.png.

A drawing made cheaper must give the same picture: the same size to the pixel, a mean absolute
difference of at most MEAN_TOLERANCE levels (of 255) per channel, and at most PIXEL_SHARE of the
pixels differing by more than PIXEL_LEVELS on some channel (anti-aliasing and the 64-colour
palette may move a few edge pixels; a moved label, a changed colour or tick does not pass).

After a change meant to alter the charts, make new references and look at them before committing:
    METROANALYSIS_UPDATE_CHART_IMAGES=1 .venv/bin/python -m pytest -n0 tests/test_chart_images.py
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from notebook_charts import run_charts
from PIL import Image

from metroanalysis.analysis import chartcheck, chartlayout, plotting
from metroanalysis.cli import main

REPO = Path(__file__).resolve().parents[1]
MONTH = "2021-04"
REFERENCES = Path(__file__).resolve().parent / "chart_images"
UPDATE = os.environ.get("METROANALYSIS_UPDATE_CHART_IMAGES") == "1"
MEAN_TOLERANCE = 0.5  # levels of 255, per channel, over the whole image
PIXEL_LEVELS = 48  # a pixel counts as differing when a channel is off by more than this
PIXEL_SHARE = 0.001  # at most this share of the pixels may differ


@pytest.fixture(scope="module")
def charts(tmp_path_factory) -> dict[str, bytes]:
    """{'01-channel-shares.en-2': png, …}: every chart the notebooks show, drawn as for a page."""
    root = tmp_path_factory.mktemp("images")
    shutil.copytree(REPO / "data" / "raw" / MONTH, root / "data" / "raw" / MONTH)
    shutil.copytree(REPO / "data" / "reference", root / "data" / "reference")
    assert main(["clean", "--month", MONTH, "--root", str(root)]) == 0
    drawn: dict[str, bytes] = {}
    for lang in ("zh", "en"):
        for path in sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb")):

            def draw(report, fig, stem=f"{path.stem}.{lang}"):
                chartlayout.fit(fig)
                png, _ = plotting.to_png(fig, check=lambda d: chartcheck.check(d, report, drawn=True))
                drawn[f"{stem}-{sum(name.startswith(stem + '-') for name in drawn) + 1}"] = png

            run_charts(path, root, MONTH, lang, draw)
    return drawn


def difference(png: bytes, reference: bytes) -> str | None:
    """Why `png` does not look like `reference`, or None when it does (see module doc)."""
    new = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    old = np.asarray(Image.open(io.BytesIO(reference)).convert("RGB"), dtype=np.int16)
    if new.shape != old.shape:
        return f"size {new.shape[1]}×{new.shape[0]} px, reference {old.shape[1]}×{old.shape[0]} px"
    off = np.abs(new - old)
    mean = off.mean(axis=(0, 1)).max()
    share = (off.max(axis=2) > PIXEL_LEVELS).mean()
    if mean > MEAN_TOLERANCE or share > PIXEL_SHARE:
        return f"mean difference {mean:.2f} levels, {share:.3%} of pixels differ by more than {PIXEL_LEVELS}"
    return None


def test_every_chart_of_the_shipped_month_looks_as_its_reference(charts):
    if UPDATE:
        shutil.rmtree(REFERENCES, ignore_errors=True)
        REFERENCES.mkdir()
        for name, png in charts.items():
            (REFERENCES / f"{name}.png").write_bytes(png)
    expected = sorted(p.stem for p in REFERENCES.glob("*.png"))
    assert sorted(charts) == expected  # no chart missing, none new without a reference
    changed = {}
    for name, png in charts.items():
        why = difference(png, (REFERENCES / f"{name}.png").read_bytes())
        if why:
            changed[name] = why
    assert changed == {}


def test_a_label_moved_by_a_few_pixels_is_a_difference(charts):
    """The comparison is sharp enough: a chart with its title moved 3 px down fails it."""
    name = sorted(charts)[0]
    image = Image.open(io.BytesIO(charts[name])).convert("RGB")
    moved = image.copy()
    top = image.crop((0, 0, image.width, 40))
    moved.paste((255, 255, 255), (0, 0, image.width, 43))
    moved.paste(top, (0, 3))
    out = io.BytesIO()
    moved.save(out, format="PNG")
    assert difference(out.getvalue(), charts[name]) is not None
    assert difference(charts[name], charts[name]) is None
