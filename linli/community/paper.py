"""The volunteer-service record certificate (志愿服务记录证明) as a PDF.

The fields are those of 民政部令第67号: the volunteer's identity (masked), the hours and the
content of the service, the issuing organisation and its contact, the certificate number and
the date. The PDF uses Linli's own font files by path: nothing is fetched.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from linli.core import pdf as pdfkit

from . import rules
from .models import Certificate


def certificate_context(cert: Certificate) -> dict[str, Any]:
    hours = cert.minutes / 60
    return {
        "c": cert,
        "v": cert.volunteer,
        "team": cert.team,
        "hours": f"{hours:.1f}",
        "stars": rules.star_level(
            sum(r.minutes for r in cert.volunteer.hours.filter(status="approved").only("minutes"))
        ),
    }


def certificate_pdf(cert: Certificate) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = pdfkit.font_uris()
    html = render_to_string("community/certificate.html", certificate_context(cert))
    base = pdfkit.FONTS.as_uri()
    with pdfkit.RENDER_LOCK:
        config = FontConfiguration()
        css = CSS(
            string=render_to_string("community/certificate.css", {"fonts": fonts}),
            font_config=config,
            url_fetcher=pdfkit.local_fetcher(),
            base_url=base,
        )
        document = HTML(string=html, url_fetcher=pdfkit.local_fetcher(), base_url=base)
        data: bytes = document.write_pdf(stylesheets=[css], font_config=config)
    return data
