"""The TUNE/HOLDOUT split of the accuracy corpus, as a rule anyone can run again.

Each sample's stratum is its rarest required rule (in the order below) or "negative".
Within a stratum, samples are ordered by the sha256 of their sample name and assigned
alternately, starting with TUNE when the sha256 of the stratum name is even, HOLDOUT
when it is odd. Files of one sample stay together.

Samples are split per batch: the first batch (no ``batch`` field, frozen in commit
3f01f56) and each batch added later (``"batch": 2``, ...) alternate on their own, so that
adding files never moves a file that is already in a split.

    python bench/accuracy/split.py            # check every batch against labels.json
    python bench/accuracy/split.py --assign   # write the split of files that have none
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

LABELS = Path(__file__).with_name("labels.json")
RAREST_FIRST = (
    "AS106 AS302 AS301 AS303 AS201 AS202 AS205 AS103 AS104 AS105 AS203 AS102 AS101 AS204"
).split()


def _sha(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def stratum(files: list[dict]) -> str:
    required = {label["rule"] for f in files for label in f["labels"] if not label["optional"]}
    return next((rule for rule in RAREST_FIRST if rule in required), "negative")


def split(records: list[dict]) -> dict[str, str]:
    """The split of every sample, by sample name."""
    samples: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for record in records:
        samples[(record.get("batch", 1), record["sample"])].append(record)
    strata: dict[tuple[int, str], list[str]] = defaultdict(list)
    for (batch, sample), files in samples.items():
        strata[(batch, stratum(files))].append(sample)
    sides: dict[str, str] = {}
    for (_, name), members in strata.items():
        first = 0 if _sha(name) % 2 == 0 else 1
        for index, sample in enumerate(sorted(members, key=_sha)):
            sides[sample] = ("tune", "holdout")[(index + first) % 2]
    return sides


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument(
        "--assign", action="store_true", help="write the split of files that have none"
    )
    args = parser.parse_args(argv)
    document = json.loads(args.labels.read_text(encoding="utf-8"))
    sides = split(document["files"])
    wrong = [
        f"{record['file']}: {record['split']} in labels.json, {sides[record['sample']]} by rule"
        for record in document["files"]
        if record.get("split") and record["split"] != sides[record["sample"]]
    ]
    if wrong:
        print("\n".join(wrong), file=sys.stderr)
        return 1
    missing = [record for record in document["files"] if not record.get("split")]
    if args.assign and missing:
        for record in missing:
            record["split"] = sides[record["sample"]]
        text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
        args.labels.write_text(text, encoding="utf-8")
    print(f"{len(document['files'])} files: the split follows the rule; {len(missing)} assigned")
    return 0


if __name__ == "__main__":
    sys.exit(main())
