"""The scheduler process: leadership through a DB lease, APScheduler only on the leader.

APScheduler's own FAQ warns that a job store must not be shared by several running
schedulers, so a process starts its BackgroundScheduler (SQLAlchemyJobStore, table
``apscheduler_jobs`` in the project's database) only while it holds the
``scheduler`` lease, and shuts it down the moment it cannot renew. The loser keeps
trying every ``renew_seconds`` and takes over once the lease has run out.

Jobs are stored by textual reference (``scheduler.runner:run_job`` with the job
name as argument), so the job store can pickle them; :func:`run_job` finds this
process's :class:`Runner` and runs the job in one unit of work, after checking the
lease once more. Job ids are the job names and are added with
``replace_existing=True``; an unchanged job keeps its stored next run time, so
runs missed during downtime follow the misfire rules in :mod:`scheduler.registry`.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from bot.runtime import Runtime
from scheduler import registry
from scheduler.base import Job, JobResult, RuntimeJob
from scheduler.registry import JobSpec
from storage import leases

log = logging.getLogger("minqing.scheduler")

JOBSTORE_TABLE = "apscheduler_jobs"
JOB_REF = "scheduler.runner:run_job"
DEFAULT_LEASE_SECONDS = 45.0
DEFAULT_RENEW_SECONDS = 15.0

# The runner of this process, for run_job(); set by Runner.start_scheduler().
_current: Runner | None = None


def run_job(name: str) -> None:
    """What APScheduler calls (by reference): run job ``name`` in this process's runner."""
    if _current is None:
        raise RuntimeError(f"job {name!r} fired but no scheduler runner is active in this process")
    _current.fire(name)


def execute(runtime: Runtime, spec: JobSpec, now: datetime, force: bool = False) -> JobResult:
    """Run one job once in its own unit of work; the caller decides when.

    A job with ``own_transactions`` gets the runtime and opens its own units of work.
    """
    if spec.own_transactions:
        result = cast(RuntimeJob, spec.func)(runtime, now, force=force)
    else:
        with runtime.unit_of_work() as session:
            result = cast(Job, spec.func)(session, now, runtime.config, force=force)
    log.info("job %s done: %s", spec.name, result.summary())
    return result


def new_holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Runner:
    """One scheduler process: call :meth:`step` periodically, or :meth:`serve`."""

    def __init__(
        self,
        runtime: Runtime,
        holder: str | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        renew_seconds: float = DEFAULT_RENEW_SECONDS,
        jobs: Mapping[str, JobSpec] | None = None,
    ) -> None:
        if renew_seconds >= lease_seconds:
            raise ValueError("renew_seconds must be shorter than lease_seconds")
        self.runtime = runtime
        self.holder = holder or new_holder_id()
        self.lease_seconds = lease_seconds
        self.renew_seconds = renew_seconds
        self.jobs = dict(jobs) if jobs is not None else registry.build(runtime.config)
        self.scheduler: BackgroundScheduler | None = None

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    def step(self) -> bool:
        """Take or renew the lease; start or stop scheduling to match. True if leading."""
        try:
            with self.runtime.unit_of_work() as session:
                held = leases.acquire(
                    session,
                    leases.SCHEDULER_LEASE,
                    self.holder,
                    self.runtime.clock(),
                    self.lease_seconds,
                )
        except Exception as exc:  # database unreachable: stop scheduling, retry later
            log.warning("lease renewal failed (%s); not scheduling", exc)
            held = False
        if held and not self.leading:
            log.info("leadership acquired by %s; starting the scheduler", self.holder)
            self.start_scheduler()
        elif not held and self.leading:
            log.warning("leadership lost by %s; stopping the scheduler", self.holder)
            self.stop_scheduler()
        return held

    def start_scheduler(self) -> None:
        global _current
        tz = self.runtime.config.campaign.timezone
        scheduler = BackgroundScheduler(
            timezone=ZoneInfo(tz),
            jobstores={
                "default": SQLAlchemyJobStore(engine=self.runtime.engine, tablename=JOBSTORE_TABLE)
            },
            executors={"default": ThreadPoolExecutor(2)},
            job_defaults={"max_instances": 1},
        )
        _current = self
        scheduler.start(paused=True)
        sync_jobs(scheduler, self.jobs, tz)
        scheduler.resume()
        self.scheduler = scheduler

    def stop_scheduler(self) -> None:
        """Stop scheduling without touching the stored jobs.

        APScheduler's thread makes one last pass over the job stores after
        ``shutdown()``, when the executors are already closed: a job due at that very
        moment would be marked done without running. Detaching the job store first
        leaves its next run time for the next leader (and keeps the shared engine).
        A job already running is waited for, so its transaction commits.
        """
        if self.scheduler is not None:
            self.scheduler.pause()
            self.scheduler.remove_jobstore("default", shutdown=False)
            self.scheduler.shutdown(wait=True)
            self.scheduler = None

    def fire(self, name: str) -> JobResult | None:
        """Run job ``name`` now if this process still holds the lease."""
        now = self.runtime.clock()
        with self.runtime.unit_of_work() as session:
            mine = leases.is_held_by(session, leases.SCHEDULER_LEASE, self.holder, now)
        if not mine:
            log.warning("job %s fired but %s no longer holds the lease; skipped", name, self.holder)
            return None
        log.info("job %s fired on %s", name, self.holder)
        return execute(self.runtime, self.jobs[name], now)

    def serve(self, stop: threading.Event) -> None:
        """Renew every ``renew_seconds`` until ``stop`` is set; then let go cleanly."""
        log.info(
            "scheduler %s started (lease %ss, renew every %ss)",
            self.holder,
            self.lease_seconds,
            self.renew_seconds,
        )
        try:
            while not stop.is_set():
                self.step()
                stop.wait(self.renew_seconds)
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        was_leading = self.leading
        self.stop_scheduler()
        if was_leading:
            try:
                with self.runtime.unit_of_work() as session:
                    leases.release(session, leases.SCHEDULER_LEASE, self.holder)
            except Exception as exc:  # the lease simply runs out instead
                log.warning("could not release the lease (%s); it expires by itself", exc)
                return
            log.info("leadership released by %s", self.holder)


def sync_jobs(scheduler: BackgroundScheduler, jobs: Mapping[str, JobSpec], timezone: str) -> None:
    """Make the job store hold exactly ``jobs``, keeping unchanged jobs' next run times."""
    for spec in jobs.values():
        trigger = spec.trigger(timezone)
        kwargs: dict = {}
        existing = scheduler.get_job(spec.name)
        if (
            existing is not None
            and str(existing.trigger) == str(trigger)
            and existing.next_run_time is not None
        ):
            kwargs["next_run_time"] = existing.next_run_time  # keep missed runs visible
        scheduler.add_job(
            JOB_REF,
            trigger=trigger,
            args=[spec.name],
            id=spec.name,
            name=spec.name,
            replace_existing=True,
            misfire_grace_time=spec.misfire_grace_time,
            coalesce=spec.coalesce,
            max_instances=1,
            **kwargs,
        )
    for job in scheduler.get_jobs():
        if job.id not in jobs:
            scheduler.remove_job(job.id)
