"""Fixing one file: rounds of non-overlapping edits (:mod:`.edits`), applied with what
they need at module level (:mod:`.apply`), then the file analysed again and the round
kept only if it did what it was meant to (:mod:`.verify`); rounds repeat until nothing is
left to fix. A result that does not parse is thrown away and the file left alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..engine import RunOptions, check, check_source, selected_rules
from ..findings import Applicability, FileError, FileResult, Finding
from ..records import record
from ..text import Source
from .apply import apply_round, named_modules
from .dependencies import needs, refusal
from .edits import Footprint, fix_key, footprint, overlaps
from .graph_target import count_targets, graph_home, sends_through_graph, with_graph_module
from .import_style import ImportStyle, style_for
from .linked import Link, link_targets
from .module_needs import MAX_REWRITE_CHARS
from .new_files import CreatedFile, plan_files
from .outcome import FileFix, allowed
from .reads import Elsewhere
from .search import project_search
from .spans import Changes, kept_outside, round_trip_problem
from .token_module import token_home, with_token_module
from .verify import reported, verdict

# Analyses one file's fixing may take: rounds, and rounds retried one fix at a time.
MAX_STEPS = 24


def fix_source(
    path: str,
    kind: str,
    data: bytes,
    options: RunOptions,
    *,
    unsafe: bool,
    rules: Sequence | None = None,
    ignored: Sequence[str] = (),
    location: Path | None = None,
    refused: dict[tuple, str] | None = None,
    checked: FileResult | None = None,
) -> FileFix:
    """Fix one file's bytes in memory. Never raises for bad input. Suppressed findings and
    rules ignored for this file (``ignored``) are not fixed. ``location`` is where the file
    is, for fixes that add a module beside it or edit another file (none without it:
    stdin). ``refused``: fixes (by :func:`fix_key`) not to apply, with the reason.
    ``checked``: the analysis of ``data`` with ``rules``, when the caller has just made it
    (``check`` has); only read.

    The fixer answers to the model: each round's fixes are applied and the file analysed
    again; they are kept only if every finding they were meant to remove is gone and no
    rule reports more than before. A round that fails is tried one fix at a time, and a
    fix that fails alone is left out, with the reason, for the rest of the run."""
    rules = list(rules) if rules is not None else selected_rules(options)
    # Decoded once: each round's text is checked as it is, not encoded and decoded again.
    source = Source(kind, data)
    try:
        codec, text = source.codec, source.text
    except ValueError as error:
        return FileFix(path, "", "", error=FileError(path, str(error), "unparsable"))
    result = FileFix(path, text, text, codec=codec, changes=Changes.of(text))
    if codec.encode(text) != data:
        # utf-7 and the like: the file's other bytes would not be written back as they are.
        message = f"not fixed: its encoding ({codec.encoding}) would not give back its bytes"
        result.error = FileError(path, message, "fix")
        return result
    if kind == "python" and len(text) > MAX_REWRITE_CHARS:
        # Generated code of this size is not fixed by hand either; check still reports it.
        limit = f"{len(text):,} characters is over the rewriter's limit ({MAX_REWRITE_CHARS:,})"
        result.error = FileError(path, f"not fixed: {limit}", "fix")
        return result
    current = text
    if checked is None:
        checked = check(path, source, rules)
    if checked.errors:
        result.error = checked.errors[0]
        return result
    for finding in checked.findings:
        reason = (refused or {}).get(fix_key(finding))
        if reason is not None:
            result.refused[fix_key(finding)] = (finding, reason)
    # The token helper rewritten code calls: the project's own (``token-provider``), else
    # one module of the project (written with the first fix that needs it).
    own_provider = options.token_provider
    home = None if own_provider else token_home(location, options.oauth2_module, text)
    if home is not None:
        options = replace(options, token_provider=home.provider)
    # `--target graph`: the Graph client module, in the token module's place.
    graph = None
    if options.target == "graph":
        graph = graph_home(location, options.oauth2_module, text, own_provider)
    project = ProjectContext(project_search(location), style_for(location), location)
    one_at_a_time = round_tripped = False
    for _ in range(MAX_STEPS):
        result.secrets |= {current[s.start : s.end] for s in checked.secrets}
        candidates = [
            f
            for f in reported(checked.findings, ignored)
            if allowed(f, unsafe) and fix_key(f) not in result.refused
        ]
        for finding in candidates:
            reason = project.refusal(finding)
            if reason is not None:
                result.refused[fix_key(finding)] = (finding, reason)
        chosen = choose([f for f in candidates if fix_key(f) not in result.refused], one_at_a_time)
        if not chosen:
            result.remaining = reported(checked.findings, ignored)
            problem = kept_outside(text, current, result.changes)
            if problem is not None:
                result.error = FileError(path, f"not fixed: {problem}", "fix")
                return result
            result.after = current
            # A refusal counts only for what is still there (a later round may have fixed it).
            left = {(f.rule, f.fingerprint) for f in result.remaining}
            result.refused = {
                key: refusal for key, refusal in result.refused.items() if key[:2] in left
            }
            return result
        if kind == "python" and not round_tripped:
            problem = round_trip_problem(text)  # once, before the first edit
            if problem is not None:
                result.error = FileError(path, f"not fixed: {problem}", "fix")
                return result
            round_tripped = True
        named = [
            with_graph_module(
                with_token_module(named_modules(f, options.oauth2_module, location), home), graph
            )
            for f in chosen
        ]
        updated, failure, notes, changes = apply_round(
            current,
            named,
            codec.newline,
            kind,
            options.token_provider,
            result.changes,
            project.style,
            project.elsewhere,
        )
        attempt = None
        created: list[CreatedFile] = []
        if failure is None:
            # A module beside a config file is written in the default style.
            style_source = updated if kind == "python" else ""
            created, failure = plan_files(
                [f.fix.remedy for f in named],  # type: ignore[union-attr]
                display=path,
                location=location,
                text=style_source,
                newline=codec.newline,
                module_name=options.oauth2_module,
                token_provider=options.token_provider,
                check=lambda shown, data: _clean(shown, data, rules),
                imports=project.style,
            )
        links: list[Link] = []
        if failure is None:
            links, failure = link_targets(zip(chosen, named, strict=True), path, location, fix_key)
        if failure is None:
            attempt = check(path, Source.of_text(kind, codec, updated), rules)
            failure = verdict(checked, attempt, named, ignored)
        if failure is None and attempt is not None:
            result.applied.update(f.rule for f in chosen)
            count_targets(result, chosen)
            result.notes += notes
            result.created.extend(created)
            result.links.extend(links)
            result.requires.update(r for f in named for r in needs(f.fix.remedy))  # type: ignore[union-attr]
            current, checked, result.changes = updated, attempt, changes
        elif len(chosen) > 1:
            one_at_a_time = True
        else:
            result.refused[fix_key(chosen[0])] = (chosen[0], failure or "")
    result.error = FileError(path, f"fix did not converge in {MAX_STEPS} steps", "fix")
    result.after = text
    return result


def _clean(shown: str, data: bytes, rules: Sequence) -> list[str]:
    """What the rules report on a module a fix adds (nothing, for it to be added)."""
    checked = check_source(shown, "python", data, rules)
    if checked.errors:
        raise ValueError(checked.errors[0].message)
    return [f"{f.rule} {f.message}" for f in checked.findings if not f.suppressed]


@record
class ProjectContext:
    """What fixing a file asks of the rest of its project: who else names what a fix left
    unread, and how its imports are sorted."""

    elsewhere: Elsewhere | None
    style: ImportStyle
    location: Path | None = None

    def refusal(self, finding: Finding) -> str | None:
        """Why the project cannot take a fix: it declares a version the fixed code cannot
        run with."""
        fix = finding.fix
        for requirement in needs(fix.remedy) if fix is not None else ():
            reason = refusal(self.location, requirement)
            if reason is not None:
                return reason
        return None


def choose(candidates: list[Finding], one_at_a_time: bool) -> list[Finding]:
    """Fixes that do not overlap, safe ones first: the transport is settled before
    authentication is rewritten. A send moved to Graph goes before all (`--target graph`):
    the SMTP transport it leaves behind needs no fix."""

    def order(finding: Finding) -> tuple[bool, bool]:
        fix = finding.fix
        assert fix is not None
        graph = sends_through_graph(fix.remedy)
        return not graph, fix.applicability is not Applicability.SAFE

    chosen: list[Finding] = []
    taken: list[Footprint] = []
    for finding in sorted(candidates, key=order):
        assert finding.fix is not None
        touched = footprint(finding.fix.remedy)
        if any(overlaps(touched, other) for other in taken):
            continue  # next round, on the text this round produces
        chosen.append(finding)
        taken.append(touched)
        if one_at_a_time:
            break
    return chosen
