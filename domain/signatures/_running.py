"""Running the asynchronous certificate validation from synchronous code, from any thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_blocking(start: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the coroutine ``start()`` to completion and return its result.

    pyhanko-certvalidator is asynchronous only. In a thread without an event loop (the CLI, a
    synchronous Litestar handler run in the thread pool) the coroutine gets a fresh loop of its
    own; called from inside a running loop, where ``asyncio.run`` is refused, it runs on a
    fresh loop in a worker thread instead. No global loop is created, reused or left behind.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(start())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hocba-trust") as pool:
        return pool.submit(lambda: asyncio.run(start())).result()
