"""Plays the generated scripts through the workflow functions, per step or in bulk."""

import datetime as dt
import multiprocessing
import os
import time
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections

from jiesu.cases import deadlines, fastinsert, workflow
from jiesu.cases.models import Case
from jiesu.core import calendar
from jiesu.demo.generate import CHUNK, Generator, Script
from jiesu.demo.office import Office

Progress = Callable[[int, float], None]  # (cases done, seconds so far)


def _minutes(start: dt.datetime, minutes: float) -> dt.datetime:
    return start + dt.timedelta(seconds=round(minutes * 60))


def play(script: Script, now: dt.datetime) -> Case:
    """Receive the case and take every planned action that falls before `now`."""
    received = script.fields["received_at"]
    case = workflow.receive(at=received, tags=script.tags, **script.fields)
    for move in script.moves:
        at = _minutes(received, move.at)
        if at > now:
            break
        kwargs = move.kwargs
        if "contact_at" in kwargs:
            kwargs = dict(kwargs, contact_at=_minutes(received, kwargs["contact_at"]))
        if "until" in kwargs:
            kwargs = dict(kwargs, until=case.due_at + dt.timedelta(days=kwargs["until"]))
        workflow.ACTION_FUNCTIONS[move.action](case, by=move.by, at=at, **kwargs)
    return case


def build_cases(
    office: Office,
    *,
    count: int,
    months: int,
    seed: int,
    now: dt.datetime,
    bulk: bool = True,
    workers: int | None = None,
    chunk_size: int = CHUNK,
    progress: Progress | None = None,
) -> None:
    """Generate and play `count` cases, per step through the database or in bulk."""
    generator = Generator(
        office, count=count, months=months, seed=seed, now=now, chunk_size=chunk_size
    )
    started = time.monotonic()

    def report(chunks_done: int) -> None:
        if progress:
            progress(min(count, chunks_done * chunk_size), time.monotonic() - started)

    if not bulk:
        # a script is a whole history: its reopenings are in it, so nobody is told of steps
        with workflow.recording(workflow.DatabaseRecorder(publish=False)):
            for index in range(generator.chunks):
                for script in generator.chunk(index):
                    play(script, now)
                report(index + 1)
        return
    first_pk = fastinsert.next_case_pk()
    with fastinsert.fast_sqlite():
        for done, batch in enumerate(_batches(generator, first_pk, workers), start=1):
            fastinsert.write(batch)
            report(done)
        fastinsert.finish()


def render(generator: Generator, first_pk: int, index: int) -> fastinsert.Batch:
    """Play one chunk into a BulkRecorder and hand back its rows; touches no database."""
    recorder = fastinsert.BulkRecorder(first_pk + index * generator.chunk_size)
    with workflow.recording(recorder):
        for script in generator.chunk(index):
            play(script, generator.now)
    return recorder.take()


_job: tuple | None = None  # what forked workers render from: (generator, first_pk)


def _render(index: int) -> fastinsert.Batch:
    return render(*_job, index)


def _forget_inherited_connections() -> None:
    """In a forked worker: never use the parent's database connection; a settings cache
    that refreshes opens the worker's own."""
    for conn in connections.all():
        conn.connection = None


def _batches(generator: Generator, first_pk: int, workers: int | None):
    """Rendered chunks in order: here, or on every core while this process writes (SQLite)."""
    global _job
    if connections[DEFAULT_DB_ALIAS].vendor != "sqlite":
        workers = 1  # rows prepared for other drivers need not survive a trip between processes
    elif workers is None:
        workers = min(os.cpu_count() or 1, 8) if generator.chunks >= 4 else 1
    if workers < 2:
        for index in range(generator.chunks):
            yield render(generator, first_pk, index)
        return
    # Warm the settings caches so forked workers find them in memory.
    deadlines.policy_on(generator.now.date())
    calendar.is_workday(generator.now.date())
    _job = (generator, first_pk)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_forget_inherited_connections) as pool:
            yield from pool.imap(_render, range(generator.chunks))
    finally:
        _job = None
