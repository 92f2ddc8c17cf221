"""Skyddad identitet at any time (issue 13, F2): households that get protected identity *after*
they applied, at every stage, are hidden from every staff route, list, sample, notice, PDF,
export and the API; a page addressed directly shows only the "handled outside the portal"
placeholder.

The staff routes are enumerated from the app (``api_routes``), so a new route is walked too; a
route with a path parameter this test does not know fails the test until it is added here.
Runs on SQLite and PostgreSQL (``-m db``, like every test under tests/http).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from intake.models import (
    ActionPlan,
    Answer,
    Application,
    ApplicationStatus,
    Assessment,
    CompletionRequest,
    ContactNote,
    Decision,
    Finding,
    HandoffReceipt,
    Household,
    MemberRole,
    Message,
    Notification,
    Person,
    ReviewItem,
    ReviewSample,
    StaffUser,
    TeamLead,
)
from portal import (
    completeness,
    demo,
    handoff,
    notify,
    protection,
    repository_egenkontroll,
    repository_handoff,
)
from portal.app import api_routes
from portal.auth import household_of
from portal.officer_page import case_file_pdf
from portal.settings import Settings
from portal.survey_invitations import invite_after_decision
from tests.conftest import csrf_of
from tests.http.test_access import declared_access
from tests.officer_support import Case, add_document, png_bytes, sign_in
from tests.survey_support import mail_settings, smtp_server

STAGES = (
    "draft",
    "awaiting_co_applicant",
    "submitted",
    "needs_completion",
    "complete",
    "decided",
    "sampled",
    "handed_off",
)
STATUS = {
    "sampled": ApplicationStatus.decided,
    "handed_off": ApplicationStatus.decided,
}
STAFF_ACCESS = {"informator", "officer", "quality", "admin", "staff"}
# Every demo staff member: each role alone, two units, and a team lead with three roles.
STAFF = ("informator", "handlaggare", "handlaggare2", "kvalitet", "admin", "teamledare")
MONTH = "2034-03"  # a month of their own: the egenkontroll population is theirs alone
_serials = iter(range(300, 999))


@dataclass
class Hidden:
    """A household of one stage, with everything that must never be shown once it is
    protected."""

    stage: str
    household_id: int
    application_id: int
    attachment_id: int
    finding_id: int
    reference: str
    markers: list[str] = field(default_factory=list)
    person_id: int = 0  # the applicant (the household register's member routes)


@dataclass
class World:
    hidden: list[Hidden]
    sample_id: int
    item_id: int
    officer_id: int
    token: str

    def markers(self) -> list[str]:
        return [m for h in self.hidden for m in h.markers]


def _suffix() -> str:
    return "".join(random.choices(string.ascii_lowercase, k=8))  # noqa: S311 - a test name


def _personnummer_forms(pnr: str) -> list[str]:
    return [pnr, f"{pnr[:8]}-{pnr[8:]}", f"{pnr[2:8]}-{pnr[8:]}"]


def make_household(db: Session, uploads: Path, unit_id: int, stage: str, staff: int) -> Hidden:
    """A household with a co-applicant whose application of ``MONTH`` is at ``stage``, with an
    answer, a document, a finding and a message of its own."""
    suffix = _suffix()
    given, partner, family = f"Tyst{suffix}", f"Stilla{suffix}", f"Dold{suffix}"
    members = (
        demo.DemoPerson(given, family, "19610505", f"{next(_serials):03d}", MemberRole.applicant),
        demo.DemoPerson(
            partner, family, "19630707", f"{next(_serials):03d}", MemberRole.co_applicant
        ),
    )
    made = demo.DemoHousehold(
        "protected-test", "sv", 0, members, rent_ore=785000, incomes=((given, "salary", 1200000),)
    )
    demo.add_household(db, made, unit_id, MONTH)
    db.commit()
    person = db.exec(select(Person).where(Person.personnummer == members[0].personnummer)).one()
    household = household_of(db, person)
    assert household is not None and household.id is not None
    application = db.exec(
        select(Application)
        .where(Application.household_id == household.id)
        .where(Application.month == MONTH)
    ).one()
    assert application.id is not None
    application.status = STATUS.get(stage, stage)
    application.reference = f"EB-SKYDD-{suffix}"
    db.add(application)
    secret = f"Hemlig uppgift {suffix}"
    answer = db.exec(
        select(Answer)
        .where(Answer.application_id == application.id)
        .where(Answer.key == "other_info")
    ).one()
    answer.value = secret
    db.add(answer)
    db.add(
        Message(
            household_id=household.id,
            application_id=application.id,
            direction="from_applicant",
            body=f"Meddelande {suffix}",
        )
    )
    finding = Finding(
        application_id=application.id,
        code="missing_attachment",
        severity="blocking",
        subject="rent",
        params={},
    )
    db.add(finding)
    if application.status == ApplicationStatus.decided:
        db.add(
            Decision(
                application_id=application.id,
                outcome="granted",
                amount_ore=123400,
                reason=f"Beslutsskäl {suffix}",
                decided_by=staff,
            )
        )
    db.commit()
    attachment = add_document(
        db,
        uploads,
        Case(household, application, {}),
        png_bytes(),
        filename=f"hyresavi-{suffix}.png",
        content_type="image/png",
    )
    markers = [given, partner, family, secret, application.reference, attachment.filename]
    markers += [f"{given.lower()}@example.org", f"Meddelande {suffix}", f"Beslutsskäl {suffix}"]
    for member in members:
        markers += _personnummer_forms(member.personnummer)
    applicant = db.exec(select(Person).where(Person.personnummer == members[0].personnummer)).one()
    return Hidden(
        stage,
        household.id,
        application.id,
        attachment.id or 0,
        finding.id or 0,
        application.reference,
        markers,
        applicant.id or 0,
    )


def set_protected(db: Session, household_ids: list[int], value: bool = True) -> None:
    for household_id in household_ids:
        household = db.get(Household, household_id)
        assert household is not None
        household.protected_identity = value
        db.add(household)
    db.commit()


def _staff(db: Session, username: str) -> StaffUser:
    return db.exec(select(StaffUser).where(StaffUser.username == username)).one()


@pytest.fixture(scope="module")
def world(engine: Engine, settings: Settings) -> Iterator[World]:
    """A household at every stage in Hans Handläggare's unit (Hans leads it for these tests),
    then protected identity switched on for all of them, as the Tax Agency would later."""
    with Session(engine) as db:
        officer = _staff(db, "handlaggare")
        reviewer = _staff(db, "teamledare")
        assert officer.id and officer.unit_id and reviewer.id
        lead = TeamLead(staff_user_id=officer.id, unit_id=officer.unit_id)
        db.add(lead)
        db.commit()
        hidden = [
            make_household(db, settings.uploads, officer.unit_id, stage, officer.id)
            for stage in STAGES
        ]
        by_stage = {h.stage: h for h in hidden}
        sample = ReviewSample(
            unit_id=officer.unit_id,
            month=MONTH,
            seed="skydd",
            size=1,
            population=1,
            drawn_by=officer.id,
        )
        db.add(sample)
        db.commit()
        item = ReviewItem(
            sample_id=sample.id or 0,
            application_id=by_stage["sampled"].application_id,
            reviewer_id=officer.id,
        )
        db.add(item)
        token, secret = repository_handoff.create_token(db, "skydd-test", "test")
        db.add(
            HandoffReceipt(
                application_id=by_stage["handed_off"].application_id,
                token_id=token.id or 0,
                case_system="Verksamhetssystem",
                case_reference="VS-1",
                document_version=handoff.DOCUMENT_VERSION,
            )
        )
        db.commit()
        set_protected(db, [h.household_id for h in hidden])
        yield World(hidden, sample.id or 0, item.id or 0, officer.id, secret)
        db.delete(lead)
        db.commit()


# --- walking every staff route -----------------------------------------------------------------


def staff_routes(app: FastAPI) -> list[APIRoute]:
    return [r for r in api_routes(app) if STAFF_ACCESS & set(declared_access(r))]


def _paths(route: APIRoute, world: World) -> list[tuple[str, Hidden | None]]:
    """The route's path for each protected household (or once, without parameters)."""
    names = {p.name for p in route.dependant.path_params}
    known = {
        "application_id",
        "attachment_id",
        "finding_id",
        "page",
        "sample_id",
        "item_id",
        "household_id",
        "person_id",
    }
    assert names <= known, f"{route.path}: teach this test the parameters {names - known}"
    if not names:
        return [(route.path, None)]
    if names <= {"sample_id"}:
        return [(route.path.replace("{sample_id}", str(world.sample_id)), None)]
    if names <= {"item_id"}:
        return [(route.path.replace("{item_id}", str(world.item_id)), None)]
    found = []
    for hidden in world.hidden:
        path = (
            route.path.replace("{application_id}", str(hidden.application_id))
            .replace("{attachment_id}", str(hidden.attachment_id))
            .replace("{finding_id}", str(hidden.finding_id))
            .replace("{household_id}", str(hidden.household_id))
            .replace("{person_id}", str(hidden.person_id))
            .replace("{page}", "1")
        )
        found.append((path, hidden))
    return found


