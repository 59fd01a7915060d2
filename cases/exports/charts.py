"""Geometry for the report's server-rendered SVG bar charts (templates/workspace/_bars.svg.html:
no script, readable as a table too)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

BAR_HEIGHT, GAP, LABEL_WIDTH, WIDTH = 18, 6, 190, 340


def bars(rows: Sequence[tuple[str, float]]) -> dict[str, Any]:
    """Horizontal bars, one per (label, value), scaled to the largest value."""
    top = max((v for _, v in rows), default=0) or 1
    return {
        "height": len(rows) * (BAR_HEIGHT + GAP) + GAP,
        "width": LABEL_WIDTH + WIDTH + 80,
        "x": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "bars": [
            {
                "label": label[:28],
                "y": GAP + i * (BAR_HEIGHT + GAP),
                "text_y": GAP + i * (BAR_HEIGHT + GAP) + BAR_HEIGHT * 0.75,
                "width": round(WIDTH * (value / top), 1),
                "value": value,
            }
            for i, (label, value) in enumerate(rows)
        ],
    }


def report_charts(report: dict[str, Any]) -> dict[str, Any]:
    per_hour = report.get("per_hour") or [0] * 24
    return {
        "months": bars(list(report.get("per_month", {}).items())),
        "hours": bars([(f"{h:02d}:00", n) for h, n in enumerate(per_hour)]),
        "devices": bars([(d["name"], d["count"]) for d in report.get("devices", [])[:15]]),
        "profiles": bars([(p["name"], p["count"]) for p in report.get("profiles", [])[:15]]),
    }
