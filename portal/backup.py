"""Backup and restore of the embedded default: the SQLite database and the upload folder.

``backup`` copies the database with SQLite's online backup API (a consistent snapshot while
the portal runs), then every uploaded file, and writes ``manifest.json`` last with the SHA-256
and size of every file: a folder without a manifest is not a backup. ``restore`` checks every
checksum before it touches anything, copies the database back (with the same API) and the
files, and then checks that every attachment's file is there with the checksum its row says.

PostgreSQL is backed up with ``pg_dump`` (docs/deploy.md); the upload folder the same way as
here (``portal backup --files-only``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portal.settings import Settings

MANIFEST = "manifest.json"
DATABASE = "portal.db"
UPLOADS = "uploads"
FORMAT = 1
# Pictures rendered from uploads (kept by checksum) are made again on demand: not backed up.
DERIVED = ("previews", "reencoded")
CHUNK = 1024 * 1024


class BackupError(Exception):
    pass


@dataclass
class Check:
    """What a restore found: attachments checked, and anything that does not match."""

    applications: int = 0
    attachments: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)


def sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").split("?")[0]
    return Path(path) if path and path != ":memory:" else None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _copy(source: Path, target: Path) -> tuple[str, int]:
    """Copy while hashing; the copy is on disk when this returns."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    return digest.hexdigest(), size


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while others write."""
    target.parent.mkdir(parents=True, exist_ok=True)
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    writer = sqlite3.connect(target, timeout=30)
    try:
        with writer:
            reader.backup(writer, pages=1024)
        writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        writer.close()
        reader.close()
    _fsync(target)


def upload_files(uploads: Path) -> list[Path]:
    """Every stored upload (not half-written ``.part`` files, not rendered pictures)."""
    if not uploads.is_dir():
        return []
    found = []
    for path in sorted(uploads.rglob("*")):
        relative = path.relative_to(uploads)
        if not path.is_file() or relative.parts[0] in DERIVED or path.name.endswith(".part"):
            continue
        found.append(path)
    return found


def backup(settings: Settings, destination: Path, *, files_only: bool = False) -> dict[str, Any]:
    """Write a backup into ``destination`` (a new or empty folder); the manifest."""
    database = sqlite_path(settings.database_url)
    if database is None and not files_only:
        raise BackupError(
            "The database is not SQLite: back it up with pg_dump (see docs/deploy.md) and "
            "the upload folder with --files-only."
        )
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty.")
    destination.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Any]] = {}
    summary: dict[str, Any] = {}
    if database is not None and not files_only:
        if not database.is_file():
            raise BackupError(f"No database at {database}.")
        _sqlite_copy(database, destination / DATABASE)
        files[DATABASE] = {
            "sha256": sha256_of(destination / DATABASE),
            "size": (destination / DATABASE).stat().st_size,
        }
        summary = _summary(destination / DATABASE)
    # Files after the database: every row in the copy names a file that existed before it.
    for path in upload_files(settings.uploads):
        relative = f"{UPLOADS}/{path.relative_to(settings.uploads).as_posix()}"
        try:
            digest, size = _copy(path, destination / relative)
        except FileNotFoundError:  # deleted meanwhile (removed by the applicant, purged)
            continue
        files[relative] = {"sha256": digest, "size": size}
    stored = {name[len(UPLOADS) + 1 :] for name in files if name.startswith(UPLOADS + "/")}
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": DATABASE if DATABASE in files else None,
        "schema": summary.get("schema"),
        "applications": summary.get("applications"),
        "attachments": summary.get("attachments"),
        # Attachments whose file was already gone (retention deletes files after hand-off).
        "attachments_without_file": sorted(
            attachment_id
            for attachment_id, storage_path in summary.get("files", [])
            if storage_path not in stored
        ),
        "files": files,
    }
    temporary = destination / (MANIFEST + ".part")
    temporary.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    _fsync(temporary)
    temporary.replace(destination / MANIFEST)
    _fsync(destination)
    return manifest


def _summary(database: Path) -> dict[str, Any]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        schema = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        applications = connection.execute("SELECT count(*) FROM application").fetchone()[0]
        files = connection.execute(
            "SELECT id, storage_path FROM attachment WHERE removed_at IS NULL"
        ).fetchall()
    finally:
        connection.close()
    return {
        "schema": schema[0] if schema else None,
        "applications": applications,
        "attachments": len(files),
        "files": files,
    }


def read_manifest(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} has no {MANIFEST}: not a complete backup.")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def verify(source: Path) -> list[str]:
    """Every file of the backup against its manifest; the problems (none: intact)."""
    manifest = read_manifest(source)
    problems = []
    for name, expected in sorted(manifest["files"].items()):
        path = source / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            problems.append(f"{name}: not a path inside the backup")
        elif not path.is_file():
            problems.append(f"{name}: missing")
        elif path.stat().st_size != expected["size"] or sha256_of(path) != expected["sha256"]:
            problems.append(f"{name}: checksum differs")
    return problems


def restore(settings: Settings, source: Path, *, force: bool = False) -> Check:
    """Put a verified backup back; refuse a damaged backup, and (without ``force``) refuse to
    overwrite an existing database or non-empty upload folder. Then check every attachment."""
    manifest = read_manifest(source)
    problems = verify(source)
    if problems:
        raise BackupError("The backup is damaged, nothing was restored: " + "; ".join(problems))
    database = sqlite_path(settings.database_url)
    if manifest.get("database"):
        if database is None:
            raise BackupError("The backup holds a SQLite database, PORTAL_DATABASE_URL is not.")
        if database.exists() and not force:
            raise BackupError(f"{database} exists: use --force to replace it.")
    uploads = settings.uploads
    if upload_files(uploads) and not force:
        raise BackupError(f"{uploads} is not empty: use --force to replace it.")

    if manifest.get("database") and database is not None:
        # Into the database file through SQLite itself, so its journal stays consistent.
        _sqlite_copy(source / DATABASE, database)
    if force and uploads.is_dir():
        shutil.rmtree(uploads)
    uploads.mkdir(parents=True, exist_ok=True)
    for name in sorted(manifest["files"]):
        if name.startswith(UPLOADS + "/"):
            _copy(source / name, uploads / name[len(UPLOADS) + 1 :])
    if database is None:
        return Check(files=len(manifest["files"]))
    return check(database, uploads, set(manifest.get("attachments_without_file") or []))


def check(database: Path, uploads: Path, without_file: set[int] | None = None) -> Check:
    """Every application is readable and every attachment's file has its row's checksum."""
    without_file = without_file or set()
    result = Check()
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        result.applications = connection.execute("SELECT count(*) FROM application").fetchone()[0]
        rows = connection.execute(
            "SELECT id, storage_path, sha256, size FROM attachment WHERE removed_at IS NULL "
            "ORDER BY id"
        ).fetchall()
    finally:
        connection.close()
    for attachment_id, storage_path, expected, size in rows:
        result.attachments += 1
        path = uploads / storage_path
        if attachment_id in without_file and not path.exists():
            continue
        if not path.is_file():
            result.problems.append(f"attachment {attachment_id}: file missing")
        elif path.stat().st_size != size or sha256_of(path) != expected:
            result.problems.append(f"attachment {attachment_id}: checksum differs")
        else:
            result.files += 1
    return result