def _form(world: World, hidden: Hidden | None) -> dict[str, str]:
    """A form that each action would accept for an ordinary household."""
    finding = str(hidden.finding_id) if hidden else ""
    return {
        "outcome": "granted",
        "amount": "1000",
        "reason": "Godtas efter samtal",
        "staff_id": str(world.officer_id),
        "action": "established",
        "date": dt.date.today().isoformat(),
        "kind": "phone",
        "body": "Samtal med sökanden",
        "note": "Skicka hyresavin",
        "finding": finding,
        f"template_{finding}": "missing_attachment",
        "unit": "",
        "month": MONTH,
        "size": "5",
        "seed": "walk",
        f"reviewer_{world.item_id}": str(world.officer_id),
        **{name: "yes" for name in repository_egenkontroll.sampling.CHECKLIST},
        "comment": "",
    }


def _leaks(world: World, response: Any) -> list[str]:
    seen = response.content.decode("utf-8", "ignore") + " ".join(
        f"{k}: {v}" for k, v in response.headers.items()
    )
    # The page's own address (the language switcher's return path) is not a leak.
    own = response.request.url.path
    seen = seen.replace(own, "").replace(quote(own, safe=""), "")
    found = [m for m in world.markers() if m in seen]
    for hidden in world.hidden:
        if re.search(rf"applications/{hidden.application_id}(?!\d)", seen):
            found.append(f"link to application {hidden.application_id} ({hidden.stage})")
        if re.search(rf"attachments/{hidden.attachment_id}(?!\d)", seen):
            found.append(f"link to attachment {hidden.attachment_id} ({hidden.stage})")
    return found


