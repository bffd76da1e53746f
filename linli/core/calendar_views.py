"""The street's working-day calendar page: the days of a year, with the street's overrides."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import policy, workcalendar
from .context import Actor
from .models import CalendarDay

FIRST_YEAR = 2004  # the package's first year


def _year(raw: str | None, default: int) -> int:
    try:
        year = int(raw or default)
    except ValueError:
        return default
    return year if FIRST_YEAR <= year <= default + 5 else default


@policy.permission_required(workcalendar.PERMISSION)
def work_calendar(request: HttpRequest) -> HttpResponse:
    """GET ?year=: the year's holidays and 调休 days; POST: set or clear a street entry."""
    today = timezone.localdate()
    year = _year(request.GET.get("year") or request.POST.get("year"), today.year)
    if request.method == "POST":
        actor = Actor.from_request(request)
        try:
            day = date.fromisoformat(request.POST.get("day", ""))
        except ValueError:
            messages.error(request, _("日期：请填写有效日期（年-月-日）。"))
        else:
            try:
                if request.POST.get("form") == "clear":
                    workcalendar.clear_day(actor, day)
                    messages.success(request, _("已撤销街道调整，恢复国务院通知的安排。"))
                else:
                    workcalendar.set_day(
                        actor, day, request.POST.get("kind", ""), request.POST.get("name", "")
                    )
                    messages.success(request, _("已保存"))
                year = day.year
            except workcalendar.CalendarError as exc:
                messages.error(request, exc.message)
        return redirect(f"{reverse('work_calendar')}?year={year}")
    state = workcalendar.cached()
    days = workcalendar.days_from(date(year, 1, 1), date(year, 12, 31))
    return render(
        request,
        "core/work_calendar.html",
        {
            "year": year,
            "years": list(range(today.year + 1, FIRST_YEAR - 1, -1)),
            "days": days,
            "kinds": CalendarDay.Kind.choices,
            "can_change": workcalendar.may_change(request.user),
            "covered": year in state.covered_years,
            "missing": workcalendar.missing_coming_year(today, state.covered_years),
            "holidays": sum(1 for d in days if d.kind == CalendarDay.Kind.HOLIDAY),
            "workdays": sum(1 for d in days if d.kind == CalendarDay.Kind.WORKDAY),
        },
    )
