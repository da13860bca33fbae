"""Bytes on disk, written whole and told apart: digests, atomic writes, JSON records read back,
and the build time (`SOURCE_DATE_EPOCH` where set, so two builds write the same bytes)."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def files_digest(paths: list[Path], base: Path, read=lambda path: Path(path).read_bytes()) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(Path(path).relative_to(base).as_posix()).encode() + b"\0" + read(path) + b"\0")
    return h.hexdigest()


def digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def read_json(path: Path) -> dict:
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


# ---------------------------------------------------------------------------------------------
# Writing safely


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then move it into place: a crash never leaves a
    half-written file where a good one was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


# ---------------------------------------------------------------------------------------------
# Time: every "built at" stamp comes from here. With SOURCE_DATE_EPOCH set (the
# reproducible-builds convention, https://reproducible-builds.org/specs/source-date-epoch/) it is
# that moment, in UTC, and no duration is recorded, so two builds of the same inputs are
# byte-identical; without it, the wall clock.


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH as whole seconds, None when unset or empty; a value that is not a
    whole number is a usage error, never silently the wall clock."""
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    if not text.isdigit():
        from metroanalysis.errors import UsageError

        raise UsageError(f"SOURCE_DATE_EPOCH={text!r}: expected whole seconds since 1970-01-01 UTC")
    return int(text)


def build_time() -> datetime:
    """When this build happened: SOURCE_DATE_EPOCH in UTC if set, else now (local, with offset)."""
    epoch = source_date_epoch()
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else datetime.now().astimezone()


def now() -> str:
    return build_time().strftime("%Y-%m-%d %H:%M")
