"""Proof that ``fix`` changes only lines inside the spans it reports, over real trees.

For every file with a fixable finding (unsafe fixes included) in the pinned reference
trees of bench/run.py (Home Assistant, Django, Airflow) and in every fixture project of
``fixtures/``, ``fix`` runs in memory (nothing is written) and each changed file is
checked on its two texts: every line of the file outside the spans the fix reports
(``FileFix.changes``) is in the result, byte for byte and in the same order. Files the
fixer left alone are counted by why (LibCST would not give them back byte for byte, a
step changed a line outside its edits, ...). LibCST's round trip of every fixable file is
also checked on its own, to show what the guard refuses.

The real trees hold few Microsoft logins, so each of their modules is also fixed with one
planted at its end (``--planted``): a function that logs in with a password over
``SMTP_SSL`` on port 587, which the OAuth2 rewrite turns into XOAUTH2 with STARTTLS,
adding imports at the top and the token helper after them. Every line of the real module
must come through, and none of them may be in the reported spans.

    python bench/fix_spans.py [--trees homeassistant,django,airflow] [--planted]
        [--write-results]

Exit code 1 when a changed file loses a line outside its spans.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402 - the tree downloads of the benchmark
from authsweep.scanner.engine import RunOptions  # noqa: E402
from authsweep.scanner.fixer import fix_paths  # noqa: E402
from authsweep.scanner.fixes.spans import kept_outside, round_trip_problem  # noqa: E402
from authsweep.scanner.text import decode, lines_with_ends  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def lost_line(before: str, after: str, changes) -> str | None:
    """The proof, on the texts: the lines outside the reported spans, in order, are the
    lines of the result the changes say are kept."""
    problem = kept_outside(before, after, changes)
    if problem is not None:
        return problem
    old, new = lines_with_ends(before), lines_with_ends(after)
    outside = [old[n - 1] for n in range(1, len(old) + 1) if n not in changes.spans]
    kept = [line for line, origin in zip(new, changes.origin, strict=True) if origin]
    return None if outside == kept else "the kept lines differ from the lines outside"


def measure(label: str, root: Path) -> dict:
    started = time.perf_counter()
    outcome = fix_paths(["."], RunOptions(), unsafe=True, write=False, cwd=root)
    seconds = time.perf_counter() - started
    fixable = {f.path for f in outcome.found if f.fix is not None}
    refused: Counter[str] = Counter()
    for error in outcome.errors:
        if error.path in fixable and error.kind == "fix":
            refused[_reason(error.message)] += 1
    lost: list[str] = []
    changed = lines = 0
    for file in outcome.files:
        if not file.changed:
            continue
        changed += 1
        lines += len(file.changes.spans) if file.changes is not None else 0
        problem = lost_line(file.before, file.after, file.changes)
        if problem is not None:
            lost.append(f"{file.path}: {problem}")
    round_trip = 0
    for path in sorted(fixable):
        try:
            _, text = decode("python", (root / path).read_bytes())
        except (OSError, ValueError):
            continue
        if path.endswith(".py") and round_trip_problem(text) is not None:
            round_trip += 1
    return {
        "label": label,
        "scanned": outcome.files_scanned,
        "fixable": len(fixable),
        "changed": changed,
        "lines": lines,
        "refused": refused,
        "round_trip": round_trip,
        "lost": lost,
        "seconds": seconds,
    }


PLANTED = (
    "\n\ndef _planted_send(user, password, message):\n"
    '    with smtplib.SMTP_SSL("smtp.office365.com", 587) as server:\n'
    "        server.login(user, password)\n"
    "        server.send_message(message)\n"
)


def planted(label: str, root: Path, scratch: Path) -> dict:
    """Each module of the tree with a login planted at its end, fixed in memory."""
    from authsweep.scanner.fixes.rounds import fix_source

    started = time.perf_counter()
    counts: Counter[str] = Counter()
    lost: list[str] = []
    refusals: list[str] = []
    for path in sorted(root.rglob("*.py")):
        try:
            data = path.read_bytes()
            _, text = decode("python", data)
        except (OSError, ValueError):
            counts["not decodable"] += 1
            continue
        if len(data) > 200_000 or "\r" in text:
            counts["skipped (over 200 kB, or \\r line ends)"] += 1
            continue
        counts["modules"] += 1
        newline = "" if text.endswith("\n") or not text else "\n"
        code = text + newline + "import smtplib" + PLANTED
        result = fix_source(
            str(path.relative_to(root)),
            "python",
            code.encode("utf-8"),
            RunOptions(),
            unsafe=True,
            location=scratch / "planted.py",
        )
        if result.error is not None or not result.changed:
            message = result.error.message if result.error else "not changed"
            if result.refused:
                message = "; ".join(why for _, why in result.refused.values())
            counts[f"refused: {_reason(message)}"] += 1
            refusals.append(f"{path.relative_to(root)}: {message}")
            continue
        counts["changed"] += 1
        problem = lost_line(result.before, result.after, result.changes)
        real_lines = len(lines_with_ends(text))
        touched = [n for n in result.changes.spans if n <= real_lines]
        if problem is None and touched:
            problem = f"lines {touched[:5]} of the module itself are in its spans"
        if problem is not None:
            lost.append(f"{path.relative_to(root)}: {problem}")
    return {
        "label": label,
        "counts": counts,
        "lost": lost,
        "refusals": refusals,
        "seconds": time.perf_counter() - started,
    }


def render_planted(rows: list[dict]) -> str:
    lines = [
        "| tree | modules | fixed | refused (why) | skipped | a line of the module lost "
        "or in the spans | s |",
        "|---|--:|--:|---|---|--:|--:|",
    ]
    for row in rows:
        counts = row["counts"]
        refused = ", ".join(
            f"{k.removeprefix('refused: ')}: {n}"
            for k, n in sorted(counts.items())
            if k.startswith("refused")
        )
        skipped = ", ".join(
            f"{k}: {n}" for k, n in sorted(counts.items()) if k.startswith(("skipped", "not"))
        )
        lines.append(
            f"| {row['label']} | {counts['modules']} | {counts['changed']} | {refused or '-'} "
            f"| {skipped or '-'} | {len(row['lost'])} | {row['seconds']:.0f} |"
        )
    for row in rows:
        lines.extend(f"- lost in {row['label']}: {problem}" for problem in row["lost"][:20])
        lines.extend(f"- refused in {row['label']}: {why}" for why in row["refusals"][:10])
    return "\n".join(lines) + "\n"


def _reason(message: str) -> str:
    for marker in ("LibCST", "outside its edits", "would be lost", "encoding"):
        if marker in message:
            return marker
    return "other"


def render(rows: list[dict]) -> str:
    lines = [
        "| tree | files | with a fixable finding | changed | lines in spans | "
        "refused (why) | LibCST round trip differs | lost outside spans | s |",
        "|---|--:|--:|--:|--:|---|--:|--:|--:|",
    ]
    for row in rows:
        why = ", ".join(f"{k}: {n}" for k, n in sorted(row["refused"].items())) or "-"
        lines.append(
            f"| {row['label']} | {row['scanned']} | {row['fixable']} | {row['changed']} | "
            f"{row['lines']} | {why} | {row['round_trip']} | {len(row['lost'])} | "
            f"{row['seconds']:.1f} |"
        )
    for row in rows:
        lines.extend(f"- lost in {row['label']}: {problem}" for problem in row["lost"])
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", default="homeassistant,django,airflow")
    parser.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache/authsweep-bench")
    parser.add_argument("--planted", action="store_true", help="also plant a login in each module")
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    planted_rows = []
    trees = [
        bench.prepare_tree(bench.TREES[name], args.cache_dir, sys.executable)
        for name in args.trees.split(",")
        if name
    ]
    for tree in trees:
        print(f"fixing {tree.spec.label} in memory ...", file=sys.stderr)
        rows.append(measure(tree.spec.label, tree.root))
    for project in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        rows.append(measure(f"fixtures/{project.name}", project))
    table = render(rows)
    print(table)
    if args.planted:
        with tempfile.TemporaryDirectory() as scratch:
            for tree in trees:
                print(f"planting a login in each module of {tree.spec.label} ...", file=sys.stderr)
                planted_rows.append(planted(tree.spec.label, tree.root, Path(scratch)))
        table += "\nEach module with a login planted at its end:\n\n" + render_planted(planted_rows)
        print(render_planted(planted_rows))
    if args.write_results:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        section = (
            f"\n## fix changes only lines inside its spans, {stamp}\n\n"
            f"`python bench/fix_spans.py --trees {args.trees}"
            f"{' --planted' if args.planted else ''} --write-results`\n\n{table}"
        )
        with bench.RESULTS_FILE.open("a", encoding="utf-8") as handle:
            handle.write(section)
    return 1 if any(row["lost"] for row in [*rows, *planted_rows]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
