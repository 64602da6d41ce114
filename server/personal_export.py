"""The learner's data as a ZIP: `donnees.json` for machines, `resume.html` for people.

RGPD articles 15 and 20: everything the site holds about the account, in a
format another service can read (JSON), with a summary a person can read
offline (one self-contained HTML file: no stylesheet, script or image to fetch).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from course.models import Course
from server import clock
from server.templating import ENV

README = """Vos données personnelles — {site}
Exportées le {date}.

Ce dossier contient tout ce que le site conserve sur votre compte :

- resume.html : un résumé lisible, à ouvrir dans un navigateur ;
- donnees.json : les mêmes données, complètes, dans un format que d'autres
  services peuvent lire (RGPD, article 20 : droit à la portabilité).

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
formateur), certificates (vos attestations), cohorts (vos groupes),
cohorts_trained (groupes que vous animez), invitations (invitations à votre
adresse), reminders (relances reçues), messages (messages envoyés à votre
adresse), role_changes (rôles accordés ou retirés), platform_accounts (la
plateforme de formation, Moodle par exemple, depuis laquelle vous ouvrez le cours :
son identifiant, le vôtre sur elle et l'adresse qu'elle a transmise), satisfaction
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
        data=data, titles=titles(course), site=site, base_url=base_url, exported_at=moment
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("donnees.json", json.dumps(exported, ensure_ascii=False, indent=2) + "\n")
        archive.writestr("resume.html", summary)
        archive.writestr("LISEZMOI.txt", README.format(site=site, date=moment.date().isoformat()))
    return buffer.getvalue()
