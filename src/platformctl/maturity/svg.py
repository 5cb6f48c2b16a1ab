"""Inline SVG charts for the HTML report: dimension scores and a score trend.

Plain strings, no library and no external resources, so the report stays one file. With three
or more scored dimensions the profile is a radar (rings at the level bands, labelled); with
fewer it is a bar chart, since two axes make no polygon. A dimension left out of the score
(entirely n/a) is drawn as "n/a" on a dashed axis and the polygon skips it, never at 0.
Text is at least 11 px.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

RINGS = (25, 50, 75, 100)
LABEL_PX = 13
SMALL_PX = 11
FILL = "#2f6fde"


def _polar(cx: float, cy: float, radius: float, index: int, count: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)


def _points(coords: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.2f},{y:.2f}" for x, y in coords)


def _clamp(score: float) -> float:
    return max(0.0, min(100.0, score))


def profile(labels: Sequence[str], scores: Sequence[float | None]) -> str:
    """The dimension chart: a radar with 3+ scored dimensions, bars otherwise (None = n/a)."""
    if sum(1 for s in scores if s is not None) >= 3:
        return radar(labels, scores)
    return bars(labels, scores)


def radar(
    labels: Sequence[str], scores: Sequence[float | None], *, width: int = 800, height: int = 440
) -> str:
    """A radar chart: one axis per dimension, rings at the level bands, the scores as a polygon.

    The polygon's vertex on axis i is at ``radius * score_i / 100`` from the centre
    (``data-cx``/``data-cy``/``data-radius`` on the ``svg`` element say where that is).
    """
    count = len(labels)
    cx, cy = width / 2, height / 2
    radius = min(height / 2 - 56, width / 2 - 240)  # room for two-line labels around it
    parts = [
        f'<svg class="radar" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" data-cx="{cx:.2f}" data-cy="{cy:.2f}" '
        f'data-radius="{radius:.2f}" font-family="DejaVu Sans, system-ui, sans-serif" role="img" '
        'aria-label="Radar chart of dimension scores">'
    ]
    for ring in RINGS:
        ring_pts = [_polar(cx, cy, radius * ring / 100, i, count) for i in range(count)]
        parts.append(
            f'<polygon class="radar-grid" points="{_points(ring_pts)}" fill="none" '
            'stroke="#c8ccd4" stroke-width="1"/>'
        )
        tx, ty = _polar(cx, cy, radius * ring / 100, 0, count)
        parts.append(
            f'<text class="ring-value" x="{tx + 4:.1f}" y="{ty + 4:.1f}" font-size="{SMALL_PX}" '
            f'fill="#5b6475" dominant-baseline="hanging">{ring}</text>'
        )
    for i, label in enumerate(labels):
        parts.append(_axis(cx, cy, radius, i, count, label, scores[i]))
    included = [(i, s) for i, s in enumerate(scores) if s is not None]
    score_pts = [_polar(cx, cy, radius * _clamp(s) / 100, i, count) for i, s in included]
    parts.append(
        f'<polygon class="radar-score" points="{_points(score_pts)}" fill="{FILL}" '
        f'fill-opacity="0.35" stroke="{FILL}" stroke-width="2" '
        f'data-axes="{" ".join(str(i) for i, _ in included)}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _axis(cx: float, cy: float, radius: float, i: int, count: int, label: str, score: float | None) -> str:
    x, y = _polar(cx, cy, radius, i, count)
    dash = ' stroke-dasharray="4 4"' if score is None else ""
    lx, ly = _polar(cx, cy, radius + 22, i, count)
    anchor = "middle" if abs(lx - cx) < 1 else ("start" if lx > cx else "end")
    value = "n/a" if score is None else f"{score:.1f}"
    top = ly - 8 if abs(lx - cx) >= 1 or ly > cy else ly - 18  # two lines: name, then the value
    return (
        f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#c8ccd4"{dash}/>'
        f'<text class="radar-label" x="{lx:.1f}" y="{top:.1f}" text-anchor="{anchor}" '
        f'dominant-baseline="middle" font-size="{LABEL_PX}">{escape(label)}'
        f'<tspan class="radar-value" x="{lx:.1f}" dy="16">{value}</tspan></text>'
    )


def bars(labels: Sequence[str], scores: Sequence[float | None], *, width: int = 560) -> str:
    """Horizontal bars, 0-100, with the level bands marked (for fewer than 3 dimensions)."""
    left, right, row = 190, 56, 34
    plot = width - left - right
    height = 28 + row * len(labels)
    parts = [
        f'<svg class="bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="DejaVu Sans, system-ui, sans-serif" '
        'role="img" aria-label="Bar chart of dimension scores">'
    ]
    for ring in (0, *RINGS):
        x = left + plot * ring / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 20}" stroke="#e3e6eb"/>'
            f'<text class="ring-value" x="{x:.1f}" y="{height - 4}" text-anchor="middle" '
            f'font-size="{SMALL_PX}" fill="#5b6475">{ring}</text>'
        )
    for i, (label, score) in enumerate(zip(labels, scores, strict=True)):
        y = 8 + row * i
        value = "n/a" if score is None else f"{score:.1f}"
        parts.append(
            f'<text x="{left - 8}" y="{y + 10}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="{LABEL_PX}">{escape(label)}</text>'
        )
        if score is not None:
            parts.append(
                f'<rect class="bar-score" x="{left}" y="{y}" width="{plot * _clamp(score) / 100:.2f}" '
                f'height="20" fill="{FILL}" fill-opacity="0.8"/>'
            )
        parts.append(
            f'<text x="{left + plot + 6}" y="{y + 10}" dominant-baseline="middle" '
            f'font-size="{LABEL_PX}">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def trend(points: Sequence[tuple[str, float]], *, width: int = 560, height: int = 200) -> str:
    """A line of overall scores over time (oldest first), with the level bands as guides.

    Needs two points: a single run has no trend, and the caller says so in words instead.
    """
    if len(points) < 2:
        return ""
    left, right, top, bottom = 36, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom

    def y_of(score: float) -> float:
        return top + plot_h * (1 - score / 100)

    parts = [
        f'<svg class="trend" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        'font-family="DejaVu Sans, system-ui, sans-serif" role="img" aria-label="Score trend">'
    ]
    for ring in (0, *RINGS):
        y = y_of(ring)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e6eb"/>'
            f'<text x="{left - 6}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="{SMALL_PX}">{ring}</text>'
        )
    step = plot_w / (len(points) - 1)
    coords = [(left + i * step, y_of(s)) for i, (_, s) in enumerate(points)]
    parts.append(
        f'<polyline class="trend-line" points="{_points(coords)}" fill="none" '
        f'stroke="{FILL}" stroke-width="2"/>'
    )
    for (at, score), (x, y) in zip(points, coords, strict=True):
        parts.append(
            f'<circle class="trend-point" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{FILL}">'
            f"<title>{escape(at)}: {score:.1f}</title></circle>"
        )
    parts.append(
        f'<text x="{left}" y="{height - 8}" font-size="{SMALL_PX}">{escape(points[0][0][:10])}</text>'
        f'<text x="{width - right}" y="{height - 8}" font-size="{SMALL_PX}" text-anchor="end">'
        f"{escape(points[-1][0][:10])}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
