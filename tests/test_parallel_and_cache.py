"""The parallel and cached paths give exactly what a serial, uncached run gives."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from authsweep.scanner import cache as cache_module
from authsweep.scanner import engine, pool, runner
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.fixer import fix_paths
from authsweep.scanner.report.json_report import finding_dict
from authsweep.scanner.runner import check_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def snapshot(run) -> list:
    return [finding_dict(f) for f in run.findings] + [
        (e.path, e.kind, e.message) for e in run.errors
    ]


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    return copy


@pytest.mark.slow
def test_parallel_equals_serial(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serial = check_paths([str(tree)], RunOptions(), jobs=1)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(runner, "SHARED_PRE_CHECK_BYTES", 0)
    monkeypatch.setattr(runner, "PARALLEL_WORK", 1)
    monkeypatch.setattr(pool, "CHUNK", 3)
    parallel = check_paths([str(tree)], RunOptions(), jobs=2)
    assert serial.findings, "the fixtures must give findings to compare"
    assert snapshot(parallel) == snapshot(serial)
    assert parallel.files_scanned == serial.files_scanned
    assert parallel.files_parsed == serial.files_parsed


@pytest.mark.slow
def test_cached_run_equals_uncached(tree: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    uncached = check_paths([str(tree)], RunOptions())
    first = check_paths([str(tree)], RunOptions(), cache_dir=cache_dir)
    second = check_paths([str(tree)], RunOptions(), cache_dir=cache_dir)
    assert snapshot(first) == snapshot(uncached)
    assert snapshot(second) == snapshot(uncached)
    assert [p.name for p in cache_dir.iterdir() if p.suffix == ".json"]


@pytest.mark.slow
def test_cache_hit_reads_no_file(tree: Path, tmp_path: Path, monkeypatch) -> None:
    cache_dir = tmp_path / "cache"
    check_paths([str(tree)], RunOptions(), cache_dir=cache_dir)
    # Make every cache entry look old enough to trust its mtime.
    for path in cache_dir.glob("results-*.json"):
        document = json.loads(path.read_text())
        document["written_at"] += 10
        path.write_text(json.dumps(document))
    reads: list[str] = []
    real = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    check_paths([str(tree)], RunOptions(), cache_dir=cache_dir)
    assert reads == []


@pytest.mark.slow
def test_changed_file_is_rescanned(tree: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    target = tree / "negatives" / "direct_send.py"
    check_paths([str(tree)], RunOptions(), cache_dir=cache_dir)
    text = target.read_text()
    old = '"contoso-com.mail.protection.outlook.com", 25'
    new = '"smtp.office365.com", 465'
    changed = text.replace(old, new + " " * (len(old) - len(new)))
    assert len(changed) == len(text)  # same size: the mtime or the content hash must tell
    target.write_text(changed)
    run = check_paths([str(tree)], RunOptions(), cache_dir=cache_dir)
    assert any(f.path.endswith("direct_send.py") and f.rule == "AS202" for f in run.findings)


@pytest.mark.slow
def test_touched_but_unchanged_file_is_not_reanalysed(tree: Path, tmp_path: Path, monkeypatch):
    from authsweep.scanner import engine

    cache_dir = tmp_path / "cache"
    check_paths([str(tree)], RunOptions(), cache_dir=cache_dir)
    target = tree / "legacy_mailer" / "legacy_mailer" / "digest.py"
    os.utime(target)  # new mtime, same content: the content hash says it is the same
    analysed: list[str] = []
    real = engine.analyze_source
    monkeypatch.setattr(engine, "analyze_source", lambda p, s: analysed.append(p) or real(p, s))
    run = check_paths([str(tree)], RunOptions(), cache_dir=cache_dir)
    assert analysed == []
    assert any(f.path.endswith("digest.py") for f in run.findings)


@pytest.mark.slow
def test_changed_settings_or_code_invalidate(tree: Path, tmp_path: Path, monkeypatch) -> None:
    cache_dir = tmp_path / "cache"
    check_paths([str(tree)], RunOptions(), cache_dir=cache_dir)
    narrowed = check_paths([str(tree)], RunOptions(select=("AS201",)), cache_dir=cache_dir)
    assert {f.rule for f in narrowed.findings} == {"AS201"}
    assert len(list(cache_dir.glob("results-*.json"))) == 2
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "another-version")
    check_paths([str(tree)], RunOptions(), cache_dir=cache_dir)
    assert len(list(cache_dir.glob("results-*.json"))) == 3


def test_cache_holds_no_secret(tmp_path: Path) -> None:
    secret = "Cache-Me-Not-55%91"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "m.py").write_text(
        "import smtplib\ns = smtplib.SMTP('smtp.office365.com', 587)\ns.starttls()\n"
        f"s.login('a@contoso.com', '{secret}')\n"
    )
    (tmp_path / "src" / ".env").write_text(
        f"EMAIL_HOST=smtp.office365.com\nEMAIL_HOST_PASSWORD={secret}\n"
    )
    cache_dir = tmp_path / "cache"
    run = check_paths([str(tmp_path / "src")], RunOptions(), cache_dir=cache_dir)
    assert {f.rule for f in run.findings} >= {"AS105"}
    for path in cache_dir.iterdir():
        assert secret not in path.read_text()


@pytest.mark.slow
def test_large_module_path_equals_whole_module(tree: Path, monkeypatch) -> None:
    """Parsing only the statements that mention mail (what very large modules get)
    changes no finding, no error and no fix on the fixtures."""
    from authsweep.scanner.python import parse

    # Their refused or Python 2 statements do not mention mail, so only the whole-module
    # parse sees them (a Python 2 module whose `print` lines are left out parses as 3).
    (tree / "bad_input" / "deeply_nested.py").unlink()
    (tree / "recall" / "secrets" / "entra_older_python2.py").unlink()
    for name in ("check_inbox.py", "config.py"):
        (tree / "recall" / "secrets" / "python2_config" / name).unlink()
    # In one process: a wrapper module read for its summary (recall's notify/chain) names
    # no mail and keeps its whole-module summary from the first pass; a forked worker of
    # a tree over the pool's threshold would summarise it anew with the selection.
    whole = check_paths([str(tree)], RunOptions(), jobs=1)
    whole_fix = fix_paths([str(tree)], RunOptions(), unsafe=True, write=False, jobs=1)
    monkeypatch.setattr(parse, "LARGE_MODULE_CHARS", 0)
    selected = check_paths([str(tree)], RunOptions(), jobs=1)
    selected_fix = fix_paths([str(tree)], RunOptions(), unsafe=True, write=False, jobs=1)
    assert snapshot(selected) == snapshot(whole)
    assert selected_fix.diff == whole_fix.diff


def test_mail_statements_keep_every_offset() -> None:
    from authsweep.scanner.python.parse import mail_statements

    text = (
        "import smtplib\r\n"
        "HOST = 'smtp.office365.com'\r\n"
        "def unrelated():\r\n"
        "    return 'é' * 3\r\n"
        "@decorator\n"
        "def send(u, p):\n"
        "    smtplib.SMTP(HOST, 587).login(u, p)\n"
        "x = 2\n"
    )
    selected = mail_statements(text)
    assert len(selected) == len(text)
    assert selected.count("\r\n") == text.count("\r\n")
    assert "import smtplib" in selected and "HOST = 'smtp.office365.com'" in selected
    assert "unrelated" not in selected and "x = 2" not in selected
    assert "@decorator\ndef send(u, p):" in selected


def _output(outcome) -> tuple[str, str, dict]:
    from authsweep.scanner.report.fix_summary import fix_summary

    return outcome.diff, fix_summary(outcome, written=False), dict(outcome.applied)


@pytest.mark.slow
def test_parallel_fix_equals_serial_whatever_order_files_finish_in(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same input, same bytes out, pooled or not: which file gets a note that several
    fixes share ("add msal to the project's dependencies") does not depend on which
    worker finishes first."""
    serial = _output(fix_paths([str(tree)], RunOptions(), unsafe=True, write=False, jobs=1))
    assert serial[0] and "add msal" in serial[1]
    monkeypatch.setattr("authsweep.scanner.fixer.FIX_PARALLEL_THRESHOLD", 1)
    pooled = [
        _output(fix_paths([str(tree)], RunOptions(), unsafe=True, write=False, jobs=2))
        for _ in range(2)
    ]
    run_tasks = pool.run_tasks

    def finishing_backwards(*args, **kwargs):
        return reversed(list(run_tasks(*args, **kwargs)))

    monkeypatch.setattr(pool, "run_tasks", finishing_backwards)
    backwards = _output(fix_paths([str(tree)], RunOptions(), unsafe=True, write=False, jobs=2))
    assert pooled == [serial, serial]
    assert backwards == serial


