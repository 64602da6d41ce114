"""A readable name for the device behind a session, from its User-Agent header.

« Mon compte » lists the active sessions: « Firefox sous Windows » lets a person
recognise their own browsers and spot one that is not. Our own few rules (no
dependency): the header is free text a client chooses, so the answer is only a
hint, and anything unrecognised reads « Appareil inconnu ».
"""

from __future__ import annotations

# Order matters: Edge and Opera also say « Chrome », Chrome also says « Safari ».
BROWSERS = [
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Opera", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Vivaldi/", "Vivaldi"),
    ("FxiOS/", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
# (marker, words after the browser name): an iPhone says « Mac OS X » too, Android « Linux ».
SYSTEMS = [
    ("iPhone", "sur iPhone"),
    ("iPad", "sur iPad"),
    ("Android", "sous Android"),
    ("CrOS", "sous ChromeOS"),
    ("Windows", "sous Windows"),
    ("Macintosh", "sous macOS"),
    ("Mac OS X", "sous macOS"),
    ("Linux", "sous Linux"),
]
MAX_AGENT = 300


def _first(agent: str, table: list[tuple[str, str]]) -> str | None:
    return next((name for marker, name in table if marker in agent), None)


def device_label(user_agent: str) -> str:
    """« Firefox sous Windows », « Safari sur iPhone », or « Appareil inconnu »."""
    agent = user_agent[:MAX_AGENT]
    browser, system = _first(agent, BROWSERS), _first(agent, SYSTEMS)
    if browser and system:
        return f"{browser} {system}"
    if browser:
        return browser
    if system:
        return f"Navigateur inconnu {system}"
    return "Appareil inconnu"
