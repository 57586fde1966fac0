"""Hypothesis profiles. The default lane (what CI runs) tries each property test's own
number of examples, or Hypothesis's default (100) where a test leaves the number to the
profile; ``--hypothesis-profile thorough`` tries 300 there (the lab's differential test of
fix: docs/development.md)."""

from hypothesis import settings

settings.register_profile("thorough", max_examples=300)
