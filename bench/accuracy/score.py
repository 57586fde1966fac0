"""Score authsweep (and optionally Semgrep) against the hand-labelled accuracy corpus.

    python bench/accuracy/score.py --corpus /work/accuracy-corpus
    python bench/accuracy/score.py --corpus DIR --authsweep "python -m authsweep"
    python bench/accuracy/score.py --corpus DIR --semgrep semgrep    # peer figures too
    python bench/accuracy/score.py --corpus DIR --show-holdout       # final report only
    python bench/accuracy/score.py --corpus DIR --batch 2            # one batch of files
    python bench/accuracy/score.py --corpus DIR --labels bench/accuracy/heldout2.json
    python bench/accuracy/score.py --corpus DIR --findings report.json  # a saved report

Runs `authsweep check --format json --no-cache --exit-zero` over the corpus folder,
matches each finding to the labels of its file (same rule, line within the tolerance
recorded in labels.json, also counting a finding whose line span covers the label), and
prints precision and recall overall and per rule for TUNE and HOLDOUT separately (and per
family when the labels file gives each file a `family`). Misses and false alarms are listed
for TUNE only, unless --show-holdout is given: the holdout lists are for the final report,
not for tuning. --findings scores an `authsweep check --format json` report made earlier
(paths relative to the corpus folder) instead of running authsweep.

Labels marked optional are "don't care": a finding on them is neither a hit nor a false
alarm, and not reporting them is no miss. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rebuild import LABELS, load_labels, verify  # noqa: E402

SPLITS = ("tune", "holdout")
SEMGREP_RULES = Path(__file__).resolve().parent.parent / "semgrep-rules.yml"
# bench/semgrep-rules.yml rule ids and the authsweep rule each approximates.
SEMGREP_RULE_MAP = {
    "authsweep-smtp-login": "AS101",
    "authsweep-smtp-ssl-587": "AS201",
    "authsweep-login-no-starttls": "AS203",
    "authsweep-starttls-no-context": "AS204",
    "authsweep-imap-login": "AS102",
    "authsweep-pop-pass": "AS102",
}


@dataclass(frozen=True)
class Finding:
    file: str
    rule: str
    line: int
    end_line: int
    severity: str = ""

    def distance(self, line: int) -> int:
        if self.line <= line <= self.end_line:
            return 0
        return min(abs(line - self.line), abs(line - self.end_line))


@dataclass(frozen=True)
class Label:
    file: str
    rule: str
    lines: tuple[int, ...]
    optional: bool
    note: str

    def distance(self, finding: Finding) -> int:
        return min(finding.distance(line) for line in self.lines)


@dataclass
class Score:
    """Hits, misses and false alarms of one tool on one split."""

    hits: list[tuple[Label, Finding]] = field(default_factory=list)
    misses: list[Label] = field(default_factory=list)
    false_alarms: list[Finding] = field(default_factory=list)
    ignored: list[Finding] = field(default_factory=list)

    def counts(self, rule: str | None = None) -> tuple[int, int, int]:
        def keep(item_rule: str) -> bool:
            return rule is None or item_rule == rule

        tp = sum(1 for label, _ in self.hits if keep(label.rule))
        fn = sum(1 for label in self.misses if keep(label.rule))
        fp = sum(1 for finding in self.false_alarms if keep(finding.rule))
        return tp, fn, fp


def labels_by_file(records: list[dict]) -> dict[str, list[Label]]:
    return {
        record["file"]: [
            Label(
                file=record["file"],
                rule=label["rule"],
                lines=(label["line"], *label.get("also", ())),
                optional=label["optional"],
                note=label["note"],
            )
            for label in record["labels"]
        ]
        for record in records
    }


def match_file(labels: list[Label], findings: list[Finding], tolerance: int, score: Score) -> None:
    """One-to-one matching of findings to required labels, nearest first; optional labels absorb."""
    pairs = sorted(
        (label.distance(finding), index_l, index_f)
        for index_l, label in enumerate(labels)
        if not label.optional
        for index_f, finding in enumerate(findings)
        if finding.rule == label.rule and label.distance(finding) <= tolerance
    )
    used_labels: set[int] = set()
    used_findings: set[int] = set()
    for _, index_l, index_f in pairs:
        if index_l in used_labels or index_f in used_findings:
            continue
        used_labels.add(index_l)
        used_findings.add(index_f)
        score.hits.append((labels[index_l], findings[index_f]))
    for index_l, label in enumerate(labels):
        if not label.optional and index_l not in used_labels:
            score.misses.append(label)
    for index_f, finding in enumerate(findings):
        if index_f in used_findings:
            continue
        optional = any(
            label.optional and label.rule == finding.rule and label.distance(finding) <= tolerance
            for label in labels
        )
        (score.ignored if optional else score.false_alarms).append(finding)


def score_findings(
    records: list[dict], findings: list[Finding], tolerance: int
) -> dict[str, Score]:
    """Scores per split; findings on unlabelled files count as false alarms of TUNE."""
    split_of = {record["file"]: record["split"] for record in records}
    labels = labels_by_file(records)
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        by_file.setdefault(finding.file, []).append(finding)
    scores = {split: Score() for split in SPLITS}
    for file, file_labels in labels.items():
        match_file(file_labels, by_file.pop(file, []), tolerance, scores[split_of[file]])
    for stray in by_file.values():
        scores["tune"].false_alarms.extend(stray)
    return scores


def relative(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def run_authsweep(command: list[str], corpus: Path) -> tuple[list[Finding], list[dict]]:
    completed = subprocess.run(
        [*command, "check", "--format", "json", "--no-cache", "--exit-zero", "."],
        cwd=corpus,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise SystemExit(f"authsweep failed ({completed.returncode}):\n{completed.stderr}")
    return read_report(json.loads(completed.stdout))


def read_report(report: dict) -> tuple[list[Finding], list[dict]]:
    """The findings and errors of an authsweep JSON report."""
    findings = [
        Finding(
            file=relative(item["path"]),
            rule=item["rule"],
            line=item["line"],
            end_line=item.get("end_line") or item["line"],
            severity=item.get("severity", ""),
        )
        for item in report["findings"]
    ]
    return findings, report.get("errors", [])


def run_semgrep(command: list[str], corpus: Path) -> list[Finding]:
    completed = subprocess.run(
        [
            *command,
            "scan",
            "--config",
            str(SEMGREP_RULES),
            "--json",
            "--metrics=off",
            "--disable-version-check",
            "--quiet",
            ".",
        ],
        cwd=corpus,
        capture_output=True,
        text=True,
    )
    if completed.returncode not in (0, 1):
        raise SystemExit(f"semgrep failed ({completed.returncode}):\n{completed.stderr}")
    findings = []
    for item in json.loads(completed.stdout)["results"]:
        rule = next(
            (as_id for key, as_id in SEMGREP_RULE_MAP.items() if item["check_id"].endswith(key)),
            None,
        )
        if rule is not None:
            findings.append(
                Finding(relative(item["path"]), rule, item["start"]["line"], item["end"]["line"])
            )
    return findings


def ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.2f}" if denominator else "  - "


def table(name: str, scores: dict[str, Score], rules: list[str]) -> list[str]:
    lines = [
        f"## {name}",
        "",
        "| rule | split | TP | FN | FP | precision | recall |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for rule in [None, *rules]:
        for split in SPLITS:
            tp, fn, fp = scores[split].counts(rule)
            if rule is not None and tp + fn + fp == 0:
                continue
            label = "**all**" if rule is None else rule
            precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
            lines.append(f"| {label} | {split} | {tp} | {fn} | {fp} | {precision} | {recall} |")
    return lines


def family_table(records: list[dict], scores: dict[str, Score]) -> list[str]:
    """Counts per family of files (all splits together); empty without `family` fields."""
    family_of = {record["file"]: record["family"] for record in records if "family" in record}
    if not family_of:
        return []
    counts: dict[str, list[int]] = {family: [0, 0, 0] for family in sorted(set(family_of.values()))}
    for score in scores.values():
        for label, _ in score.hits:
            counts[family_of[label.file]][0] += 1
        for label in score.misses:
            counts[family_of[label.file]][1] += 1
        for finding in score.false_alarms:
            if finding.file in family_of:
                counts[family_of[finding.file]][2] += 1
    lines = [
        "### per family",
        "",
        "| family | TP | FN | FP | precision | recall |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for family, (tp, fn, fp) in counts.items():
        lines.append(
            f"| {family} | {tp} | {fn} | {fp} | {ratio(tp, tp + fp)} | {ratio(tp, tp + fn)} |"
        )
    return lines


def listing(split: str, score: Score) -> list[str]:
    lines = [f"### {split}: misses ({len(score.misses)})"]
    lines += [
        f"- {m.file}:{m.lines[0]} {m.rule} — {m.note}"
        for m in sorted(score.misses, key=lambda m: (m.file, m.lines))
    ]
    lines.append(f"### {split}: false alarms ({len(score.false_alarms)})")
    lines += [
        f"- {f.file}:{f.line} {f.rule} [{f.severity or '?'}]"
        for f in sorted(score.false_alarms, key=lambda f: (f.file, f.line, f.rule))
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="corpus folder (see rebuild.py)")
    parser.add_argument(
        "--labels", type=Path, default=LABELS, help="labels file (default: beside this script)"
    )
    parser.add_argument(
        "--authsweep", default="authsweep", help="authsweep command (default: authsweep on PATH)"
    )
    parser.add_argument(
        "--semgrep", help="also score Semgrep with bench/semgrep-rules.yml, run with this command"
    )
    parser.add_argument(
        "--show-holdout", action="store_true", help="also list HOLDOUT misses and false alarms"
    )
    parser.add_argument(
        "--json", type=Path, help="write the counts per tool, split and rule to this file"
    )
    parser.add_argument(
        "--batch", type=int, help="score only the files of this batch (1: the first set)"
    )
    parser.add_argument(
        "--findings",
        type=Path,
        help="score this saved authsweep JSON report instead of running authsweep",
    )
    args = parser.parse_args(argv)

    document = json.loads(args.labels.read_text(encoding="utf-8"))
    records = load_labels(args.labels)
    others: set[str] = set()
    if args.batch is not None:
        others = {r["file"] for r in records if r.get("batch", 1) != args.batch}
        records = [r for r in records if r["file"] not in others]
    tolerance = document["line_tolerance"]
    problems = verify(args.corpus, records)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("the corpus does not match the labels; rebuild it with rebuild.py", file=sys.stderr)
        return 2

    if args.findings is not None:
        findings, errors = read_report(json.loads(args.findings.read_text(encoding="utf-8")))
    else:
        findings, errors = run_authsweep(shlex.split(args.authsweep), args.corpus.resolve())
    findings = [f for f in findings if f.file not in others]
    errors = [e for e in errors if relative(e["path"]) not in others]
    tools = {"authsweep": score_findings(records, findings, tolerance)}
    if args.semgrep:
        tools["semgrep (bench/semgrep-rules.yml)"] = score_findings(
            records, run_semgrep(shlex.split(args.semgrep), args.corpus.resolve()), tolerance
        )

    rules = sorted(
        {label["rule"] for record in records for label in record["labels"]}
        | {finding.rule for finding in findings}
    )
    files = Counter(record["split"] for record in records)
    print(
        f"corpus: {len(records)} files ({files['tune']} tune, {files['holdout']} holdout); "
        f"line tolerance ±{tolerance}; authsweep errors (unreadable files): {len(errors)}\n"
    )
    for name, scores in tools.items():
        print("\n".join(table(name, scores, rules)) + "\n")
    by_family = family_table(records, tools["authsweep"])
    if by_family:
        print("\n".join(by_family) + "\n")
    authsweep = tools["authsweep"]
    for split in SPLITS:
        if split == "tune" or args.show_holdout:
            print("\n".join(listing(split, authsweep[split])) + "\n")
    if errors:
        print("### authsweep errors")
        print("\n".join(f"- {relative(error['path'])}: {error['message']}" for error in errors))
    if args.json:
        summary = {
            name: {
                split: {
                    (rule or "all"): dict(
                        zip(("tp", "fn", "fp"), scores[split].counts(rule), strict=True)
                    )
                    for rule in [None, *rules]
                }
                for split in SPLITS
            }
            for name, scores in tools.items()
        }
        args.json.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
