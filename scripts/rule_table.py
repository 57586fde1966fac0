"""Rewrite the README's rule table from the rules' own docs (ids, names, severities,
fix safety and summaries), as ``authsweep rules --format markdown`` prints it.

    python scripts/rule_table.py          # rewrite README.md
    python scripts/rule_table.py --check  # exit 1 if it is not current

tests/test_rule_table.py fails when the table is not current.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from authsweep.rules import ALL_RULES
from authsweep.scanner.report.docs import rule_table, with_rule_table

README = Path(__file__).resolve().parent.parent / "README.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only tell whether it is current")
    args = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    current = with_rule_table(text, rule_table(ALL_RULES))
    if current == text:
        return 0
    if args.check:
        print(f"{README}: the rule table is not current; run python {__file__}", file=sys.stderr)
        return 1
    README.write_text(current, encoding="utf-8")
    print(f"rewrote the rule table in {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
