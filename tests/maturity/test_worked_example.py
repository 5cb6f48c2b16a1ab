"""docs/maturity.md's worked example, recomputed from model.yaml alone and compared with the CLI.

The arithmetic here is the test's own (plain Fractions over the parsed YAML), not the scoring
code: if either the docs' rules or the implementation drift, this fails.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import yaml

from tests.conftest import REPO_ROOT

DOCS = REPO_ROOT / "docs" / "maturity.md"
MODEL = REPO_ROOT / "src" / "platformctl" / "maturity" / "model.yaml"


def worked_answers() -> str:
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"<!-- worked example: answers -->\n```yaml\n(.*?)```", text, re.S)
    assert block, "docs/maturity.md lost its worked example"
    return block.group(1)


def f(value: object) -> Fraction:
    return Fraction(str(value))


def shown(value: Fraction) -> float:
    exact = Decimal(value.numerator) / Decimal(value.denominator)  # 28 digits are plenty here
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def recompute(model: dict, answers: dict) -> dict:
    questions = {q["id"]: q for q in model["questions"]}

    def value(qid: str) -> str:
        raw = answers.get(qid, "unknown")
        return str(raw["answer"] if isinstance(raw, dict) else raw)

    def score(qid: str) -> Fraction | None:
        v, q = value(qid), questions[qid]
        if v == "n/a":
            return None
        if v == "unknown":
            return Fraction(0)
        points = {c["id"]: f(c["points"]) for c in q["choices"]}
        return points[v] / f(q["choices"][-1]["points"])

    dims = {}
    for d in model["dimensions"]:
        mine = [
            (f(q.get("weight", 1)), score(q["id"])) for q in model["questions"] if q["dimension"] == d["id"]
        ]
        applicable = [(w, s) for w, s in mine if s is not None]
        if applicable:
            dims[d["id"]] = (
                f(d["weight"]),
                100 * sum(w * s for w, s in applicable) / sum(w for w, _ in applicable),
            )
    total = sum(w * v for w, v in dims.values()) / sum(w for w, _ in dims.values())
    rounded = Fraction(Decimal(str(shown(total))))
    band = next(
        lv["id"]
        for lv in model["levels"]
        if f(lv["band"][0]) <= rounded < f(lv["band"][1])
        or (lv is model["levels"][-1] and rounded >= f(lv["band"][0]))
    )
    gated = 1
    for level in sorted(model["gates"]):
        gates = model["gates"][level]
        waived = sum(1 for g in gates if value(g["question"]) == "n/a")
        ok = True
        for g in gates:
            v = value(g["question"])
            ids = [c["id"] for c in questions[g["question"]]["choices"]]
            if v == "n/a":
                ok &= waived <= 1
            elif v == "unknown" or ids.index(v) < ids.index(g["at_least"]):
                ok = False
        if not ok:
            break
        gated = level
    return {"exact": total, "score": shown(total), "band": band, "level": min(band, gated), "dims": dims}


def test_worked_example_matches_the_cli_and_the_docs(cli, tmp_path: Path):
    model = yaml.safe_load(MODEL.read_text(encoding="utf-8"))
    text = worked_answers()
    answers = yaml.safe_load(text)
    expected = recompute(model, answers)
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("assess", "maturity", "--answers", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert Fraction(doc["score_exact"]) == expected["exact"]
    assert doc["score"] == expected["score"]
    assert (doc["band"]["level"], doc["level"]["level"]) == (expected["band"], expected["level"])
    for d in doc["dimensions"]:
        weight, value = expected["dims"][d["id"]]
        assert Fraction(d["score_exact"]) == value and d["score"] == shown(value), d["id"]
        assert Fraction(d["weight_exact"]) == weight
    # The docs state the same figures.
    docs = DOCS.read_text(encoding="utf-8")
    assert f"S = Σ W × D = {expected['exact']} = " in docs
    assert f"shown as **{expected['score']:.1f}**" in docs
    assert f"the level is **{expected['level']}**" in docs
    # DORA Quick Check: categorical i/5 x 10, rates 10 x (1 - midpoint/100), mean of the five.
    qc, values = doc["dora_quick_check"], []
    for q in (q for q in model["questions"] if q.get("quick_check")):
        ids = [c["id"] for c in q["choices"]]
        choice = q["choices"][ids.index(answers[q["id"]])]
        if q["quick_check"] == "categorical":
            values.append(Fraction(10 * ids.index(choice["id"]), len(ids) - 1))
        else:
            values.append(10 * (1 - (f(choice["range"][0]) + f(choice["range"][1])) / 2 / 100))
    assert Fraction(qc["score_exact"]) == sum(values) / len(values)
    assert f"delivery score {qc['score_exact']} = **{qc['score']:.1f}**" in docs
