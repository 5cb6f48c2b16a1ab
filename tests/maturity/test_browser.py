"""The HTML report in a real browser: Debian's headless chromium renders it and takes screenshots.

The radar's polygon is measured twice: in the DOM chromium parsed (each vertex at radius x
score / 100 on its own axis, the n/a dimension left out), and in pixels (the painted area
matches the area the scores imply). The whole report must paint something, not a blank page.
"""

from __future__ import annotations

import math
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from platformctl.maturity.model import load_model
from tests.maturity.helpers import write_answers

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="Debian's chromium is not installed (.ci/chromium.sh installs it)"
    ),
    pytest.mark.slow,  # a browser start per screenshot: the full suite's, not the fast loop's
]
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    cmd = [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit, non-interlaced PNG (what chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and color in (2, 6), (depth, color)
    channels = 3 if color == 2 else 4
    raw, stride = zlib.decompress(idat), width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            line[i] = (line[i] + _predict(kind, a, b, c)) & 0xFF
        rows.append(bytes(line if channels == 3 else _rgb(line)))
        prev = line
    return width, height, rows


def _predict(kind: int, a: int, b: int, c: int) -> int:
    if kind == 0:
        return 0
    if kind == 1:
        return a
    if kind == 2:
        return b
    if kind == 3:
        return (a + b) // 2
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _rgb(rgba: bytearray) -> bytearray:
    return bytearray(v for i, v in enumerate(rgba) if i % 4 != 3)


def bluish(rows: list[bytes]) -> int:
    """Pixels of the score polygon (its blue fill or stroke); grid, text and page are grey or white."""
    return sum(1 for row in rows for i in range(0, len(row), 3) if row[i + 2] - row[i] > 40)


def shoelace(points: list[tuple[float, float]]) -> float:
    return (
        abs(
            sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))
        )
        / 2
    )


@pytest.fixture
def report(cli, tmp_path):
    model = load_model()
    # Scores per dimension are known; delivery is entirely n/a (left out, drawn as n/a).
    answers = {q.id: q.choices[len(q.choices) // 2].id for q in model.questions}
    answers.update(
        {
            q.id: {"answer": "n/a", "reason": "no service of our own"}
            for q in model.questions
            if q.dimension == "delivery"
        }
    )
    answers["std.cicd_systems"] = "one_default_templates"
    path = write_answers(tmp_path / "a.yaml", answers, scope="Browser check")
    html = tmp_path / "report.html"
    json_doc = cli("assess", "maturity", "--answers", str(path), "--allow-unknown", "--json", "-o", str(html))
    assert json_doc.exit_code == 0, json_doc.stderr
    return html, json_doc.json()


def test_radar_polygon_matches_the_scores_in_the_browser(report, tmp_path):
    html, doc = report
    dom = chromium(tmp_path, "--dump-dom", html.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    svg = re.search(r'<svg class="radar".*?</svg>', dom.stdout, re.S)
    assert svg, "the browser's DOM has no radar chart"
    attrs = dict(re.findall(r'data-(cx|cy|radius)="([\d.]+)"', svg.group(0)))
    cx, cy, radius = (float(attrs[k]) for k in ("cx", "cy", "radius"))
    polygon = re.search(r'class="radar-score" points="([^"]+)"[^>]*data-axes="([^"]*)"', svg.group(0))
    assert polygon
    vertices = [tuple(map(float, p.split(","))) for p in polygon.group(1).split()]
    axes = [int(a) for a in polygon.group(2).split()]
    dims = doc["dimensions"]
    assert axes == [i for i, d in enumerate(dims) if not d["excluded"]]  # the n/a axis is skipped
    assert re.search(r"Delivery \(DORA\)<tspan[^>]*>n/a</tspan>", svg.group(0))
    for (x, y), axis in zip(vertices, axes, strict=True):
        measured = math.hypot(x - cx, y - cy)
        assert measured == pytest.approx(radius * dims[axis]["score"] / 100, abs=0.02)
        angle = -math.pi / 2 + 2 * math.pi * axis / len(dims)
        assert math.atan2(y - cy, x - cx) == pytest.approx(
            math.atan2(math.sin(angle), math.cos(angle)), abs=1e-3
        )
    sizes = [int(s) for s in re.findall(r'font-size="(\d+)"', svg.group(0))]
    assert min(sizes) >= 11
    assert sorted(set(re.findall(r'class="ring-value"[^>]*>(\d+)<', svg.group(0)))) == [
        "100",
        "25",
        "50",
        "75",
    ]

    # In pixels: the radar alone, at scale 1, paints the area the scores imply.
    page = tmp_path / "radar.html"
    page.write_text(
        f'<!DOCTYPE html><html><body style="margin:0;background:#fff">{svg.group(0)}</body></html>'
    )
    shot = tmp_path / "radar.png"
    size = re.search(r'width="(\d+)" height="(\d+)"', svg.group(0))
    assert size
    done = chromium(tmp_path, f"--screenshot={shot}", f"--window-size={size[1]},{size[2]}", page.as_uri())
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    _, _, rows = read_png(shot)
    expected = [(x, y) for x, y in vertices]
    perimeter = sum(math.dist(a, b) for a, b in zip(expected, expected[1:] + expected[:1], strict=True))
    painted = bluish(rows)
    assert painted == pytest.approx(shoelace(expected) + perimeter, rel=0.05)


def test_whole_report_is_painted_with_a_level_coloured_badge(report, tmp_path):
    html, doc = report
    shot = tmp_path / "report.png"
    done = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1100,1400", html.as_uri())
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    width, height, rows = read_png(shot)
    assert (width, height) == (1100, 1400)
    colours = {row[i : i + 3] for row in rows[::7] for i in range(0, len(row), 21)}
    assert len(colours) > 20  # not a blank or single-colour page
    assert bluish(rows) > 5000  # the radar polygon is there
    text = html.read_text()
    assert f'class="badge level-{doc["level"]["level"]}"' in text
    assert "first run of this scope: no trend yet" in text and 'class="trend"' not in text
