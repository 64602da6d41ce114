"""How often each option of each question was chosen, for the trainer's per-question page.

Every attempt of the cohort counts (unlike item_analysis, which keeps first
attempts for editors): a trainer wants to see which wrong answer their group
keeps giving. Pure Python: no SQL, no Starlette.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping


def option_counts(
    modules: Mapping[str, frozenset[str]], attempts: Iterable[tuple[str, str]]
) -> dict[str, Counter[str]]:
    """Question id → choice id → times chosen.

    `modules` maps a module id to its questions' ids; `attempts` are (module id,
    answers as JSON). Answers to questions no longer in the module are ignored.
    """
    counts: dict[str, Counter[str]] = {}
    for module_id, raw in attempts:
        known = modules.get(module_id)
        if known is None:
            continue
        answers = json.loads(raw)
        if not isinstance(answers, dict):
            continue
        for question_id, chosen in answers.items():
            if question_id in known and isinstance(chosen, list):
                counts.setdefault(question_id, Counter()).update(
                    c for c in set(chosen) if isinstance(c, str)
                )
    return counts
