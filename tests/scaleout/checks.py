"""What the production-shaped tests read back from the database (PostgreSQL or SQLite) and
check: a job's record, the white papers of a batch, the tickets issued."""

from __future__ import annotations

import sqlite3
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from .procs import wait_until


class Db:
    """A plain connection to the application's database: ``postgres://…`` or an SQLite file."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite:///")
        if self.sqlite:
            self.con: Any = sqlite3.connect(url[len("sqlite:///") :], timeout=30)
        else:
            import psycopg

            self.con = psycopg.connect(url, autocommit=True)

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.sqlite:
            sql = sql.replace("%s", "?")
        cur = self.con.execute(sql, params)
        rows: list[tuple[Any, ...]] = cur.fetchall()
        if self.sqlite:
            self.con.commit()  # end the read transaction: see the workers' later writes
        return rows

    def close(self) -> None:
        self.con.close()


JOB_FIELDS = ("id", "kind", "state", "done", "total", "error", "attempts", "worker", "result")


def job(db: Db, job_id: int) -> dict[str, Any]:
    (row,) = db.rows(f"SELECT {', '.join(JOB_FIELDS)} FROM jobs_job WHERE id = %s", job_id)
    return dict(zip(JOB_FIELDS, row, strict=True))


def latest_papers_job(db: Db) -> int:
    (row,) = db.rows("SELECT max(id) FROM jobs_job WHERE kind = 'risk.papers'")
    return int(row[0])


def wait_for_job(db: Db, job_id: int, seconds: float, *, done_at_least: int | None = None) -> Any:
    """Wait until the job has ended (or has rendered ``done_at_least`` papers)."""

    def check() -> dict[str, Any] | None:
        j = job(db, job_id)
        if j["state"] in ("failed", "cancelled"):
            raise AssertionError(f"job {job_id} {j['state']}: {j['error']}")
        if done_at_least is not None:
            return j if j["state"] == "running" and j["done"] >= done_at_least else None
        return j if j["state"] == "done" else None

    what = f"job {job_id} " + ("done" if done_at_least is None else f"at {done_at_least} papers")
    return wait_until(what, check, seconds, every=0.25)


def paper_files(db: Db, job_id: int) -> list[tuple[int, int, str]]:
    """(file id, committee id, stored name) of the batch's PDFs."""
    return [
        (int(i), int(c), str(n))
        for i, c, n in db.rows(
            "SELECT f.id, f.committee_id, f.pdf FROM risk_paperfile f"
            " JOIN risk_paperbatch b ON b.id = f.batch_id WHERE b.job_id = %s ORDER BY f.id",
            job_id,
        )
    ]


def check_every_paper_exactly_once(
    db: Db, media: Path, job_id: int, kept: list[tuple[int, int, str]]
) -> None:
    """Each committee of the round has one PDF in the batch, on disk, in the result zip; the
    PDFs made before the worker died are the ones the batch finished with."""
    committees = sorted(
        int(c)
        for (c,) in db.rows(
            "SELECT rc.committee_id FROM risk_round_committees rc"
            " JOIN risk_paperbatch b ON b.round_id = rc.round_id WHERE b.job_id = %s",
            job_id,
        )
    )
    files = paper_files(db, job_id)
    per_committee = Counter(c for _, c, _ in files)
    assert sorted(per_committee) == committees, "a committee without its white paper"
    assert set(per_committee.values()) == {1}, f"a committee's paper twice: {per_committee}"
    for _, _, name in files:
        assert (media / name).read_bytes()[:5] == b"%PDF-", name
    assert set(kept) <= set(files), "a paper made before the worker died was made again"
    j = job(db, job_id)
    assert (j["state"], j["done"], j["total"], j["error"]) == ("done", len(committees),
                                                                len(committees), "")  # fmt: skip
    with zipfile.ZipFile(media / j["result"]) as zf:
        names = zf.namelist()
    assert len(names) == len(set(names)) == len(committees)
