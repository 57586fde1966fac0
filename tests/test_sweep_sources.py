"""What a sweep covers and how it is split: list files, folders, shards, CODEOWNERS and
the repository status, without running a sweep."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from authsweep.rules.base import PERSONAL_ACCOUNT_NOTE
from authsweep.scanner.sweep.owners import parse_owners
from authsweep.scanner.sweep.shards import Shard, input_digest, parse_shard, select, split
from authsweep.scanner.sweep.sources import (
    RepoSource,
    SourceError,
    from_folder,
    from_list,
    mask_url,
)
from authsweep.scanner.sweep.status import repository_status
from cli_support import commit_all, init_repo, write


def test_list_file_names_weights_and_comments(tmp_path: Path) -> None:
    listing = write(
        tmp_path / "lists" / "repos.txt",
        "# contoso, from `gh repo list`\n"
        "https://github.com/contoso/billing.git 2048\n"
        "https://x-access-token:ghp_Secret123@github.com/contoso/payroll  17  # private\n"
        "git@gitlab.example.com:fabrikam/billing.git\n"
        "\n"
        "../mirrors/hr-tools.git 0\n",
    )
    sources = {s.name: s for s in from_list(listing)}
    # The shortest tail no other remote shares: two "billing" repositories keep their owner.
    assert sorted(sources) == ["contoso/billing", "contoso/payroll", "fabrikam/billing", "hr-tools"]
    assert sources["contoso/billing"].weight == 2048
    assert sources["fabrikam/billing"].weight == 1  # no weight given
    assert sources["hr-tools"].weight == 1  # 0 (an empty repository) still counts
    payroll = sources["contoso/payroll"]
    assert "ghp_Secret123" not in payroll.shown and payroll.shown.startswith("https://***@")
    assert payroll.remote.startswith("https://x-access-token:")  # git still gets it
    # A local path is relative to the list file, cloned through file:// so --depth works.
    hr = sources["hr-tools"]
    assert hr.remote == (tmp_path / "mirrors" / "hr-tools.git").as_uri()


def test_names_grow_until_unique(tmp_path: Path) -> None:
    listing = write(
        tmp_path / "repos.txt",
        "https://github.com/contoso/api.git\nhttps://gitlab.com/contoso/api.git\n"
        "https://gitlab.com/fabrikam/tools.git\n",
    )
    names = [s.name for s in from_list(listing)]
    assert names == ["fabrikam/tools", "github.com/contoso/api", "gitlab.com/contoso/api"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("https://github.com/a/b.git 12 extra\n", "repos.txt:1: expected 'REMOTE [WEIGHT]'"),
        ("https://github.com/a/b.git big\n", "repos.txt:1: the weight must be a whole number"),
        ("# nothing here\n\n", "lists no repositories"),
    ],
)
def test_bad_list_files_say_where(tmp_path: Path, text: str, message: str) -> None:
    listing = write(tmp_path / "repos.txt", text)
    with pytest.raises(SourceError, match=re.escape(message)):
        from_list(listing)


def test_a_remote_listed_twice_names_both_lines(tmp_path: Path) -> None:
    listing = write(
        tmp_path / "repos.txt", "https://h/a/b.git\nhttps://h/c.git\nhttps://h/a/b.git\n"
    )
    with pytest.raises(SourceError) as raised:
        from_list(listing)
    assert str(raised.value).endswith("is listed twice (first on line 1)")


def test_mask_url_hides_tokens_only() -> None:
    assert mask_url("https://user:tok@host/a.git") == "https://***@host/a.git"
    assert mask_url("https://host/a.git") == "https://host/a.git"


def test_folder_finds_repositories_at_any_depth(tmp_path: Path) -> None:
    for name in ("team-a/billing", "team-a/sub/deep", "solo"):
        repo = init_repo(tmp_path / name)
        for index in range(3 if name == "solo" else 1):
            write(repo / f"f{index}.py", "x = 1\n")
        commit_all(repo)
    init_repo(tmp_path / "team-a" / "billing" / "vendored")  # inside a repository: its own
    init_repo(tmp_path / ".hidden" / "repo")
    write(tmp_path / "plain" / "x.py", "x = 1\n")
    sources = from_folder(tmp_path)
    assert [s.name for s in sources] == ["solo", "team-a/billing", "team-a/sub/deep"]
    weights = {s.name: s.weight for s in sources}
    assert weights["solo"] == 3  # files git tracks, read from the index header
    assert all(s.remote is None and s.path is not None for s in sources)
    with pytest.raises(SourceError, match="no git repositories"):
        from_folder(tmp_path / "plain")


def _sources(weights: list[int]) -> list[RepoSource]:
    return [RepoSource(f"org/r{i:03}", "", w) for i, w in enumerate(weights)]


def test_split_is_deterministic_complete_and_balanced() -> None:
    rng = random.Random(17)
    sources = _sources([rng.choice([1, 2, 3, 5, 8, 40, 300]) for _ in range(200)])
    shards = split(sources, 8)
    shuffled = sources[:]
    rng.shuffle(shuffled)
    assert split(shuffled, 8) == shards  # the order of the input does not matter
    names = [s.name for shard in shards for s in shard]
    assert sorted(names) == sorted(s.name for s in sources)  # each exactly once
    loads = [sum(s.weight for s in shard) for shard in shards]
    lower_bound = max(sum(loads) / 8, max(s.weight for s in sources))
    assert max(loads) <= 4 / 3 * lower_bound
    assert select(sources, Shard(3, 8)) == shards[2]
    # A new repository changes the digest, so a merge can tell the inputs apart.
    assert input_digest(sources) != input_digest([*sources, RepoSource("org/new", "", 9)])


def test_split_of_equal_weights_is_even() -> None:
    shards = split(_sources([1] * 10), 4)
    assert [len(shard) for shard in shards] == [3, 3, 2, 2]
    assert split(_sources([5]), 3)[1:] == [[], []]  # more shards than repositories


@pytest.mark.parametrize("text", ["0/8", "9/8", "3", "a/b", "3/0", "-1/4"])
def test_bad_shards_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_shard(text)


def test_parse_shard() -> None:
    assert parse_shard(" 3/8 ") == Shard(3, 8) and str(Shard(3, 8)) == "3/8"


def test_codeowners_last_match_wins() -> None:
    owners = parse_owners(
        "# comment\n"
        "*                 @contoso/platform\n"
        "*.env             @contoso/ops\n"
        "/docs/            @contoso/writers\n"
        "apps/**/mail.py   @contoso/mail  @alice\n"
        "[Legacy]\n"
        "legacy/\n"  # no owners: unowned
    )
    assert owners.owners_of("src/app.py") == ("@contoso/platform",)
    assert owners.owners_of("deploy/prod.env") == ("@contoso/ops",)
    assert owners.owners_of("docs/guide/index.md") == ("@contoso/writers",)
    assert owners.owners_of("src/docs/x.md") == ("@contoso/platform",)  # anchored
    assert owners.owners_of("apps/mail.py") == ("@contoso/mail", "@alice")
    assert owners.owners_of("apps/a/b/mail.py") == ("@contoso/mail", "@alice")
    assert owners.owners_of("x/legacy/old.py") == ()


def _finding(rule: str, fix: str | None, message: str = "m") -> dict:
    return {
        "rule": rule,
        "message": message,
        "fixable": fix is not None,
        "fix": {"applicability": fix, "message": "f"} if fix else None,
    }


def test_status_from_rule_ids_and_fix_applicability() -> None:
    assert repository_status([], []) == ("clean", [])
    assert repository_status([], [{"kind": "skipped"}])[0] == "clean"
    assert repository_status([_finding("AS202", "safe")], [])[0] == "safe-fixes"
    status, reasons = repository_status(
        [_finding("AS101", "unsafe"), _finding("AS105", None), _finding("AS204", "safe")], []
    )
    assert status == "needs-rewrite"
    assert reasons == ["1 fixed by --unsafe-fixes", "1 to fix by hand", "1 safe fix"]
    personal = _finding("AS101", None, f"SMTP password login; {PERSONAL_ACCOUNT_NOTE}")
    assert repository_status([personal], []) == (
        "blocked",
        ["personal Outlook.com account (1 login)"],
    )
    assert repository_status([_finding("AS104", None)], [])[0] == "blocked"
    status, reasons = repository_status([_finding("AS202", "safe")], [{"kind": "unparsable"}])
    assert (status, reasons) == ("blocked", ["1 file unparsable"])
    assert repository_status([], [], {"message": "git clone: fatal"}) == (
        "failed",
        ["git clone: fatal"],
    )
