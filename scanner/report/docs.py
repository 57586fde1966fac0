"""A rule's documentation as Markdown, for `authsweep explain` and the docs."""

from __future__ import annotations


def rule_markdown(rule) -> str:
    parts = [
        f"# {rule.id} {rule.name}",
        f"**Severity:** {rule.severity.value}",
        f"## What it does\n\n{rule.summary}",
        f"## Why is this bad?\n\n{rule.why}",
    ]
    if rule.bad:
        example = rule.bad[0]
        fence = "python" if example.path.endswith(".py") else ""
        parts.append(f"## Example\n\n```{fence}\n{example.code.rstrip()}\n```")
    if rule.good:
        example = rule.good[0]
        fence = "python" if example.path.endswith(".py") else ""
        parts.append(f"Use instead:\n\n```{fence}\n{example.code.rstrip()}\n```")
    parts.append(f"## Fix\n\n{rule.fix_doc}\n\n**Fix safety:** {rule.fix_safety}")
    if rule.references:
        parts.append("## References\n\n" + "\n".join(f"- <{url}>" for url in rule.references))
    return "\n\n".join(parts) + "\n"
