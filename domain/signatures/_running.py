"""Running the asynchronous certificate validation on a private event loop, from any thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_blocking(start: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the coroutine ``start()`` on a fresh event loop of its own and return its result.

    pyhanko-certvalidator is asynchronous only, and it leaves fetch tasks behind when a check
    is cancelled at its deadline. A private loop lets every task the work spawned be
    cancelled and collected before the loop closes, whatever the caller runs: in a thread
    without a loop (the CLI, a synchronous handler in a thread pool) the loop runs here; inside
    a running loop, where ``asyncio.run`` is refused, it runs in a worker thread. No global
    loop is created, reused or left behind.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run_on_fresh_loop(_collected(start))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hocba-trust") as pool:
        return pool.submit(lambda: run_on_fresh_loop(_collected(start))).result()


def run_on_fresh_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)`` without its SIGINT handling, in a thread without a loop.

    ``asyncio.run`` in the main thread reads the SIGINT handler, and when that is a Python
    callable the standard library builds an error message holding its ``repr`` — as long as
    the object it is bound to: 5 ms per call was measured with a large one, and the signing
    completions run several such coroutines per transcript. Here the loop is made, run and
    closed as ``asyncio.run`` does (left-over tasks cancelled and collected, asynchronous
    generators and the default executor shut down), with no signal handler read or set.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        try:
            left = asyncio.all_tasks(loop)
            for task in left:
                task.cancel()
            if left:  # gather of nothing would make its future on another loop
                loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()


async def _collected(start: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``await start()``, then cancel and collect every task it spawned.

    Collecting retrieves their exceptions too: an abandoned fetch that failed would otherwise
    be logged when garbage-collected ("Task exception was never retrieved").
    """
    loop = asyncio.get_running_loop()
    spawned: list[asyncio.Task[Any]] = []

    def record(loop: asyncio.AbstractEventLoop, coro: Any, **options: Any) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.Task(coro, loop=loop, **options)
        spawned.append(task)
        return task

    loop.set_task_factory(record)
    try:
        return await start()
    finally:
        loop.set_task_factory(None)
        for task in spawned:
            task.cancel()
        await asyncio.gather(*spawned, return_exceptions=True)