def _state(db: Session, world: World) -> dict[str, Any]:
    """Everything an action on the households could have changed."""
    db.expire_all()
    apps = [h.application_id for h in world.hidden]
    households = [h.household_id for h in world.hidden]

    def count(model: Any, column: Any, ids: list[int]) -> int:
        return int(db.exec(select(func.count()).select_from(model).where(column.in_(ids))).one())

    return {
        "applications": [
            (a.status, a.assigned_to)
            for a in db.exec(
                select(Application).where(col(Application.id).in_(apps)).order_by(Application.id)
            ).all()
        ],
        "decisions": count(Decision, col(Decision.application_id), apps),
        "assessments": count(Assessment, col(Assessment.application_id), apps),
        "plans": count(ActionPlan, col(ActionPlan.household_id), households),
        "notes": count(ContactNote, col(ContactNote.application_id), apps),
        "requests": count(CompletionRequest, col(CompletionRequest.application_id), apps),
        "findings_open": int(
            db.exec(
                select(func.count())
                .select_from(Finding)
                .where(col(Finding.application_id).in_(apps))
                .where(Finding.status == "open")
            ).one()
        ),
        "notifications": count(Notification, col(Notification.household_id), households),
        "review_items": [
            (i.application_id, i.reviewer_id, i.reviewed_at)
            for i in db.exec(
                select(ReviewItem)
                .where(col(ReviewItem.application_id).in_(apps))
                .order_by(ReviewItem.id)
            ).all()
        ],
    }


def _placeholder_expected(username: str, path: str, hidden: Hidden | None) -> bool:
    """Where a page of the household is addressed directly by someone whose unit and role
    reach it: the placeholder, nothing else."""
    if username not in ("handlaggare", "informator"):
        return False
    if path.startswith("/officer/egenkontroll/items/"):
        return username == "handlaggare"
    if hidden is None:
        return False
    if username == "handlaggare" and path.startswith("/officer/applications/"):
        return hidden.stage not in ("draft", "awaiting_co_applicant")
    if username == "informator" and path.startswith("/informator/"):
        return hidden.stage in (
            "awaiting_co_applicant",
            "submitted",
            "needs_completion",
            "complete",
        )
    return False


