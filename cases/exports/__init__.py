"""The voice-export analyser (issue 18): reads what a vendor sent back and reports what it holds,
what is missing and what looks wrong.

- `archive`: the export as members read as streams (zip limits, encryption, damage).
- `readers/`: one reader per vendor behind one interface; `tables` and `audio` they share.
- `report`: aggregates and flags; the foreign-device and Art. 15 checklist rules.
- `analysis.analyse_file`: one export in, one report out (no ORM).
The service that stores and runs it is `cases.services.exports` (`analyse_export`).
"""
