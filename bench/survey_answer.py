"""What storing one survey answer costs now that it leaves no order behind (issue 13, F8): the
answer's month and unit are written again in the order of their random ids, and every counter
of the group is touched. Printed, never asserted.

For groups of N answers already stored (same month and unit), the median time of storing one
more answer with ``repository_survey.add_answer`` + commit, beside a baseline measured in the
same run: a plain insert of one answer row + commit (what the portal did before, without its
counters). A fresh database: SQLite in a temporary folder, or --database-url postgresql://...

Run: .venv/bin/python bench/survey_answer.py [--sizes 10,100,1000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from intake.models import SurveyAnswer  # noqa: E402
from intake.survey.questions import CURRENT_VERSION, question_set  # noqa: E402
from portal import demo  # noqa: E402
from portal import repository_survey as repo  # noqa: E402
from portal.db import make_engine, migrate  # noqa: E402


def _answer(month: str, unit: int) -> SurveyAnswer:
    return SurveyAnswer(
        question_set_version=CURRENT_VERSION,
        month=month,
        unit_id=unit,
        language="sv",
        channel="email",
        answers={"overall": "1", "contact": "2"},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--sizes", default="10,100,1000", help="answers already in the group")
    parser.add_argument("--repeat", type=int, default=30, help="answers timed per size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        migrate(engine)
        questions = question_set(CURRENT_VERSION)
        with Session(engine) as db:
            demo.seed(db, "Benchkommun")
            unit = db.connection().execute(text("SELECT min(id) FROM unit")).scalar_one()
        print(f"{engine.dialect.name}: median ms per answer stored ({args.repeat} each)")
        print(f"{'group size':>10} {'add_answer':>11} {'plain insert':>13} {'ratio':>6}")
        for number, size in enumerate(int(s) for s in args.sizes.split(",")):
            month = f"2099-{number % 12 + 1:02d}"
            with Session(engine) as db:
                repo.add_answers(db, questions, [_answer(month, unit) for _ in range(size)])
                db.commit()
            ours, plain = [], []
            table = SurveyAnswer.__table__  # type: ignore[attr-defined]
            for _ in range(args.repeat):
                with Session(engine) as db:
                    started = time.perf_counter()
                    repo.add_answer(db, questions, _answer(month, unit))
                    db.commit()
                    ours.append(time.perf_counter() - started)
                with Session(engine) as db:
                    row = _answer(f"2098-{number % 12 + 1:02d}", unit)
                    values = {c: getattr(row, c) for c in table.columns.keys()}  # noqa: SIM118
                    values["id"] = str(uuid.uuid4())
                    started = time.perf_counter()
                    db.connection().execute(table.insert(), [values])
                    db.commit()
                    plain.append(time.perf_counter() - started)
            a, b = statistics.median(ours) * 1000, statistics.median(plain) * 1000
            print(f"{size:>10} {a:>11.2f} {b:>13.2f} {a / b:>6.1f}")
        engine.dispose()


if __name__ == "__main__":
    main()
