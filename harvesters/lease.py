"""A running job's lease: renewed by its process every few seconds, whatever the job is doing.

The heartbeat the lifecycle writes with its counters moves only when records do; a job waiting on
a slow page would look dead long before it is.  So the job's process renews its lease from a thread
of its own (every :data:`RENEW_SECONDS`), and a job whose lease is older than :data:`LEASE` is taken
to be dead: another host may mark it failed and start the source again.  On the job's own host the
lease need not run out at all (the owner's process id tells, see ``base.owner_gone``).

A lease that could not be renewed because the job is no longer this process's (another process took
it over after the lease ran out, say after the database was out of reach for a minute) is *lost*: the
lifecycle sees it at its next heartbeat and stops the job rather than write beside the new one.
"""
from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import update

from harvesters.models import HarvestJob
from harvesters.records import JobFailure
from registry.db import Database, utcnow

log = logging.getLogger(__name__)
RENEW_SECONDS = 10.0
LEASE = timedelta(seconds=60)       # six renewals missed in a row


class LeaseLost(JobFailure):
    """The job is no longer this process's: it stops at once, and what it has not written stays unwritten."""

    def __init__(self):
        super().__init__("lease", "the job's lease ran out and the job was ended or taken over elsewhere; "
                                  "this run wrote nothing more")


class Lease:
    """Renews ``harvest_jobs.heartbeat_at`` of one job from a daemon thread until :meth:`release`."""

    def __init__(self, database: Database, job_id: int, owner: str, every: float | None = None):
        self.database, self.job_id, self.owner = database, job_id, owner
        self.every = RENEW_SECONDS if every is None else every
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew_until_released, name=f"lease-{job_id}", daemon=True)

    def __enter__(self) -> "Lease":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def release(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)

    def renew(self) -> bool:
        """Move the heartbeat to now; False when the job is no longer this process's running job."""
        with self.database.transaction() as session:
            renewed = session.execute(update(HarvestJob).where(
                HarvestJob.id == self.job_id, HarvestJob.status == "running",
                HarvestJob.owner == self.owner).values(heartbeat_at=utcnow())).rowcount
        return bool(renewed)

    def _renew_until_released(self) -> None:
        while not self._stop.wait(self.every):
            try:
                if not self.renew():
                    self.lost = True
                    log.warning("harvest job %s: lease lost (the job was ended or taken over elsewhere)", self.job_id)
                    return
            except Exception:      # the database out of reach for a moment: try again at the next turn
                log.warning("harvest job %s: could not renew its lease", self.job_id, exc_info=True)
