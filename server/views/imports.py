"""Bulk invitations from a CSV file: preview every row, then confirm, all or nothing."""

from __future__ import annotations

import csv
import io

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from course.roster import RosterError, read_roster
from server import urls
from server.clock import now
from server.reminder_messages import invitation_message
from server.state import state
from server.templating import render
from server.views.trainer import trainer_cohort
from server.web import course, read_form, redirect, storage, text_field

MAX_FILE = 200 * 1024
SAMPLE = [
    ("email", "nom"),
    ("camille.martin@exemple.fr", "Camille Martin"),
    ("karim.benali@exemple.fr", "Karim Benali"),
    ("lea.dubois@exemple.fr", "Léa Dubois"),
]


def _signer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(state(request).settings.secret_key, salt="roster-import")


async def import_form(request: Request) -> Response:
    _, cohort = await trainer_cohort(request)
    return render(request, "trainer/import.html", {"cohort": cohort, "rows": None, "error": None})


async def sample_csv(request: Request) -> Response:
    """A file in the expected shape (semicolons and a BOM, as French Excel saves it) to fill in."""
    await trainer_cohort(request)
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(SAMPLE)
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="exemple-apprenants.csv"'},
    )


async def import_preview(request: Request) -> Response:
    _, cohort = await trainer_cohort(request)
    async with request.form(max_files=1, max_fields=5, max_part_size=MAX_FILE) as form:
        token = form.get("csrf_token")
        if not state(request).signer.csrf_valid(
            request.state.csrf_cookie, token if isinstance(token, str) else None
        ):
            raise HTTPException(403, "Ce formulaire a expiré. Rechargez la page et recommencez.")
        upload = form.get("file")
        error, rows, payload = None, None, ""
        if not isinstance(upload, UploadFile) or not upload.filename:
            error = "Choisissez un fichier CSV."
        else:
            data = await upload.read(MAX_FILE + 1)
            try:
                if len(data) > MAX_FILE:
                    raise RosterError("Le fichier est trop volumineux (200 Ko au plus).")
                rows = read_roster(data, await storage(request).member_emails(cohort.id))
            except RosterError as exc:
                error = str(exc)
    if rows is not None:
        invite = [{"email": r.email, "name": r.name} for r in rows if r.outcome == "invite"]
        payload = _signer(request).dumps({"cohort": cohort.id, "people": invite})
    return render(
        request,
        "trainer/import.html",
        {"cohort": cohort, "rows": rows, "error": error, "payload": payload},
        status=400 if error else 200,
    )


async def import_confirm(request: Request) -> Response:
    user, cohort = await trainer_cohort(request)
    form = await read_form(request)
    try:
        data = _signer(request).loads(text_field(form, "payload"))
    except BadSignature:
        raise HTTPException(400, "Cet import n'est plus valable\u00a0: recommencez.") from None
    if data.get("cohort") != cohort.id:
        raise HTTPException(400, "Cet import concerne un autre groupe.")
    people = data.get("people") or []
    mailed = 0
    path = course(request).path(cohort.path_id)
    if people and form.get("send_email") == "1" and path is not None:
        settings = state(request).settings
        messages = [
            invitation_message(p["email"], p.get("name", ""), cohort, path, user.name, settings)
            for p in people
        ]
        db = storage(request)
        mailed = await db.add_invitations_with_messages(cohort.id, people, messages, now())
    elif people:
        await storage(request).add_invitations(cohort.id, people, now())
    done = f"invites={len(people)}" + (f"&courriels={mailed}" if mailed else "")
    return redirect(f"{urls.cohort(cohort.id)}?{done}#invitation")
