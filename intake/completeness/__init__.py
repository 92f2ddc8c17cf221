"""Completeness: the rules that turn an application into findings, and their configuration.

Plain domain code: findings are codes with a severity, a subject and parameters; the web side
turns them into words for the applicant and for staff.
"""

from intake.completeness.config import (
    DEFAULT,
    DEFAULT_FILE,
    Config,
    ConfigError,
    ConfigIssue,
    PeriodWindow,
    load,
    parse,
    parse_text,
)
from intake.completeness.facts import READABLE_KINDS, CoApplicant, Document, Facts, Stage
from intake.completeness.findings import (
    ABOUT_ATTACHMENT,
    FIXABLE_BY_APPLICANT,
    Code,
    Finding,
    Severity,
    attachment_subject,
    need_subject,
)
from intake.completeness.rules import Need, evaluate, needs_of, person_of, reading_problem

__all__ = [
    "ABOUT_ATTACHMENT",
    "DEFAULT",
    "DEFAULT_FILE",
    "FIXABLE_BY_APPLICANT",
    "READABLE_KINDS",
    "CoApplicant",
    "Code",
    "Config",
    "ConfigError",
    "ConfigIssue",
    "Document",
    "Facts",
    "Finding",
    "Need",
    "PeriodWindow",
    "Severity",
    "Stage",
    "attachment_subject",
    "evaluate",
    "load",
    "need_subject",
    "needs_of",
    "parse",
    "parse_text",
    "person_of",
    "reading_problem",
]
