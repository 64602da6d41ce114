"""French typography checks for editors: no-break spaces around « ; : ! ? » and guillemets.

Reported as warnings by the checker, so a course can be kept at zero.
"""

from __future__ import annotations

import re

NBSP = "\u00a0\u202f"
# Code, URLs, link targets, ids, task boxes, and titles of works in *italics* (often English).
_SKIP = re.compile(
    r"`[^`]*`|https?://\S+|\]\([^)]*\)|\{#[^}]*\}|!\[|\[[ xX]\]|(?<!\*)\*[^*\s][^*]*\*(?!\*)"
)
RULES = [
    (re.compile(r" ([;:!?»])"), "espace insécable attendue avant « {0} » (pas une espace simple)"),
    (re.compile(r"« "), "espace insécable attendue après « « » (pas une espace simple)"),
    (re.compile(rf"[^\s{NBSP}*_(\[]([;!?»])"), "espace insécable manquante avant « {0} »"),
    (re.compile(r"\w(:)\s"), "espace insécable manquante avant « : »"),
    (re.compile(rf"«[^\s{NBSP}]"), "espace insécable manquante après « « »"),
]


def no_break(text: str) -> str:
    """Our own messages, written with ordinary spaces, spaced as French typography wants."""
    return _PLAIN_BEFORE.sub("\u00a0\\1", text).replace("« ", "«\u00a0")


_PLAIN_BEFORE = re.compile(r" ([;:!?»])")


def check(text: str, first_line: int) -> list[tuple[int, str]]:
    """Problems as (line, message), skipping code, URLs, link targets and block markers."""
    found = []
    in_fence = False
    for number, line in enumerate(text.splitlines(), first_line):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence or (line.startswith("|") and set(line) <= set("|-: ")):
            continue
        clean = _SKIP.sub(lambda m: "\u2423" * len(m.group()), line)
        for pattern, message in RULES:
            match = pattern.search(clean)
            if match:
                found.append((number, message.format(*match.groups())))
                break
    return found