def test_mail_statements_keep_strings_brackets_and_names_bound_in_blocks_whole() -> None:
    """A column-0 line inside a docstring or a table starts no statement, and a name bound
    under an ``if`` of a mail statement keeps the statements that use it."""
    from authsweep.scanner.python.parse import mail_statements

    text = (
        '"""Sends the report (the first line is plain,\n'
        "smtp.office365.com: a continuation naming mail at column 0).\n"
        '"""\n'
        "import poplib\n"
        "HOSTS = [\n"
        "'pop.example.net',\n"
        "]\n"
        "if len(HOSTS) > 1:\n"
        "    account = poplib.POP3_SSL(HOSTS[0])\n"
        "else:\n"
        "    account = None\n"
        "account.user('me')\n"
        "unrelated = 1\n"
    )
    selected = mail_statements(text)
    assert len(selected) == len(text)
    assert selected.startswith('"""Sends the report')
    assert "account.user('me')" in selected
    assert "unrelated" not in selected
    compile(selected, "selected.py", "exec")


def test_the_pool_gets_only_the_files_past_the_pre_check(tmp_path: Path, monkeypatch) -> None:
    """This process runs the pre-check over the tree; a pool starts only for many bytes
    past it, and gets only those files."""
    for index in range(30):
        (tmp_path / f"plain{index}.py").write_text(f"x = {index}\n")
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(
            "import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587)\n"
        )
    pooled: list[list[str]] = []
    run_tasks = pool.run_tasks

    def recording(function, tasks, *args, **kwargs):
        pooled.append(sorted(Path(task[0]).name for task in tasks))
        return run_tasks(function, tasks, *args, **kwargs)

    monkeypatch.setattr(pool, "run_tasks", recording)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)  # files enough for a pool
    serial = check_paths([str(tmp_path)], RunOptions(), jobs=2)
    assert pooled == []  # two small files of mail code: not worth a pool
    monkeypatch.setattr(runner, "PARALLEL_WORK", 1)
    parallel = check_paths([str(tmp_path)], RunOptions(), jobs=2)
    assert pooled == [["a.py", "b.py"]]
    assert snapshot(parallel) == snapshot(serial)
    assert parallel.files_scanned == serial.files_scanned == 32


