"""The preliminary norm calculation (riksnormen): yearly tables as data, the calculation with its
trace, and jobbstimulans. Plain domain code: amounts in öre (int), results as codes."""

from intake.norm.calculate import TableSource, calculate, child_group, find_table
from intake.norm.case import (
    INCOME_KINDS,
    TAX_FREE_INCOME,
    Case,
    Cost,
    Income,
    Member,
    MemberKind,
    PersonMonth,
    check_case,
)
from intake.norm.config import COST_KINDS, LIVSFORING_KINDS, JobbstimulansRules, NormConfig
from intake.norm.jobbstimulans import JobbstimulansStatus, jobbstimulans_status
from intake.norm.table import (
    NormTable,
    NormTableError,
    TableIssue,
    builtin_table_files,
    derive_table,
    parse_table_data,
    parse_table_text,
    read_table_file,
)
from intake.norm.trace import RULES, Calculation, Line, NormError

__all__ = [
    "COST_KINDS",
    "INCOME_KINDS",
    "LIVSFORING_KINDS",
    "RULES",
    "TAX_FREE_INCOME",
    "Calculation",
    "Case",
    "Cost",
    "Income",
    "JobbstimulansRules",
    "JobbstimulansStatus",
    "Line",
    "Member",
    "MemberKind",
    "NormConfig",
    "NormError",
    "NormTable",
    "NormTableError",
    "PersonMonth",
    "TableIssue",
    "TableSource",
    "builtin_table_files",
    "calculate",
    "check_case",
    "child_group",
    "derive_table",
    "find_table",
    "jobbstimulans_status",
    "parse_table_data",
    "parse_table_text",
    "read_table_file",
]
