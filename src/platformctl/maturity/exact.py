"""Exact numbers for scoring: fractions all the way, rounded half-up once at the end.

Floats add 0.18 + 0.15 inexactly and Python's ``round`` rounds half to even (56.25 -> 56.2),
so an exact 49.95 could become 49.9 and lose a level. Every weight and point value is read
as the decimal it is written as (``Fraction("0.18")`` is exactly 9/50); the sums stay exact;
``half_up`` rounds once, for display and for every comparison (bands, thresholds, gains).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

ZERO = Fraction(0)
HUNDRED = Fraction(100)


def exact(value: float | int | str | Fraction) -> Fraction:
    """The exact value of a number as written: ``exact(0.18) == Fraction(9, 50)``."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(Decimal(str(value)))


def half_up(value: Fraction, places: int = 1) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals (49.95 -> 50.0, 56.25 -> 56.3)."""
    quantum = Decimal(1).scaleb(-places)
    units = value * 10**places
    floor = units.numerator // units.denominator
    rest = units - floor
    rounded = floor + 1 if rest >= Fraction(1, 2) else floor
    if value < 0 and rest == Fraction(1, 2):
        rounded = floor  # half away from zero for negatives too: -0.25 -> -0.3
    return (Decimal(rounded) * quantum).quantize(quantum)


def shown(value: Fraction, places: int = 1) -> float:
    """The half-up rounded value as a float for JSON (exact at ``places`` decimals)."""
    return float(half_up(value, places))


def as_text(value: Fraction) -> str:
    """A fraction as ``"999/20"`` (or ``"50"``), for readers who recompute by hand."""
    return str(value)
