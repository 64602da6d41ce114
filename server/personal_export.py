"""The learner's data as a ZIP: `donnees.json` for machines, `resume.html` for people.

RGPD articles 15 and 20: everything the site holds about the account, in a
format another service can read (JSON), with a summary a person can read
offline (one self-contained HTML file: no stylesheet, script or image to fetch).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any

from course.activity import Stretch, hours_minutes, measure, span
from course.activity_report import METHOD, local
from course.models import Course
from server import clock
from server.templating import ENV

README = """Vos données personnelles — {site}
Exportées le {date}.

Ce dossier contient tout ce que le site conserve sur votre compte :

- resume.html : un résumé lisible, à ouvrir dans un navigateur ;
- donnees.json : les mêmes données, complètes, dans un format que d'autres
  services peuvent lire (RGPD, article 20 : droit à la portabilité) ;
- badges/ : un fichier par badge numérique (Open Badges 3.0) attaché à vos
  attestations, tel qu'il a été signé : vous pouvez l'importer dans un
  portefeuille de badges ou le faire vérifier par un autre service.

Les secrets de connexion (empreinte du mot de passe, jetons des sessions) n'y
figurent pas : ce sont des clés, pas des données sur vous. Le contenu des
messages envoyés n'y figure pas non plus : seulement leur objet, leur date et
leur état.

Sections de donnees.json : profile (votre compte), sessions (appareils
connectés), enrolments (parcours commencés), progress (progression par module),
attempts (chaque tentative de quiz et ses réponses), reflections (vos réponses
aux réflexions), activity (vos périodes de travail mesurées sur chaque module :
début et dernière activité), realisation_certificates (vos certificats de
réalisation : employeur et numéro de dossier du financeur saisis par votre
formateur), certificates (vos attestations), badges (le badge numérique signé de
chaque attestation, le même que dans le dossier badges/), cohorts (vos groupes),
cohorts_trained (groupes que vous animez), invitations (invitations à votre
adresse), reminders (relances reçues), messages (messages envoyés à votre
adresse), role_changes (rôles accordés ou retirés), platform_accounts (la
plateforme de formation, Moodle par exemple, depuis laquelle vous ouvrez le cours :
son identifiant, le vôtre sur elle, et le nom et l'adresse qu'elle a transmis),
platform_grades (les notes envoyées à cette plateforme : activité, note sur 100,
terminée ou non, état de l'envoi et note reçue par la plateforme), satisfaction
(les questionnaires de satisfaction qui vous ont été proposés et si vous y avez
répondu : vos réponses elles-mêmes sont anonymes, enregistrées sans lien avec votre
compte, et ne peuvent donc figurer ici ni être effacées avec lui), questions (vos
questions aux formateurs de vos groupes et leurs réponses : date, groupe, module,
auteur et texte de chaque message).
"""


def titles(course: Course) -> dict[str, str]:
    """Path and module ids to their titles, so the summary speaks of « Introduction », not ids."""
    found = {path.id: path.title for path in course.paths}
    found.update({module.id: module.title for module in course.modules.values()})
    return found


def activity(stretches: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """The measured time as the relevé d'activité counts it, for people to read.

    Each stretch in Paris time (as funders read it), then the measured time per
    module and in all (course/activity.py: overlapping tabs count once).
    """
    found = [
        Stretch(s["module_id"], datetime.fromisoformat(s["started_at"]), last_at(s))
        for s in stretches
    ]
    found.sort(key=lambda s: (s.start, s.module_id))
    measured = measure(found, now)
    return {
        "stretches": [(s.module_id, *map(local, span(s, now))) for s in found],
        "by_module": {m: hours_minutes(t) for m, t in sorted(measured.by_module.items())},
        "total": hours_minutes(measured.total),
        "method": METHOD,
    }


def last_at(stretch: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(stretch["last_at"] or stretch["started_at"])


def badge_files(badges: list[dict[str, Any]]) -> dict[str, str]:
    """Each signed credential alone, as a wallet imports it: `badges/<certificate>.json`."""
    return {
        f"badges/{badge['certificate_id']}.json": json.dumps(
            badge["credential"], ensure_ascii=False, indent=2
        )
        + "\n"
        for badge in badges
    }


def export_zip(data: dict[str, Any], course: Course, site: str, base_url: str) -> bytes:
    """The ZIP's bytes: small (one account's records), built in memory."""
    moment = clock.moment()
    exported = {
        "site": site,
        "base_url": base_url,
        "exported_at": clock.stamp(moment),
        **data,
    }
    summary = ENV.get_template("account/resume.html").render(
        data=data,
        titles=titles(course),
        site=site,
        base_url=base_url,
        exported_at=moment,
        activity=activity(data.get("activity", []), moment),
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("donnees.json", json.dumps(exported, ensure_ascii=False, indent=2) + "\n")
        archive.writestr("resume.html", summary)
        archive.writestr("LISEZMOI.txt", README.format(site=site, date=moment.date().isoformat()))
        for name, text in badge_files(data.get("badges", [])).items():
            archive.writestr(name, text)
    return buffer.getvalue()
