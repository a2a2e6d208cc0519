"""Certificates: 我的证书, the printable page, the PDF, public verification, revocation."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy import access, ratelimit, tiers
from academy.assessment.services import awards, certificates, quizzes
from academy.clock import utcnow
from academy.forms import RevokeForm
from academy.masking import mask_employee_no, mask_name
from academy.models import AwardCertificate, Certificate
from academy.printing import CertificateText, certificate_pdf, qr_cells
from academy.web import client_ip, external_url

bp = Blueprint("certificates", __name__)



def _verify_url(cert: Certificate) -> str:
    return external_url("certificates.verify", serial=cert.serial)


@bp.get("/me/certificates")
@login_required
def mine() -> ResponseReturnValue:
    exams = sorted(quizzes.sources().exams.values(), key=lambda e: (tiers.rank(e.tier), e.id))
    return render_template("certificates/mine.html", certificates=certificates.of_user(current_user), now=utcnow(),
                           exams=exams, awards=awards.of_user(current_user))


@bp.get("/certificates/<serial>")
@login_required
def show(serial: str) -> ResponseReturnValue:
    cert = access.certificate_for_owner(current_user, serial)
    size, cells = qr_cells(_verify_url(cert))
    return render_template("certificates/print.html", cert=cert, qr_size=size, qr_cells=cells,
                           verify_url=_verify_url(cert), state=cert.state(utcnow()), form=RevokeForm())


@bp.get("/certificates/<serial>/pdf")
@login_required
def pdf(serial: str) -> ResponseReturnValue:
    cert = access.certificate_for_owner(current_user, serial)
    issuer = current_app.config["CERTIFICATE_ISSUER"] or _("QS Academy")
    text = CertificateText(
        title=cert.title, title_en=cert.title_en, holder=cert.holder_name, employee_no=cert.employee_no,
        tier=tiers.label(cert.tier), issued=format_date(cert.issued_at, "yyyy-MM-dd"),
        valid_until=format_date(cert.valid_until, "yyyy-MM-dd"), serial=cert.serial, verify_url=_verify_url(cert),
        issuer=issuer, score=f"{cert.score_percent}%" if cert.score_percent else "",
        signature=_("Issued by") + ("：" if str(get_locale()).startswith("zh") else ": ") + issuer,
        signer=current_app.config["CERTIFICATE_SIGNER"],
        seal=str(Path(current_app.static_folder or "", seal)) if (seal := current_app.config["CERTIFICATE_SEAL"]) else "",
        labels={"employee_no": _("Employee number"), "tier": _("Tier"), "score": _("Score"), "issued": _("Date of issue"),
                "valid_until": _("Valid until"), "serial": _("Certificate number"),
                "scan": _("Scan the code to verify this certificate")})
    return Response(certificate_pdf(text), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{cert.serial}.pdf"'})


def _typed_serial(text: str) -> str:
    """A serial as people type it: any case, spaces, full-width dashes, or no dashes at all."""
    plain = re.sub(r"[\s\-\uff0d\u2014\u2013_]+", "", text.upper())[:40]
    if re.fullmatch(r"QS[A-Z0-9]{16}", plain):
        return "QS-" + "-".join(plain[i : i + 4] for i in range(2, 18, 4))
    return text.strip().upper()[:40]


@bp.get("/verify")
def verify_form() -> ResponseReturnValue:
    """Public: the box to type a certificate number into (for a paper copy without a readable code)."""
    typed = request.args.get("serial", "")
    if typed.strip():
        serial = _typed_serial(typed)
        if serial and "/" not in serial:
            return redirect(url_for("certificates.verify", serial=serial), code=303)
        return _not_found(typed)
    return render_template("certificates/verify.html", cert=None, asked=False)


def _miss_key() -> str:
    return f"verify_miss:{client_ip()}"


def _not_found(serial: str) -> ResponseReturnValue:
    """The same page, whatever was wrong with the number: nothing tells how near a guess came."""
    ratelimit.add(_miss_key(), 60 * int(current_app.config["VERIFY_WINDOW_MINUTES"]))
    return render_template("certificates/verify.html", cert=None, asked=True, serial=serial.strip()[:40]), 404


@bp.get("/verify/<serial>")
def verify(serial: str) -> ResponseReturnValue:
    """Public: anyone who scans the code sees whether it is genuine, with personal data masked.

    Addresses that keep asking for numbers that match nothing must pause, so serials cannot be
    tried in bulk; the pause answers every number alike, genuine or not."""
    misses, wait = ratelimit.peek(_miss_key())
    if misses >= int(current_app.config["VERIFY_MAX_MISSES"]):
        return render_template("certificates/verify.html", cert=None, asked=False,
                               paused=max(1, (wait + 59) // 60)), 429
    cert = certificates.by_serial(serial)
    if cert is None:
        award = awards.by_serial(serial)
        if award is not None:
            return render_template("certificates/verify_award.html", cert=award, holder=_award_holder(award, masked=True),
                                   employee_no=mask_employee_no(award.employee_no) if award.employee_no else "")
        return _not_found(serial)
    return render_template("certificates/verify.html", cert=cert, state=cert.state(utcnow()),
                           holder=mask_name(cert.holder_name),
                           employee_no=mask_employee_no(cert.employee_no))


@bp.post("/certificates/<serial>/revoke")
@login_required
def revoke(serial: str) -> ResponseReturnValue:
    cert = access.certificate_for_admin(current_user, serial)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for revoking the certificate."), "error")
        size, cells = qr_cells(_verify_url(cert))
        return render_template("certificates/print.html", cert=cert, qr_size=size, qr_cells=cells,
                               verify_url=_verify_url(cert), state=cert.state(utcnow()), form=form), 422
    certificates.revoke(cert, form.reason.data or "", actor=current_user, ip=client_ip())
    flash(_("The certificate has been revoked."), "success")
    return redirect(url_for("certificates.show", serial=cert.serial), code=303)




# --- award certificates of online rounds ---------------------------------------------------------

def _award_url(cert: AwardCertificate) -> str:
    return external_url("certificates.verify", serial=cert.serial)


def _award_holder(cert: AwardCertificate, *, masked: bool) -> str:
    """A unit's name is public; a person's is masked on the public check."""
    return mask_name(cert.holder_name) if masked and not cert.for_unit else cert.holder_name


@bp.get("/awards/<serial>")
@login_required
def award(serial: str) -> ResponseReturnValue:
    cert = access.award_for_viewer(current_user, serial)
    size, cells = qr_cells(_award_url(cert))
    return render_template("certificates/award.html", cert=cert, qr_size=size, qr_cells=cells,
                           verify_url=_award_url(cert))


@bp.get("/awards/<serial>/pdf")
@login_required
def award_pdf(serial: str) -> ResponseReturnValue:
    cert = access.award_for_viewer(current_user, serial)
    rows = [(_("Competition"), cert.competition_title), (_("Award"), cert.award), (_("Rank"), str(cert.rank))]
    if cert.employee_no:
        rows.insert(0, (_("Employee number"), cert.employee_no))
    rows += [(_("Date of issue"), format_date(cert.issued_at, "yyyy-MM-dd")), (_("Certificate number"), cert.serial)]
    text = CertificateText(
        title=cert.award, title_en=cert.competition_title, holder=cert.holder_name, employee_no=cert.employee_no,
        tier="", issued=format_date(cert.issued_at, "yyyy-MM-dd"), valid_until="", serial=cert.serial,
        verify_url=_award_url(cert), issuer=_("QS Academy"),
        labels={"scan": _("Scan the code to verify this certificate")}, rows=tuple(rows))
    return Response(certificate_pdf(text), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{cert.serial}.pdf"'})
