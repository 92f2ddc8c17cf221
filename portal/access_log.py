"""No survey token, and nothing about a survey answer, in any log line the portal writes.

The emailed survey link is ``/survey/t/<token>``: uvicorn's access log would keep the token, and
with it the order sign-in → survey → answer of one address (docs/security.md, F8). Every log
record made in the process (uvicorn's access and error logs, the portal's own, libraries') is
rewritten when it is created: the token becomes ``[token]`` and the query of a survey address is
dropped (it may carry the language chosen on the page, which the answer also stores).

A proxy in front of the portal keeps its own log: docs/security.md says what to set there.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_TOKEN = re.compile(r"/survey/t/[^\s?#/\"'<>]+")
_QUERY = re.compile(r"(/survey/[\w/\[\]-]*)\?[^\s\"'<>]*")


def redact(text: str) -> str:
    """``text`` with survey tokens and the query of survey addresses taken out."""
    if "/survey/" not in text:
        return text
    return _QUERY.sub(r"\1", _TOKEN.sub("/survey/t/[token]", text))


def _redact_arg(value: Any) -> Any:
    if value is None or isinstance(value, int | float | bool):
        return value
    text = value if isinstance(value, str) else str(value)
    return redact(text) if "/survey/" in text else value


def _redact_record(record: logging.LogRecord) -> None:
    args = record.args
    if isinstance(args, tuple):
        record.args = tuple(_redact_arg(arg) for arg in args)
    elif isinstance(args, dict):
        record.args = {key: _redact_arg(arg) for key, arg in args.items()}
    message = record.msg if isinstance(record.msg, str) else str(record.msg)
    if "/survey/" not in message:
        return
    if record.args:
        # The address is in the format itself ("/survey/t/%s"): redact the finished message.
        try:
            message = message % record.args
        except (TypeError, ValueError):
            pass
        else:
            record.args = ()
    record.msg = redact(message)


def install() -> None:
    """Wrap the process's log record factory (once): every record is redacted as it is made,
    whichever logger, handler or formatter writes it later."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts_survey_tokens", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        _redact_record(record)
        return record

    factory.redacts_survey_tokens = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
