"""The report of an export: aggregates and flags only (never transcripts, unless the person asked
to keep them), accumulated one interaction and one audio file at a time so that memory does not
grow with the export. Also the rules read from a stored report: which devices and profiles the
person does not own (`foreign`), and the Art. 15 checklist (`checklist`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from cases.exports.phrases import phrases_for
from cases.exports.readers.base import Interaction

REPORT_VERSION = 1
# A request to an assistant lasts a few seconds; half a minute or more suggests that it went on
# recording a conversation (cf. LEGAL.md 3: clips recorded without the wake word).
LONG_CLIP_SECONDS = 30.0
NIGHT_HOURS = range(0, 6)
EXAMPLES = 20
MAX_KEPT_TRANSCRIPTS = 20_000

# Words in member names and table headers that show what an export holds beyond audio and
# transcripts, for the Art. 15 checklist (en, fr, de).
TOPICS: dict[str, tuple[str, ...]] = {
    "annotations": ("annotation", "label", "review", "grading", "bewertung", "étiquet"),
    "recipients": ("recipient", "third part", "destinataire", "empfänger", "processor"),
    "retention": ("retention", "conservation", "aufbewahrung", "speicherdauer"),
    "purposes": ("purpose", "finalité", "zweck"),
    "source": ("source", "herkunft", "provenance"),
}


def name_key(name: str) -> int:
    """A file name as the index and the export match it: base name, case aside."""
    return hash(name.rsplit("/", 1)[-1].casefold())


class Accumulator:
    """Counts an export's interactions and audio as they stream past."""

    def __init__(self, *, vendor: str, tz: tzinfo, keep_transcripts: bool = False) -> None:
        self.vendor = vendor
        self.tz = tz
        self.keep_transcripts = keep_transcripts
        self.phrases = phrases_for(vendor)
        self.interactions = 0
        self.undated = 0
        self.per_day: Counter[str] = Counter()
        self.per_month: Counter[str] = Counter()
        self.per_hour = [0] * 24
        self.pairs: dict[tuple[str, str], list[Any]] = {}
        self.transcripts = {"present": 0, "empty": 0, "not_meant": 0, "absent": 0}
        # File names as hashes (an int each, not a string): memory per recording stays small.
        # Names are kept only for the few examples the report shows.
        self.referenced: set[int] = set()
        self.kept: list[dict[str, str]] = []
        self.first: datetime | None = None
        self.last: datetime | None = None
        # Audio
        self.audio_files = 0
        self.audio_seconds = 0.0
        self.audio_unknown_length = 0
        self.audio_kinds: Counter[str] = Counter()
        self.audio_names: set[int] = set()
        self.unindexed = 0
        self.unindexed_examples: list[str] = []
        self.long_clips = 0
        self.long_examples: list[dict[str, Any]] = []
        self.not_audio = 0
        self.not_audio_examples: list[str] = []
        self.topics: set[str] = set()

    def add(self, item: Interaction) -> None:
        self.interactions += 1
        when = item.when
        day = ""
        if when is None:
            self.undated += 1
        else:
            local = when.astimezone(self.tz)
            day = local.date().isoformat()
            self.per_day[day] += 1
            self.per_month[day[:7]] += 1
            self.per_hour[local.hour] += 1
            if self.first is None or when < self.first:
                self.first = when
            if self.last is None or when > self.last:
                self.last = when
        key = (item.device, item.profile)
        pair = self.pairs.get(key)
        if pair is None:
            self.pairs[key] = [1, day, day]
        else:
            pair[0] += 1
            if day and (not pair[1] or day < pair[1]):
                pair[1] = day
            if day > pair[2]:
                pair[2] = day
        text = item.text
        if text is None:
            self.transcripts["absent"] += 1
        elif not text:
            self.transcripts["empty"] += 1
        else:
            self.transcripts["present"] += 1
            folded = text.casefold()
            if any(p in folded for p in self.phrases):
                self.transcripts["not_meant"] += 1
            if self.keep_transcripts and len(self.kept) < MAX_KEPT_TRANSCRIPTS:
                self.kept.append({"time": when.isoformat() if when else "", "text": text})
        for name in item.audio:
            self.referenced.add(name_key(name))

    def audio(self, name: str, kind: str, seconds: float | None, basename: str) -> None:
        self.audio_files += 1
        self.audio_kinds[kind] += 1
        key = name_key(basename)
        self.audio_names.add(key)
        # The index has been read in full before the audio (analysis.py): match at once.
        if self.referenced and key not in self.referenced:
            self.unindexed += 1
            if len(self.unindexed_examples) < EXAMPLES:
                self.unindexed_examples.append(basename)
        if seconds is None:
            self.audio_unknown_length += 1
            return
        self.audio_seconds += seconds
        if seconds >= LONG_CLIP_SECONDS:
            self.long_clips += 1
            if len(self.long_examples) < EXAMPLES:
                self.long_examples.append({"name": name, "seconds": round(seconds, 1)})

    def not_audio_file(self, name: str) -> None:
        self.not_audio += 1
        if len(self.not_audio_examples) < EXAMPLES:
            self.not_audio_examples.append(name)

    def note_topics(self, text: str) -> None:
        folded = text.casefold()
        for topic, words in TOPICS.items():
            if topic not in self.topics and any(w in folded for w in words):
                self.topics.add(topic)

    def missing_keys(self) -> set[int]:
        """Index entries whose audio is not in the export (only when the index names audio)."""
        return self.referenced - self.audio_names

    def result(
        self,
        *,
        unrecognised: Sequence[str],
        index_members: Iterable[str],
        warnings: list[str],
        missing_examples: Iterable[str] = (),
    ) -> dict[str, Any]:
        # Index entries whose audio is not in the export, and audio no entry names. Only
        # meaningful when the index names audio files at all.
        missing = self.missing_keys()
        pairs = [
            {"device": d, "profile": p, "count": c, "first": f, "last": last}
            for (d, p), (c, f, last) in sorted(self.pairs.items(), key=lambda kv: -kv[1][0])
        ]
        report: dict[str, Any] = {
            "version": REPORT_VERSION,
            "vendor": self.vendor,
            "interactions": self.interactions,
            "undated": self.undated,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "per_day": dict(sorted(self.per_day.items())),
            "per_month": dict(sorted(self.per_month.items())),
            "per_hour": self.per_hour,
            "night": sum(self.per_hour[h] for h in NIGHT_HOURS),
            "pairs": pairs,
            "devices": _totals(pairs, "device"),
            "profiles": _totals(pairs, "profile"),
            "transcripts": dict(self.transcripts),
            "audio": {
                "files": self.audio_files,
                "seconds": round(self.audio_seconds, 1),
                "unknown_length": self.audio_unknown_length,
                "kinds": dict(self.audio_kinds),
                "not_audio": self.not_audio,
                "not_audio_examples": self.not_audio_examples,
            },
            "long_clips": {
                "threshold_seconds": LONG_CLIP_SECONDS,
                "count": self.long_clips,
                "examples": self.long_examples,
            },
            "missing_audio": {"count": len(missing), "examples": sorted(missing_examples)},
            "unindexed_audio": {
                "count": self.unindexed,
                "examples": sorted(self.unindexed_examples),
            },
            "tables": {
                "read": sorted(index_members),
                "unrecognised": list(unrecognised)[:200],
                "unrecognised_count": len(unrecognised),
            },
            "topics": sorted(self.topics),
            "warnings": warnings,
        }
        if self.keep_transcripts:
            report["transcripts_kept"] = self.kept
        report["checklist"] = checklist(report)
        return report


