"""The district comparison page (``/district/``) and its PDF (``/district/pdf/``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from linli.core import pdf as pdfkit
from linli.core import policy

from . import district


def _context(request: HttpRequest) -> tuple[dict[str, Any], str]:
    """The page's context, or an error naming the bad field (``district`` or ``sort``)."""
    code = request.GET.get("district", "")
    sort = request.GET.get("sort", "")
    try:
        fr = district.frame(request.user, code)
    except ValueError:
        return {}, _("参数 district 无效：不是本市有数据的区。")
    try:
        c = district.comparison(request.user, fr, sort)
    except ValueError:
        return {"frame": fr}, _("参数 sort 无效：没有这一项可排序的指标。")
    context = {
        "frame": fr,
        "comparison": c,
        "sections": district.layout(c),
        "lifts": district.phase_bars(c) if any(f.domain == "elevator" for f in c.figures) else [],
        "survey": district.survey_lines(c) if c.years else [],
        "hall_days": district.HALL_DAYS,
        "generated": district.generated_at(),
        # A city account's chosen district travels with the sort and PDF links.
        "qs_prefix": f"district={fr.district.code}&" if fr.choices and fr.district else "",
    }
    return context, ""


@policy.permission_required(district.PERMISSION)
def comparison(request: HttpRequest) -> HttpResponse:
    context, error = _context(request)
    if error:
        return render(request, "dashboard/district.html", {**context, "error": error}, status=400)
    return render(request, "dashboard/district.html", context)


@policy.permission_required(district.PERMISSION)
def comparison_pdf(request: HttpRequest) -> HttpResponse:
    context, error = _context(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    html = render_to_string("dashboard/district_pdf.html", context, request=request)
    css = render_to_string("dashboard/district_print.css", {"fonts": pdfkit.font_uris()})
    with pdfkit.RENDER_LOCK:  # Pango's font maps are not thread-safe: one render at a time
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        config = FontConfiguration()
        fetcher = pdfkit.local_fetcher()
        base = pdfkit.FONTS.as_uri()
        sheet = CSS(string=css, font_config=config, url_fetcher=fetcher, base_url=base)
        doc = pdfkit.document(string=html, url_fetcher=fetcher, base_url=base)
        data: bytes = doc.write_pdf(stylesheets=[sheet], font_config=config)
    fr = context["frame"]
    name = f"district-{fr.district.code if fr.district else 'none'}.pdf"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
