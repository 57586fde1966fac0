"""Metamorphic test of the detector: rewrite real programs without changing what they do,
and see whether the findings stay.

For each Python file of the seen corpora (the files their labels name) or of a fixtures
folder, each transform of ``bench/metamorphic_transforms.py``,
``bench/metamorphic_shapes.py`` and ``bench/metamorphic_values.py`` is applied on its own;
the variant is written into a copy of the file's sample (the other files beside it, plus
any module the transform adds), authsweep checks the original and the variant in process
(the file, the modules the transform adds and the files of the sample that import the
file) and the findings that differ are reported by rule and by (remapped) line: a finding
lost is a recall gap of a kind, a finding gained a precision gap.

    python bench/metamorphic.py                        # corpora 1-10 (labelled files)
    python bench/metamorphic.py --fixtures fixtures/recall --limit 50
    python bench/metamorphic.py --transform wrap_main --details
    python bench/metamorphic.py --json /tmp/metamorphic.json

Deterministic (files in sorted order, transforms in a fixed order). The exit code is 1
when any finding differs.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from authsweep.scanner.engine import RunOptions  # noqa: E402
from authsweep.scanner.runner import check_paths  # noqa: E402
from metamorphic_shapes import SHAPES  # noqa: E402
from metamorphic_transforms import TRANSFORMS as FIRST  # noqa: E402
from metamorphic_transforms import Context, Variant  # noqa: E402
from metamorphic_values import VALUES  # noqa: E402

TRANSFORMS = {**FIRST, **SHAPES, **VALUES}

BENCH = Path(__file__).resolve().parent
CORPORA = [(Path("/work/corpus1"), BENCH / "accuracy" / "labels.json")] + [
    (Path(f"/work/corpus{n}"), BENCH / "accuracy" / f"heldout{n}.json") for n in range(2, 11)
]
# As the scorer: a finding within this many lines of where it was is the same finding.
TOLERANCE = 2

Found = tuple[str, str, int, str]  # rule, file ("" = the checked file), line, message


@dataclass(frozen=True)
class Case:
    """A file to vary: the folder its program lives in (copied whole) and its path there."""

    root: Path
    relative: Path


@dataclass
class Difference:
    transform: str
    file: str
    kind: str  # "lost", "gained" or "moved" (lost here, the same rule reported elsewhere)
    rule: str
    line: int  # in the original for "lost", in the variant for "gained"
    where: str  # the variant's file for "gained"; its file:line for "moved"
    message: str


def labelled_cases(corpora: list[tuple[Path, Path]]) -> list[Case]:
    cases = []
    for corpus, labels in corpora:
        if not corpus.is_dir() or not labels.is_file():
            continue
        for entry in json.loads(labels.read_text(encoding="utf-8"))["files"]:
            name = entry["file"]
            if name.endswith(".py") and (corpus / name).is_file():
                sample = corpus / entry["sample"]
                cases.append(Case(sample, Path(name).relative_to(entry["sample"])))
    return sorted(set(cases), key=lambda c: str(c.root / c.relative))


def fixture_cases(folder: Path) -> list[Case]:
    """Each fixture with its folder (the package holding it, for a package's module)."""
    cases = []
    for path in sorted(folder.rglob("*.py")):
        root = path.parent
        while (root / "__init__.py").is_file() and root != folder:
            root = root.parent
        cases.append(Case(root, path.relative_to(root)))
    return cases


def _importers(case: Case) -> list[Path]:
    """The other files of the program that name the module in an import (relative to its
    root): a finding about a value the module holds may be reported where they use it."""
    stem = re.escape(case.relative.stem)
    pattern = re.compile(rf"^\s*(from\s+[\w.]*\b{stem}\b|import\s+[\w., ]*\b{stem}\b)", re.M)
    found = []
    for path in sorted(case.root.rglob("*.py")):
        if path != case.root / case.relative:
            try:
                if pattern.search(path.read_text(encoding="utf-8", errors="replace")):
                    found.append(path.relative_to(case.root))
            except OSError:
                continue
    return found


def _copy(case: Case, scratch: Path) -> Path:
    tree = Path(tempfile.mkdtemp(dir=scratch))
    try:
        shutil.copytree(case.root, tree / "t", copy_function=os.link, symlinks=True)
    except (OSError, shutil.Error):
        shutil.rmtree(tree / "t", ignore_errors=True)
        shutil.copytree(case.root, tree / "t", symlinks=True)
    return tree / "t"


def _check(tree: Path, relative: Path, extra: list[str], importers: list[Path]) -> list[Found]:
    paths = [str(tree / relative), *(str(tree / relative.parent / name) for name in extra)]
    paths += [str(tree / importer) for importer in importers]
    result = check_paths(paths, RunOptions(), cwd=tree, jobs=1, plan=False)
    checked = str(tree / relative)
    found = []
    for finding in result.findings:
        where = "" if os.path.samefile(finding.path, checked) else Path(finding.path).name
        found.append((finding.rule, where, finding.span.line, finding.message))
    return sorted(found)


def _write(tree: Path, relative: Path, variant: Variant) -> None:
    target = tree / relative
    target.unlink()  # a hard link to the corpus: never written through
    target.write_text(variant.text, encoding="utf-8")
    for name, text in variant.extra.items():
        (tree / relative.parent / name).write_text(text, encoding="utf-8")


def line_map(before: str, after: str) -> dict[int, int]:
    """Each line of ``before`` -> its line in ``after``, by the stripped text of the lines
    (indentation changes when code moves into a function or a block)."""
    old = [line.strip() for line in before.splitlines()]
    new = [line.strip() for line in after.splitlines()]
    mapped: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for offset in range(i2 - i1):
            if tag == "equal" or tag == "replace":
                mapped[i1 + offset + 1] = j1 + min(offset, max(j2 - j1 - 1, 0)) + 1
            else:
                mapped[i1 + offset + 1] = j1 + 1
    return mapped


def compare(
    original: list[Found], varied: list[Found], mapped: dict[int, int], variant: Variant
) -> tuple[list[Found], list[Found]]:
    """The original's findings with no counterpart in the variant (lost), and the
    variant's with none in the original (gained)."""
    left = list(varied)
    lost = []
    if variant.moved_from_original:
        variant.moved = {
            line: {(w, mapped.get(at, at) if w == "" else at) for w, at in places}
            for line, places in variant.moved.items()
        }
    for rule, where, line, message in original:
        places = {(where, mapped.get(line, line))} if where == "" else {(where, line)}
        places |= variant.moved.get(line, set()) if where == "" else set()
        match = next(
            (
                f
                for f in left
                if f[0] == rule
                and any(f[1] == w and abs(f[2] - at) <= TOLERANCE for w, at in places)
            ),
            None,
        )
        if match is None:
            lost.append((rule, where, line, message))
        else:
            left.remove(match)
    # Text a transform copied (an inlined constant at each use) may be reported at each copy.
    copies = {
        (rule, place)
        for rule, where, line, _ in original
        if where == ""
        for place in variant.moved.get(line, set())
    }
    gained = [
        f
        for f in left
        if not any(r == f[0] and w == f[1] and abs(at - f[2]) <= TOLERANCE for r, (w, at) in copies)
    ]
    return lost, gained


def run(
    cases: list[Case], transforms: list[str], scratch: Path
) -> tuple[list[Difference], Counter]:
    differences: list[Difference] = []
    varied: Counter = Counter()
    for case in cases:
        source = case.root / case.relative
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        importers = _importers(case)
        context = Context(frozenset(p.stem for p in source.parent.glob("*.py")), bool(importers))
        variants = {}
        for name in transforms:
            try:
                variant = TRANSFORMS[name](text, context)
            except Exception as error:  # a transform's own failure: that variant is skipped
                print(f"{name}: {source}: {type(error).__name__}: {error}", file=sys.stderr)
                continue
            if variant is not None and variant.text != text:
                variants[name] = variant
        if not variants:
            continue
        tree = _copy(case, scratch)
        original = _check(tree, case.relative, [], importers)
        shutil.rmtree(tree.parent)
        label = str(source)
        for name, variant in variants.items():
            varied[name] += 1
            tree = _copy(case, scratch)
            _write(tree, case.relative, variant)
            found = _check(tree, case.relative, sorted(variant.extra), importers)
            shutil.rmtree(tree.parent)
            lost, gained = compare(original, found, line_map(text, variant.text), variant)
            for rule, _, line, message in lost:
                # Reported at another place (where a value is used, not where it is written).
                elsewhere = next((g for g in gained if g[0] == rule), None)
                if elsewhere is not None:
                    gained.remove(elsewhere)
                    at = f"{elsewhere[1] or 'here'}:{elsewhere[2]}"
                    differences.append(Difference(name, label, "moved", rule, line, at, message))
                else:
                    differences.append(Difference(name, label, "lost", rule, line, "", message))
            for rule, where, line, message in gained:
                differences.append(Difference(name, label, "gained", rule, line, where, message))
    return differences, varied


def table(differences: list[Difference], varied: Counter, transforms: list[str]) -> str:
    kinds = ("lost", "gained", "moved")
    rows = [
        "| transform | files varied | findings lost | findings gained | findings moved |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in [*transforms, None]:
        counts = [
            sum(1 for d in differences if d.kind == kind and name in (None, d.transform))
            for kind in kinds
        ]
        files = varied[name] if name else sum(varied.values())
        cells = " | ".join(str(c) for c in counts)
        rows.append(f"| {name or '**all**'} | {files} | {cells} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixtures", type=Path, action="append", help="vary every .py under it")
    parser.add_argument("--corpus", type=int, action="append", help="only corpus N (1-10)")
    parser.add_argument("--transform", action="append", choices=sorted(TRANSFORMS))
    parser.add_argument("--limit", type=int, default=0, help="at most this many files")
    parser.add_argument("--details", action="store_true", help="print every difference")
    parser.add_argument("--json", type=Path, help="write the differences here")
    args = parser.parse_args(argv)
    if args.fixtures:
        cases = [c for folder in args.fixtures for c in fixture_cases(folder.resolve())]
    else:
        chosen = [CORPORA[n - 1] for n in args.corpus] if args.corpus else CORPORA
        cases = labelled_cases(chosen)
    if args.limit:
        cases = cases[: args.limit]
    transforms = args.transform or list(TRANSFORMS)
    with tempfile.TemporaryDirectory(prefix="metamorphic-") as scratch:
        differences, varied = run(cases, transforms, Path(scratch))
    print(f"{len(cases)} files")
    print(table(differences, varied, transforms))
    if args.details:
        for d in differences:
            where = f" -> {d.where}" if d.kind == "moved" else f" in {d.where}" if d.where else ""
            print(f"{d.transform}: {d.kind} {d.rule} {d.file}:{d.line}{where}: {d.message[:140]}")
    if args.json:
        args.json.write_text(
            json.dumps([d.__dict__ for d in differences], indent=1) + "\n", encoding="utf-8"
        )
    return 1 if any(d.kind != "moved" for d in differences) else 0


if __name__ == "__main__":
    raise SystemExit(main())