def _totals(pairs: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    totals: dict[str, list[Any]] = {}
    for pair in pairs:
        name = pair[key]
        if not name:
            continue
        row = totals.setdefault(name, [0, pair["first"], pair["last"]])
        row[0] += pair["count"]
        if pair["first"] and (not row[1] or pair["first"] < row[1]):
            row[1] = pair["first"]
        if pair["last"] > row[2]:
            row[2] = pair["last"]
    return [
        {"name": n, "count": c, "first": f, "last": last}
        for n, (c, f, last) in sorted(totals.items(), key=lambda kv: -kv[1][0])
    ]


# --- Rules read from a stored report ----------------------------------------------------------


def _owned(name: str, owned: Sequence[str]) -> bool:
    folded = name.casefold().strip()
    return any(o and (o in folded or folded in o) for o in owned)


def foreign(report: dict[str, Any], owned: Sequence[str]) -> dict[str, Any] | None:
    """The interactions from devices or voice profiles the person does not own: how an export
    holding somebody else's data shows (a personal data breach, Art. 4(12); LEGAL.md 1). None
    when the person has not listed theirs, since nothing can be judged then. A name matches an
    owned one when either contains the other, case aside ("Echo Dot" owns "Echo Dot Kitchen")."""
    owned_folded = [o.casefold().strip() for o in owned if o.strip()]
    if not owned_folded:
        return None
    devices, profiles, count, first, last = set(), set(), 0, "", ""
    for pair in report.get("pairs", []):
        bad_device = bool(pair["device"]) and not _owned(pair["device"], owned_folded)
        bad_profile = bool(pair["profile"]) and not _owned(pair["profile"], owned_folded)
        if not (bad_device or bad_profile):
            continue
        if bad_device:
            devices.add(pair["device"])
        if bad_profile:
            profiles.add(pair["profile"])
        count += pair["count"]
        if pair["first"] and (not first or pair["first"] < first):
            first = pair["first"]
        if pair["last"] > last:
            last = pair["last"]
    return {
        "devices": sorted(devices),
        "profiles": sorted(profiles),
        "count": count,
        "first": first or None,
        "last": last or None,
    }


def checklist(report: dict[str, Any]) -> dict[str, bool]:
    """What the export shows of each Art. 15 item (cases.models.Article15Item codes), for the
    person to confirm: copies of the audio and transcripts (Art. 15(3)) from what was found;
    reviewers' annotations, recipients (15(1)(c)), retention (15(1)(d)), purposes (15(1)(a)) and
    source (15(1)(g)) when a file or column names them. Everything else is left for the person."""
    topics = set(report.get("topics", []))
    return {
        "audio": report["audio"]["files"] > 0,
        "transcripts": report["transcripts"]["present"] > 0,
        "annotations": "annotations" in topics,
        "recipients": "recipients" in topics,
        "retention": "retention" in topics,
        "purposes": "purposes" in topics,
        "source": "source" in topics,
    }