_STATEMENTS = (
    '"""A module (the first line is plain,\r\n'
    "class Continued: a docstring line at column 0).\r\n"
    '"""\r\n'
    "import smtplib\n"
    "TABLE = [\n"
    "'pop.example.net',\n"
    "]\n"
    "@decorator\n"
    "# a comment between\n"
    "@other(1)\n"
    "def send(user: str, password: str) -> None:\n"
    "    smtplib.SMTP('smtp.office365.com', 587).login(user, password)\n"
    "if TABLE:\n"
    "    HOST = 'é' * 3\n"
    "else:\n"
    "    HOST = None\n"
    "try:\n"
    "    pass\n"
    "except OSError:\n"
    "    pass\n"
    "text = '''\n"
    "x = 1\n"
    "'''\r"
    "class Mailer:\n"
    "    def go(self): return f'{HOST!r:>10}'\n"
)


@pytest.mark.parametrize("piece", [0, 40, 1_000])
def test_a_module_parsed_statement_by_statement_is_the_same_tree(piece: int, monkeypatch) -> None:
    import ast

    from authsweep.scanner.python import parse

    monkeypatch.setattr(parse, "_PIECE_CHARS", piece)
    by_statement = parse._parse_by_statement(_STATEMENTS)
    assert by_statement is not None
    whole = ast.parse(_STATEMENTS)
    assert ast.dump(by_statement, include_attributes=True) == ast.dump(
        whole, include_attributes=True
    )


