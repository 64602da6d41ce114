"""Pin the server to one CPU (`alliances serve --cpu`).

A request crosses threads several times: the event loop hands each query to a
SQLite thread, which needs the GIL back to return the rows. When those threads
run on different cores, every hand-over waits for another core to wake up and
the GIL's state to move across; on one core it costs a context switch. On the
2-core machine of docs/PERFORMANCE.md, pinning one worker to one core raised
the module page from about 1 900 to 2 700 requests/s. Opt-in, because several
servers pinned to the same core would share it: use it when the server has the
machine, or its own CPU set, to itself.
"""

from __future__ import annotations

import os


def pin(choice: str) -> int:
    """Run this process, and the threads it starts later, on one CPU; which one.

    `choice` is a CPU number or "auto" (the first CPU this process may use).
    Raises ValueError with a readable message when it cannot be done.
    """
    if not hasattr(os, "sched_setaffinity"):
        raise ValueError("--cpu needs Linux (sched_setaffinity)")
    allowed = sorted(os.sched_getaffinity(0))
    if choice == "auto":
        cpu = allowed[0]
    else:
        try:
            cpu = int(choice)
        except ValueError:
            raise ValueError(f"--cpu expects a CPU number or 'auto', not {choice!r}") from None
        if cpu not in allowed:
            available = ", ".join(map(str, allowed))
            raise ValueError(f"CPU {cpu} is not available to this process ({available})")
    os.sched_setaffinity(0, {cpu})
    return cpu
