"""A path's optional sections: titled runs of consecutive modules, for the outline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from course.models import Section


def read_sections(
    raw: Any,
    module_ids: list[str],
    path_id: str,
    line: int,
    error: Callable[[int, str], None],
) -> tuple[Section, ...]:
    """Each section starts at its `from` module and runs up to the next section's start.

    Starts rather than full lists, so that the path's `modules:` stays the one order.
    """
    if raw is None:
        return ()
    where = f"parcours « {path_id} » : sections"
    if not isinstance(raw, list) or not raw:
        error(line, f"{where} : une liste de « title: » et « from: » attendue")
        return ()
    starts: list[tuple[str, int, int]] = []
    for item in raw:
        at = item.get("__line__", line) if isinstance(item, dict) else line
        title = item.get("title") if isinstance(item, dict) else None
        first = item.get("from") if isinstance(item, dict) else None
        if not isinstance(title, str) or not title.strip():
            error(at, f"{where} : section sans titre (« title: »)")
            return ()
        if str(first) not in module_ids:
            error(at, f"{where} : « from: {first} » n’est pas un module de ce parcours")
            return ()
        index = module_ids.index(str(first))
        if starts and index <= starts[-1][1]:
            error(at, f"{where} : « {title.strip()} » doit commencer après la section précédente")
            return ()
        starts.append((title.strip(), index, at))
    if starts[0][1] != 0:
        error(starts[0][2], f"{where} : la première section doit commencer au premier module")
        return ()
    ends = [index for _, index, _ in starts[1:]] + [len(module_ids)]
    return tuple(
        Section(title=title, module_ids=tuple(module_ids[index:end]))
        for (title, index, _), end in zip(starts, ends, strict=True)
    )
