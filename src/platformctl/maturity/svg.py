"""Inline SVG charts for the HTML report: a radar of dimension scores and a score trend.

Plain strings, no library and no external resources, so the report stays one file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

RINGS = (25, 50, 75, 100)


def _polar(cx: float, cy: float, radius: float, index: int, count: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)


def _points(coords: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)


def radar(labels: Sequence[str], scores: Sequence[float], *, width: int = 640, height: int = 380) -> str:
    """A radar chart: one axis per dimension, rings at the level bands, the scores as a polygon."""
    count = len(labels)
    cx, cy = width / 2, height / 2
    radius = min(height / 2 - 40, width / 2 - 190)  # room for labels at the sides
    parts = [
        f'<svg class="radar" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        'font-family="system-ui, sans-serif" role="img" aria-label="Radar chart of dimension scores">'
    ]
    for ring in RINGS:
        ring_pts = [_polar(cx, cy, radius * ring / 100, i, count) for i in range(count)]
        parts.append(
            f'<polygon class="radar-grid" points="{_points(ring_pts)}" fill="none" '
            'stroke="#c8ccd4" stroke-width="1"/>'
        )
    for i, label in enumerate(labels):
        x, y = _polar(cx, cy, radius, i, count)
        parts.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#c8ccd4"/>')
        lx, ly = _polar(cx, cy, radius + 18, i, count)
        anchor = "middle" if abs(lx - cx) < 1 else ("start" if lx > cx else "end")
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" dominant-baseline="middle" '
            f'font-size="12">{escape(label)} ({scores[i]:.0f})</text>'
        )
    score_pts = [
        _polar(cx, cy, radius * max(0.0, min(100.0, s)) / 100, i, count) for i, s in enumerate(scores)
    ]
    parts.append(
        f'<polygon class="radar-score" points="{_points(score_pts)}" fill="#2f6fde" '
        'fill-opacity="0.35" stroke="#2f6fde" stroke-width="2"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def trend(points: Sequence[tuple[str, float]], *, width: int = 560, height: int = 200) -> str:
    """A line of overall scores over time (oldest first), with the level bands as guides."""
    left, right, top, bottom = 36, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom

    def y_of(score: float) -> float:
        return top + plot_h * (1 - score / 100)

    parts = [
        f'<svg class="trend" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        'font-family="system-ui, sans-serif" role="img" aria-label="Score trend">'
    ]
    for ring in (0, *RINGS):
        y = y_of(ring)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e6eb"/>'
            f'<text x="{left - 6}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="10">{ring}</text>'
        )
    step = plot_w / (len(points) - 1) if len(points) > 1 else 0
    coords = [
        (left + (i * step if len(points) > 1 else plot_w / 2), y_of(s)) for i, (_, s) in enumerate(points)
    ]
    if len(coords) > 1:
        parts.append(
            f'<polyline class="trend-line" points="{_points(coords)}" fill="none" '
            'stroke="#2f6fde" stroke-width="2"/>'
        )
    for (at, score), (x, y) in zip(points, coords, strict=True):
        parts.append(
            f'<circle class="trend-point" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#2f6fde">'
            f"<title>{escape(at)}: {score:.1f}</title></circle>"
        )
    if points:
        parts.append(
            f'<text x="{left}" y="{height - 8}" font-size="10">{escape(points[0][0][:10])}</text>'
            f'<text x="{width - right}" y="{height - 8}" font-size="10" text-anchor="end">'
            f"{escape(points[-1][0][:10])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
