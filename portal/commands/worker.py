"""``portal worker``: run the task queue's consumer (reads uploaded documents)."""

from __future__ import annotations

import logging

import click


@click.command("worker")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Jobs run at the same time. Each document is read in a child process of its own, so "
    "one per CPU core is about right.",
)
@click.option("--drain", is_flag=True, help="Run the jobs queued now, then stop.")
@click.option("--verbose", is_flag=True, help="Log every job.")
def command(workers: int, drain: bool, verbose: bool) -> None:
    """Run the queue's worker: read uploaded documents, requeue any a crash left unread.

    The queue is SQLite in PORTAL_VAR_DIR (default) or Redis when PORTAL_QUEUE_URL is set."""
    from portal.tasks import get_queue

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    queue = get_queue()
    if drain:
        queue.requeue_pending()
        count = queue.drain()
        click.echo(f"Ran {count} queued job{'s' if count != 1 else ''}.")
        return
    requeued = queue.requeue_pending()
    where = queue.config.queue_url or str(queue.settings.var_dir / "queue.db")
    click.echo(f"Worker: {workers} at a time on {where}; {requeued} unread attachment(s) queued.")
    # Threads are enough: each document is read in a child process. SQLite is polled at least
    # every second (huey backs off to 10 s by default), so "Reading your document…" stays short.
    consumer = queue.huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=True,
        check_worker_health=True,
        max_delay=1.0,
    )
    consumer.run()