def test_a_run_cut_inside_a_statement_takes_the_next_lines_in(monkeypatch) -> None:
    """A backslash or an open bracket continues a statement onto a column-0 line: the run
    cut there cannot parse, and is parsed again with what follows. A module that does
    not parse is left to the whole parse, whose error is the one reported."""
    import ast

    from authsweep.scanner.errors import ParseError
    from authsweep.scanner.python import parse

    monkeypatch.setattr(parse, "_PIECE_CHARS", 0)
    monkeypatch.setattr(parse, "STATEMENTWISE_CHARS", 0)
    continued = "total = 1 + \\\n2\nitems = [\n3,\n]\nprint(total)\n"
    by_statement = parse._parse_by_statement(continued)
    assert by_statement is not None
    assert ast.dump(by_statement, include_attributes=True) == ast.dump(
        ast.parse(continued), include_attributes=True
    )
    broken = "x = 1\ndef broken(:\n    pass\ny = 2\n"
    assert parse._parse_by_statement(broken) is None
    with pytest.raises(ParseError) as raised:
        parse.parse_text(broken)
    assert (raised.value.line, raised.value.column) == (2, 12)


@pytest.mark.slow
def test_statement_by_statement_parsing_changes_nothing_on_the_fixtures(
    tree: Path, monkeypatch
) -> None:
    from authsweep.scanner.python import parse

    whole = check_paths([str(tree)], RunOptions())
    whole_fix = fix_paths([str(tree)], RunOptions(), unsafe=True, write=False)
    monkeypatch.setattr(parse, "STATEMENTWISE_CHARS", 0)
    monkeypatch.setattr(parse, "_PIECE_CHARS", 0)
    pieces = check_paths([str(tree)], RunOptions())
    pieces_fix = fix_paths([str(tree)], RunOptions(), unsafe=True, write=False)
    assert snapshot(pieces) == snapshot(whole)
    assert pieces_fix.diff == whole_fix.diff


def test_a_file_without_mail_or_directive_ends_at_the_pre_check(monkeypatch) -> None:
    """Most files of a tree: their result is empty by their bytes alone, nothing parses
    them; a directive alone still has them judged (AS900)."""
    from authsweep.scanner import engine
    from authsweep.scanner.findings import FileResult

    def never(path, source):
        raise AssertionError(f"{path} analysed")

    monkeypatch.setattr(engine, "analyze_source", never)
    rules = engine.selected_rules(RunOptions())
    assert engine.check_source("plain.py", "python", b"x = 1\n", rules) == FileResult("plain.py")
    judged = engine.check_source("d.py", "python", b"x = 1  # authsweep: ignore\n", rules)
    assert [finding.rule for finding in judged.findings] == ["AS900"]


def _mail_and_plain_tree(root: Path) -> None:
    for index in range(40):
        (root / f"plain{index:02}.py").write_text(f"x = {index}\n" + "# filler\n" * index)
    for name in ("a.py", "m.py", "z.py"):
        (root / name).write_text("import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587)\n")


