"""Words the byte pre-check takes for mail only where they mean it. ``smtp`` and ``imap``
are markers where a word or a word part begins, not inside other words (Airflow's
``QueryTIMapIndexFilter``: a task instance's map index); the models' names that hold
them inside (``aiosmtplib``) are markers of their own. Apprise's e-mail URLs are
markers with their ``://`` (``mailtos://``), not the ``mailto:`` links of HTML."""

from __future__ import annotations

from authsweep.scanner.engine import RunOptions, check_in_full, pre_check, selected_rules
from authsweep.scanner.text import Source

# The shape of Airflow's api_fastapi/common/parameters.py and of the routes that import
# its filters: the module names no mail, though its bytes say ``imap`` (and ``esmtp``,
# ``mysmtp``), and hands an imported value and a password-like literal to calls.
MAP_INDEX_FILTERS = b'''\
from typing import Annotated

from fastapi import Depends

from airflow.api_fastapi.common.db import FilterParam, filter_param_factory
from airflow.models.taskinstance import TaskInstance
from airflow.settings import DEFAULT_PAGE_SIZE


class QueryTIMapIndexFilter(FilterParam):
    """Filter on the task instance's map index. Not ESMTP, not mysmtp."""

    def to_orm(self, select):
        return select.where(TaskInstance.map_index == self.value)


QueryTIMapIndex = Annotated[QueryTIMapIndexFilter, Depends(QueryTIMapIndexFilter.depends)]
limit = filter_param_factory(TaskInstance.map_index, int, default=DEFAULT_PAGE_SIZE)
token = filter_param_factory(TaskInstance.hostname, str, default="Winter-Mail-26")
'''

# The nearest shapes that must stay: the word at a word part's start, in camel case, or
# inside a model's name.
MARKED = [
    b"import smtplib\n",
    b"SMTP_HOST = 'relay'\n",
    b"MAIL_IMAP_SERVER = 'relay'\n",
    b"results = pool.imap_unordered(work, jobs)\n",
    b"client = getImapClient(host)\n",
    b"handler = BufferingSMTPHandler(host)\n",
    b"host = 'smtp-relay.contoso.com'\n",
    b"import aiosmtplib\n",
    b"from aioimaplib import IMAP4_SSL\n",
    b"import easyimap\n",
    b"[imap]\nhost = relay\n",
]
UNMARKED = [
    b"QueryTIMapIndexFilter = 1\n",
    b"# The server speaks ESMTP.\n",
    b"mysmtp = relay()\n",
    b"MYIMAP = 1\n",
]

ASYNC_LOGIN = b"""\
import os

import aiosmtplib


async def send(message):
    await aiosmtplib.send(
        message, hostname=os.environ["RELAY"], port=25, username="desk", password="Winter-Mail-26"
    )
"""


def test_a_module_whose_protocol_words_are_inside_other_words_is_passed_over() -> None:
    source = Source("python", MAP_INDEX_FILTERS)
    assert pre_check(source) is None
    # Analysed all the same (as it was before), it has no finding and calls no mail code.
    result = check_in_full(
        "airflow/api_fastapi/common/parameters.py", source, selected_rules(RunOptions()), True
    )
    assert result.findings == [] and result.errors == [] and not result.parsed


def test_the_words_where_a_word_part_begins_stay_markers() -> None:
    for data in MARKED:
        assert pre_check(Source("python", data)) is True, data
    for data in UNMARKED:
        assert pre_check(Source("python", data)) is None, data


def test_a_login_through_a_model_that_holds_the_word_inside_is_reported() -> None:
    """``aiosmtplib`` holds ``smtp`` after a letter: found by its own name."""
    options = RunOptions(assume_microsoft=True)
    result = check_in_full("send.py", Source("python", ASYNC_LOGIN), selected_rules(options))
    assert {f.rule for f in result.findings} >= {"AS101", "AS105"}


# The shape of Django's django/utils/html.py and of the syndication views: ``mailto:``
# links, and a call handed a password-like literal.
MAILTO_LINKS = b"""\
from django.utils.safestring import mark_safe

from .encoding import punycode


def urlize(text, nofollow=False):
    if text.lower().startswith("mailto:"):
        return mark_safe(f'<a href="mailto:{punycode(text[7:])}">{text}</a>')
    return punycode(text, password="Winter-Mail-26")
"""

APPRISE_URL = b"""\
import apprise

notifier = apprise.Apprise()
notifier.add("MAILTOS://desk:Winter-Mail-26@contoso.com")
notifier.notify(body="done")
"""


def test_a_module_with_mailto_links_only_is_passed_over() -> None:
    source = Source("python", MAILTO_LINKS)
    assert pre_check(source) is None
    result = check_in_full("django/utils/html.py", source, selected_rules(RunOptions()), True)
    assert result.findings == [] and result.errors == [] and not result.parsed


def test_an_apprise_mail_url_stays_a_marker() -> None:
    source = Source("python", APPRISE_URL)
    assert pre_check(source) is True
    assert pre_check(Source("yaml", b"notify:\n  - mailto://desk:pw@contoso.com\n")) is True
    # No other marker in it: another provider's domain, reported with all providers.
    options = RunOptions(all_providers=True)
    result = check_in_full("notify.py", source, selected_rules(options))
    assert {f.rule for f in result.findings} >= {"AS101", "AS105"}