@pytest.mark.parametrize("username", STAFF)
def test_every_staff_route_hides_protected_households(
    app: FastAPI, client: TestClient, db: Session, world: World, username: str
) -> None:
    sign_in(client, username)
    token = csrf_of(client)
    before = _state(db, world)
    walked = 0
    placeholders = 0
    problems: list[str] = []
    for route in staff_routes(app):
        for path, hidden in _paths(route, world):
            for method in sorted(route.methods):
                data = {**_form(world, hidden), "csrf_token": token} if method == "POST" else None
                response = client.request(method, path, data=data, follow_redirects=False)
                walked += 1
                where = f"{username} {method} {path} ({hidden.stage if hidden else '-'})"
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                problems += [f"{where}: {leak}" for leak in _leaks(world, response)]
                if _placeholder_expected(username, path, hidden):
                    placeholders += 1
                    if (
                        response.status_code != 403
                        or "Handled outside the portal" not in response.text
                    ):
                        problems.append(f"{where}: no placeholder ({response.status_code})")
    assert problems == [], "\n".join(problems[:40])
    assert walked > 100
    if username in ("handlaggare", "informator"):
        assert placeholders > 10
    assert _state(db, world) == before, "an action reached a protected household"


def test_the_placeholder_is_translated_and_has_nothing_of_the_household(
    client: TestClient, world: World
) -> None:
    sign_in(client, "handlaggare")
    complete = next(h for h in world.hidden if h.stage == "complete")
    seen = set()
    for language in ("sv", "en", "ar", "fa", "so", "ti", "uk", "fi"):
        client.cookies.set("portal_lang", language)
        page = client.get(f"/officer/applications/{complete.application_id}")
        assert page.status_code == 403
        assert f'lang="{language}"' in page.text
        assert page.headers["cache-control"] == "private, no-store"
        title = re.search(r"<h1>(.*?)</h1>", page.text)
        assert title is not None
        seen.add(title.group(1))
        assert not [m for m in complete.markers if m in page.text]
    assert len(seen) == 8, "the placeholder's heading is not translated into every language"


def test_the_queues_lists_and_counts_leave_them_out(client: TestClient, world: World) -> None:
    sign_in(client, "informator")
    for view in ("to_check", "waiting", "co_applicant", "all"):
        page = client.get(f"/informator?view={view}")
        assert page.status_code == 200
        assert not _leaks(world, page)
    sign_in(client, "handlaggare")
    for query in ("", "?assigned=unassigned", "?sort=newest", "?flag=findings", "?flag=changed"):
        page = client.get(f"/officer{query}")
        assert page.status_code == 200
        assert not _leaks(world, page)
    egenkontroll = client.get("/officer/egenkontroll")
    sample = client.get(f"/officer/egenkontroll/samples/{world.sample_id}")
    assert sample.status_code == egenkontroll.status_code == 200
    assert not _leaks(world, sample) and not _leaks(world, egenkontroll)


# --- automation: the API, samples, notices, PDFs -------------------------------------------------