@pytest.mark.parametrize("jobs", [2, 3])
def test_the_pre_check_is_shared_by_workers_answering_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """A large input's pre-check runs in forked workers, each over its own run of the
    files, each answering once; the result is that of ``-j 1``."""
    tree = tmp_path / "tree"
    tree.mkdir()
    _mail_and_plain_tree(tree)
    serial = check_paths([str(tree)], RunOptions(), jobs=1)
    log = tmp_path / "log"
    parent = os.getpid()
    share_of = runner._pre_check_share
    send = pool.Connection.send

    def note(line: str) -> None:
        with log.open("a") as out:  # one short line an append: whole lines
            out.write(line + "\n")

    def recording_share(share, **flags):
        note(f"share {os.getpid()} " + " ".join(Path(task[0]).name for task in share))
        return share_of(share, **flags)

    def recording_send(self, answer):
        if os.getpid() != parent:
            note(f"send {os.getpid()}")
        return send(self, answer)

    monkeypatch.setattr(runner, "_pre_check_share", recording_share)
    monkeypatch.setattr(pool.Connection, "send", recording_send)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(runner, "SHARED_PRE_CHECK_BYTES", 0)
    shared = check_paths([str(tree)], RunOptions(), jobs=jobs)
    assert snapshot(shared) == snapshot(serial) and serial.findings
    assert shared.files_scanned == serial.files_scanned == 43
    lines = [line.split() for line in log.read_text().splitlines()]
    shares = {int(line[1]): line[2:] for line in lines if line[0] == "share"}
    sends = sorted(int(line[1]) for line in lines if line[0] == "send")
    assert len(shares) == jobs and parent not in shares
    assert sends == sorted(shares)  # one answer a worker, none a file
    files, _ = runner.discover([str(tree)])
    order = [source.path.name for source in files]
    runs = sorted(shares.values(), key=lambda names: order.index(names[0]))
    assert [name for names in runs for name in names] == order  # runs of the list, all of it
    log.unlink()
    monkeypatch.setattr(runner, "SHARED_PRE_CHECK_BYTES", 10**9)  # few bytes: no worker
    alone = check_paths([str(tree)], RunOptions(), jobs=jobs)
    assert snapshot(alone) == snapshot(serial)
    assert [line.split()[:2] for line in log.read_text().splitlines()] == [["share", str(parent)]]


def test_the_front_ends_load_meanwhile_only_for_a_file_past_the_pre_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the workers pre-check, this process loads the front ends once one of them
    flags a file past it; a large input that has none costs no front end."""
    plain = tmp_path / "plain"
    plain.mkdir()
    for index in range(20):
        (plain / f"p{index}.py").write_text(f"x = {index}\n")
    loaded: list[set[str]] = []
    signal = tmp_path / "loaded"
    share_of = runner._pre_check_share

    def loading(kinds) -> None:
        loaded.append(set(kinds))
        if kinds:
            signal.touch()

    def answering_once_loaded(share, **flags):
        answer = share_of(share, **flags)
        if flags["found"].value:  # a tiny tree: answer only once the parent has seen it
            for _ in range(1000):
                if signal.exists():
                    break
                time.sleep(0.01)
        return answer

    monkeypatch.setattr(runner, "prepare", loading)
    monkeypatch.setattr(runner, "_pre_check_share", answering_once_loaded)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(runner, "SHARED_PRE_CHECK_BYTES", 0)
    check_paths([str(plain)], RunOptions(), jobs=2)
    assert loaded == [set()]  # the pre-check's markers only
    (plain / "mail.py").write_text("import smtplib\n")
    loaded.clear()
    check_paths([str(plain)], RunOptions(), jobs=2)
    assert loaded == [set(), {"python"}]


def _counting_pre_checks(monkeypatch: pytest.MonkeyPatch, root: Path) -> list[bytes]:
    """The bytes of each file under ``root`` this process pre-checks (the markers' search)
    from now on; not the text of a planned fix, which is checked as well."""
    asked: list[bytes] = []
    parent = os.getpid()
    files = {path.read_bytes() for path in root.iterdir()}
    may_matter = engine.module_may_matter

    def counting(kind, data, lowered=None):
        if os.getpid() == parent and data in files:
            asked.append(data)
        return may_matter(kind, data, lowered)

    monkeypatch.setattr(engine, "module_may_matter", counting)
    return asked


def test_a_file_past_the_pre_check_here_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pre-check run in this process keeps the bytes of the files past it and its
    answer for their check: each file of the input is read and pre-checked once, with the
    result of ``-j 1``."""
    _mail_and_plain_tree(tmp_path)
    serial = check_paths([str(tmp_path)], RunOptions(), jobs=1)
    reads: dict[str, int] = {}
    read_of = runner.read_path

    def counting(path, display, limit=0):
        reads[path] = reads.get(path, 0) + 1
        return read_of(path, display, limit)

    monkeypatch.setattr(runner, "read_path", counting)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)
    pre_checked = _counting_pre_checks(monkeypatch, tmp_path)
    shared = check_paths([str(tmp_path)], RunOptions(), jobs=2)
    assert snapshot(shared) == snapshot(serial) and serial.findings
    assert len(reads) == shared.files_scanned == 43
    assert set(reads.values()) == {1}
    assert len(pre_checked) == 43


