"""Sweeps across an organisation: many repositories, split in shards, one report.

``authsweep sweep`` checks every repository of a folder (in place) or of a list of git
URLs (shallow clones in a work folder it keeps and updates), one result per repository
with the commit scanned; ``--shard K/N`` takes a deterministic, size-balanced share so
the CI system already in place runs the shards; ``authsweep merge`` joins the shards'
JSON into one JSON, SARIF, Markdown or HTML report; ``--fix --branch NAME`` writes the
fixes as one local commit per repository. The modules, by concern:

- ``sources``: which repositories (a folder, or a list file), their names and weights
- ``shards``: ``K/N`` and the split
- ``git``: the git commands, with no prompts and secrets kept out of messages
- ``workspace``: the managed clones (clone once, then fetch)
- ``scan``: checking one repository with its own configuration
- ``owners``: CODEOWNERS, for counts by team
- ``status``: clean / safe fixes only / needs the OAuth2 rewrite / blocked / not scanned
- ``campaign``: the fix branch and its commit
- ``document``: the sweep JSON, reading and merging it
- ``changes``: what changed since a previous sweep (burn-down)
- ``run``: the sweep itself; ``render``, ``html`` and ``charts``: the reports; ``cli``: the
  commands
"""