def test_the_api_hands_over_nothing(client: TestClient, world: World) -> None:
    headers = {"Authorization": f"Bearer {world.token}"}
    listed = client.get("/api/v1/applications?limit=500", headers=headers)
    assert listed.status_code == 200
    ids = {item["id"] for item in listed.json()["items"]}
    while listed.json()["next_after_id"]:
        listed = client.get(
            f"/api/v1/applications?limit=500&after_id={listed.json()['next_after_id']}",
            headers=headers,
        )
        ids |= {item["id"] for item in listed.json()["items"]}
    assert not ids & {h.application_id for h in world.hidden}
    for hidden in world.hidden:
        base = f"/api/v1/applications/{hidden.application_id}"
        for response in (
            client.get(base, headers=headers),
            client.get(f"{base}/attachments/{hidden.attachment_id}", headers=headers),
            client.post(f"{base}/received", headers=headers, json={}),
        ):
            assert response.status_code == 404, (hidden.stage, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert not _leaks(world, response)


def test_builders_check_again_when_they_build(app: FastAPI, db: Session, world: World) -> None:
    """The case-file PDF and the hand-off document refuse a protected household even when a
    caller forgot to check: the flag is read again at build time."""

    class Request:
        def __init__(self) -> None:
            self.app = app

    for hidden in world.hidden:
        application = db.get(Application, hidden.application_id)
        household = db.get(Household, hidden.household_id)
        assert application is not None and household is not None
        with pytest.raises(protection.ProtectedIdentity):
            case_file_pdf(Request(), db, application, household)  # type: ignore[arg-type]
        with pytest.raises(protection.ProtectedIdentity):
            handoff.collect(db, app.state, application, household)


def test_egenkontroll_never_draws_them(db: Session, world: World) -> None:
    officer = _staff(db, "handlaggare")
    assert officer.unit_id
    assert repository_egenkontroll.population(db, officer.unit_id, MONTH) == []
    sample = repository_egenkontroll.draw_sample(
        db, officer.unit_id, MONTH, 10, "skydd-draw", officer.id or 0
    )
    assert sample.population == 0
    assert repository_egenkontroll.items_of(db, sample.id or 0) == []
    reviewing = repository_egenkontroll.items_for_reviewer(db, officer.id or 0)
    assert not {row.application.id for row in reviewing} & {h.application_id for h in world.hidden}
    assert repository_egenkontroll.items_of(db, world.sample_id) == []


def test_no_notice_is_queued_or_sent(
    app: FastAPI, db: Session, settings: Settings, world: World
) -> None:
    for hidden in world.hidden:
        application = db.get(Application, hidden.application_id)
        assert application is not None
        queued = completeness.notify_applicant(
            db, application, settings, "sv", purpose="completion_request"
        )
        assert queued == 0, hidden.stage
        assert (
            notify.queue(
                db,
                household_id=hidden.household_id,
                channel="email",
                recipient="x@example.org",
                body="Nytt meddelande",
                purpose="decision",
            )
            is None
        )
        if application.status == ApplicationStatus.decided:
            assert invite_after_decision(db, settings, application) is None
    db.commit()
    households = [h.household_id for h in world.hidden]
    assert not db.exec(
        select(Notification).where(col(Notification.household_id).in_(households))
    ).all()


def test_a_notice_waiting_when_the_flag_is_set_is_withheld(
    db: Session, settings: Settings, world: World
) -> None:
    """Stored while the household was not protected (and one stored before notifications knew
    their household), sent after: neither leaves, over a real SMTP server."""
    officer = _staff(db, "handlaggare")
    assert officer.unit_id and officer.id
    later = make_household(db, settings.uploads, officer.unit_id, "complete", officer.id)
    person_email = next(m for m in later.markers if m.endswith("@example.org"))
    with smtp_server() as sink:
        mail = mail_settings(settings, sink)
        before = notify.queue(
            db,
            household_id=later.household_id,
            channel="email",
            recipient="kontakt@example.org",
            subject="Testkommun",
            body="Du har ett nytt meddelande.",
            purpose="decision",
        )
        # Rows from before notifications knew their household (migration 0010).
        legacy = Notification(
            channel="email",
            recipient=person_email,
            subject="Testkommun",
            body="Du har ett nytt meddelande.",
            purpose="decision",
        )
        control = Notification(
            channel="email",
            recipient="someone.else@example.org",
            subject="Testkommun",
            body="Ett meddelande till någon annan.",
            purpose="decision",
        )
        db.add(legacy)
        db.add(control)
        db.commit()
        assert before is not None and legacy is not None and control is not None
        set_protected(db, [later.household_id])
        notify.deliver(db, mail, limit=10_000)
        received = [m["To"] for m in sink.wait_for(1)]  # deliver() returns once they are in
        assert "someone.else@example.org" in received
        assert "kontakt@example.org" not in received and person_email not in received
    for row in (before, legacy):
        db.refresh(row)
        assert row.sent_at is None and row.error == notify.WITHHELD
        assert row.recipient == "" and row.body == ""
        assert row.attempts == notify.MAX_ATTEMPTS  # never tried again
    db.refresh(control)
    assert control.sent_at is not None


def test_the_worker_reads_none_of_their_documents(
    engine: Engine, db: Session, settings: Settings, world: World
) -> None:
    """The reader and its sweep leave their documents alone (nothing is processed)."""
    from huey import MemoryHuey

    from intake.models import Attachment
    from portal.tasks import PortalQueue, extract_attachment

    attachments = [db.get(Attachment, h.attachment_id) for h in world.hidden]
    for attachment in attachments:
        assert attachment is not None
        attachment.extraction_status = "pending"
        db.add(attachment)
    db.commit()
    try:
        for hidden in world.hidden:
            assert extract_attachment(hidden.attachment_id, settings, engine) == "protected"
        queue = PortalQueue(settings, engine, huey=MemoryHuey("skydd", immediate=False))
        queue.requeue_pending()
        queued = {task.args[0] for task in queue.huey.pending()}
        assert not queued & {h.attachment_id for h in world.hidden}
    finally:
        for attachment in attachments:
            assert attachment is not None
            attachment.extraction_status = "done"
            db.add(attachment)
        db.commit()