def test_files_past_the_workers_pre_check_are_not_pre_checked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files the workers found past the pre-check are checked here with its answer: this
    process searches none of them for markers again."""
    _mail_and_plain_tree(tmp_path)
    serial = check_paths([str(tmp_path)], RunOptions(), jobs=1)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(runner, "SHARED_PRE_CHECK_BYTES", 0)
    pre_checked = _counting_pre_checks(monkeypatch, tmp_path)
    shared = check_paths([str(tmp_path)], RunOptions(), jobs=2)
    assert snapshot(shared) == snapshot(serial) and serial.findings
    assert pre_checked == []


def test_a_pre_check_worker_that_dies_costs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pre-check worker that dies (the OOM killer) has its share checked here."""
    _mail_and_plain_tree(tmp_path)
    serial = check_paths([str(tmp_path)], RunOptions(), jobs=1)
    parent = os.getpid()
    share_of = runner._pre_check_share

    def dying(share, **flags):
        if os.getpid() != parent and any(task[0].endswith("a.py") for task in share):
            os._exit(9)
        return share_of(share, **flags)

    monkeypatch.setattr(runner, "_pre_check_share", dying)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(runner, "SHARED_PRE_CHECK_BYTES", 0)
    shared = check_paths([str(tmp_path)], RunOptions(), jobs=2)
    assert snapshot(shared) == snapshot(serial) and serial.findings
    assert shared.files_scanned == 43


def test_the_shared_pre_check_fills_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers hash the files that end at the pre-check for the cache: a second run
    checks nothing again."""
    tree = tmp_path / "tree"
    tree.mkdir()
    _mail_and_plain_tree(tree)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(runner, "SHARED_PRE_CHECK_BYTES", 0)
    first = check_paths([str(tree)], RunOptions(), jobs=2, cache_dir=tmp_path / "cache")

    def not_again(*args, **kwargs):
        raise AssertionError("checked again")

    monkeypatch.setattr(runner, "check_one", not_again)
    monkeypatch.setattr(runner, "_shared_pre_check", not_again)
    second = check_paths([str(tree)], RunOptions(), jobs=2, cache_dir=tmp_path / "cache")
    assert snapshot(second) == snapshot(first) and first.findings
    assert second.files_scanned == 43


def test_shares_are_runs_of_about_equal_bytes() -> None:
    sizes = [400_000, 10, 10, 100_000, 100_000, 100_000, 100_000, 10]
    tasks = [(f"f{index}.py", f"f{index}.py", "python") for index in range(len(sizes))]
    shares = runner._shares(tasks, sizes, 2)
    assert [len(share) for share in shares] == [3, 5]
    assert runner._shares(tasks[:1], sizes[:1], 4) == [tasks[:1]]
    assert sum(runner._shares(tasks, sizes, 3), []) == tasks
