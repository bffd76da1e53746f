"""Demo service centre: halls A and B, 10 windows with staff, a realistic catalogue, five past
working days of tickets with realistic times, today's morning so far, cases and ratings.

Deterministic (fixed seed) and idempotent (the app's data is deleted first).
"""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from linli.core import audit
from linli.core.context import Actor
from linli.core.models import User
from linli.core.roles import Role
from linli.geo import demo as geo_demo

from . import rules, services
from .models import (
    Case,
    Hall,
    Item,
    Queue,
    QueueCounter,
    Rating,
    Slot,
    Ticket,
    TicketEvent,
    Window,
)

SEED = 20260
DEMO_PASSWORD = "linli-demo-2026"
BASIS_SOCIAL = "《上海市社区事务受理服务中心管理办法》"
ID = "居民身份证"
HUKOU = "户口簿"

# code, name, aliases, category, queue prefix, channels (window, self, online, citywide),
# promised working days, fee, materials, legal basis
CATALOGUE: list[tuple[str, str, str, str, str, str, int, str, list[tuple[str, list[str]]], str]] = [
    ("SB001", "城乡居民基本医疗保险参保登记", "居保,医保参保", "医疗保险", "A", "W-OC", 0, "不收费",
     [("本人办理", [ID, HUKOU]), ("代办", [ID, "代办人身份证", "委托书"])], "《上海市城乡居民基本医疗保险办法》"),
    ("SB002", "社会保障卡申领", "社保卡,医保卡", "社会保障", "A", "WSOC", 10, "不收费",
     [("首次申领", [ID, "近期免冠照片"]), ("补换卡", [ID])], "《社会保障卡管理办法》"),
    ("SB003", "社会保障卡挂失", "社保卡挂失", "社会保障", "A", "WSOC", 0, "不收费",
     [("本人办理", [ID])], "《社会保障卡管理办法》"),
    ("SB004", "医保关系转移接续", "医保转移", "医疗保险", "A", "W-O-", 15, "不收费",
     [("转入", [ID, "参保凭证"])], "《流动就业人员基本医疗保障关系转移接续暂行办法》"),
    ("SB005", "灵活就业人员社保缴费登记", "灵活就业", "社会保障", "A", "W-O-", 0, "不收费",
     [("本人办理", [ID, HUKOU])], "《社会保险法》"),
    ("SB006", "个人参保证明打印", "参保证明,社保证明", "社会保障", "A", "WSOC", 0, "不收费",
     [("本人办理", [ID])], "《社会保险法》"),
    ("JY001", "失业登记", "失业证", "就业", "A", "W-OC", 0, "不收费",
     [("本人办理", [ID, "劳动合同解除证明"])], "《就业促进法》"),
    ("JY002", "就业登记", "", "就业", "A", "W-O-", 0, "不收费",
     [("本人办理", [ID, "劳动合同"])], "《就业服务与就业管理规定》"),
    ("JY003", "就业困难人员认定", "困难就业", "就业", "A", "W-O-", 10, "不收费",
     [("本人办理", [ID, HUKOU, "失业登记证明"])], "《上海市就业困难人员认定办法》"),
    ("LN001", "老年综合津贴申请", "老年津贴,高龄津贴", "老龄", "A", "W-OC", 15, "不收费",
     [("本人办理", [ID, HUKOU, "银行账户"]), ("代办", [ID, "代办人身份证"])], "《上海市老年综合津贴暂行办法》"),
    ("LN002", "敬老卡申领", "老年卡", "老龄", "A", "W-OC", 20, "不收费",
     [("本人办理", [ID, "近期免冠照片"])], "《上海市老年人权益保障条例》"),
    ("LN003", "长期护理保险需求评估申请", "长护险,护理评估", "老龄", "A", "W-O-", 20, "不收费",
     [("本人办理", [ID, "社会保障卡"]), ("代办", [ID, "代办人身份证", "委托书"])], "《上海市长期护理保险试点办法》"),
    ("LN004", "居家养老服务补贴申请", "养老补贴", "老龄", "A", "W---", 20, "不收费",
     [("本人办理", [ID, HUKOU, "收入证明"])], "《上海市老年人权益保障条例》"),
    ("LN005", "养老服务机构入住评估", "养老院入住", "老龄", "A", "W---", 20, "不收费",
     [("本人办理", [ID, "社会保障卡"])], "《上海市养老服务条例》"),
    ("JZ001", "最低生活保障申请", "低保", "社会救助", "A", "W---", 30, "不收费",
     [("本人办理", [ID, HUKOU, "家庭收入和财产声明", "核对授权书"])], "《社会救助暂行办法》"),
    ("JZ002", "临时救助申请", "临时困难", "社会救助", "A", "W---", 10, "不收费",
     [("本人办理", [ID, "困难情况说明"])], "《社会救助暂行办法》"),
    ("JZ003", "医疗救助申请", "大病救助", "社会救助", "A", "W---", 20, "不收费",
     [("本人办理", [ID, "医疗费用票据", "出院小结"])], "《社会救助暂行办法》"),
    ("JZ004", "支出型贫困家庭生活救助", "支出型贫困", "社会救助", "A", "W---", 30, "不收费",
     [("本人办理", [ID, HUKOU, "支出凭证"])], "《上海市社会救助条例》"),
    ("CJ001", "残疾人证新办", "残疾证", "残疾人服务", "A", "W-OC", 30, "不收费",
     [("本人办理", [ID, HUKOU, "近期免冠照片"])], "《中华人民共和国残疾人证管理办法》"),
    ("CJ002", "残疾人证换领", "残疾证换证", "残疾人服务", "A", "W-OC", 20, "不收费",
     [("本人办理", [ID, "原残疾人证"])], "《中华人民共和国残疾人证管理办法》"),
    ("CJ003", "重度残疾人护理补贴", "护理补贴", "残疾人服务", "A", "W---", 20, "不收费",
     [("本人办理", [ID, "残疾人证"])], "《关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》"),
    ("JS001", "生育登记", "生育服务登记,准生证", "卫生健康", "A", "WSOC", 0, "不收费",
     [("夫妻一方办理", [ID, "结婚证"])], "《上海市人口与计划生育条例》"),
    ("JS002", "生育医疗费用补贴申领", "生育补贴", "医疗保险", "A", "W-OC", 15, "不收费",
     [("本人办理", [ID, "出生医学证明", "社会保障卡"])], "《上海市城镇生育保险办法》"),
    ("JS003", "独生子女父母奖励费申领", "独生子女费", "卫生健康", "A", "W-O-", 20, "不收费",
     [("本人办理", [ID, "独生子女父母光荣证"])], "《上海市人口与计划生育条例》"),
    ("JS004", "计划生育家庭特别扶助", "特扶", "卫生健康", "A", "W---", 30, "不收费",
     [("本人办理", [ID, HUKOU, "子女死亡或伤残证明"])], "《全国农村部分计划生育家庭奖励扶助制度》"),
    ("MZ001", "丧葬补助金申领", "丧葬费", "民政", "A", "W-OC", 10, "不收费",
     [("家属办理", ["死亡证明", "申领人身份证", "亲属关系证明"])], "《社会保险法》"),
    ("MZ002", "退役军人优待证申领", "优待证", "退役军人服务", "A", "W-O-", 30, "不收费",
     [("本人办理", [ID, "退役证件", "近期免冠照片"])], "《退役军人保障法》"),
    ("MZ003", "居民经济状况核对授权", "家庭经济核对", "民政", "A", "WS--", 0, "不收费",
     [("本人办理", [ID])], "《上海市居民经济状况核对办法》"),
    ("GA001", "居住证办理", "居住登记,积分", "公安户政", "B", "W-OC", 15, "不收费",
     [("首次办理", [ID, "居住登记凭证", "劳动合同或营业执照"])], "《上海市居住证管理办法》"),
    ("GA002", "居住证签注", "居住证续签", "公安户政", "B", "WSOC", 0, "不收费",
     [("本人办理", [ID, "居住证"])], "《上海市居住证管理办法》"),
    ("GA003", "居民身份证换领", "身份证到期,换证", "公安户政", "B", "W-OC", 20, "20元",
     [("本人办理", [ID, HUKOU])], "《居民身份证法》"),
    ("GA004", "临时居民身份证申领", "临时身份证", "公安户政", "B", "W---", 0, "10元",
     [("本人办理", [HUKOU])], "《临时居民身份证管理办法》"),
    ("GA005", "出生登记（报户口）", "报户口,新生儿落户", "公安户政", "B", "W-OC", 0, "不收费",
     [("父母办理", ["出生医学证明", "父母身份证", HUKOU, "结婚证"])], "《户口登记条例》"),
    ("GA006", "户口迁移（市内）", "迁户口", "公安户政", "B", "W-O-", 10, "不收费",
     [("本人办理", [ID, HUKOU, "房屋产权证明"])], "《户口登记条例》"),
    ("SW001", "代开增值税普通发票", "代开发票,发票", "税务", "C", "WSO-", 0, "按税额",
     [("本人办理", [ID, "合同或协议"])], "《发票管理办法》"),
    ("SW002", "个人所得税纳税记录开具", "完税证明,个税证明", "税务", "C", "WSOC", 0, "不收费",
     [("本人办理", [ID])], "《税收征收管理法》"),
    ("SW003", "个人房屋出租税款申报", "房租税", "税务", "C", "W-O-", 0, "按税额",
     [("本人办理", [ID, "租赁合同", "房屋产权证明"])], "《税收征收管理法》"),
    ("QY001", "个体工商户设立登记", "个体户,营业执照", "企业服务", "C", "W-O-", 3, "不收费",
     [("本人办理", [ID, "经营场所证明"])], "《促进个体工商户发展条例》"),
    ("QY002", "个体工商户变更登记", "营业执照变更", "企业服务", "C", "W-O-", 3, "不收费",
     [("本人办理", [ID, "营业执照"])], "《促进个体工商户发展条例》"),
    ("QY003", "个体工商户注销登记", "注销", "企业服务", "C", "W-O-", 3, "不收费",
     [("本人办理", [ID, "营业执照", "清税证明"])], "《促进个体工商户发展条例》"),
    ("ZF001", "公共租赁住房申请", "公租房", "住房保障", "D", "W-O-", 30, "不收费",
     [("本人办理", [ID, HUKOU, "劳动合同", "住房情况声明"])], "《上海市发展公共租赁住房的实施意见》"),
    ("ZF002", "廉租住房申请", "廉租房", "住房保障", "D", "W---", 30, "不收费",
     [("本人办理", [ID, HUKOU, "家庭收入证明", "住房情况证明"])], "《上海市廉租住房试行办法》"),
    ("ZF003", "共有产权保障住房资格申请", "共有产权房,经适房", "住房保障", "D", "W---", 30, "不收费",
     [("本人办理", [ID, HUKOU, "婚姻状况证明", "收入证明"])], "《上海市共有产权保障住房管理办法》"),
    ("ZF004", "廉租住房租金补贴年审", "租金补贴", "住房保障", "D", "W---", 20, "不收费",
     [("本人办理", [ID, "租赁合同"])], "《上海市廉租住房试行办法》"),
    ("FL001", "法律援助申请", "法援,免费律师", "法律服务", "D", "W-OC", 7, "不收费",
     [("本人办理", [ID, "经济困难证明", "案件材料"])], "《法律援助法》"),
    ("FL002", "人民调解申请", "调解,纠纷", "法律服务", "D", "W---", 30, "不收费",
     [("当事人办理", [ID, "纠纷情况说明"])], "《人民调解法》"),
    ("FL003", "公共法律服务咨询", "法律咨询", "法律服务", "D", "W-O-", 0, "不收费",
     [("本人办理", [ID])], "《关于加快推进公共法律服务体系建设的意见》"),
]  # fmt: skip

QUEUES = [
    ("A", "A", "综合业务受理", 12.0, False),
    ("B", "B", "公安户政", 14.0, False),
    ("C", "B", "税务与企业服务", 15.0, False),
    ("D", "B", "住房保障与法律服务", 18.0, False),
    ("Y", "A", "预约", 12.0, False),
    ("Z", "A", "中台", 20.0, True),
]
# window number → hall, skills (a chain of two skills per window keeps most of the pooling gain;
# a window takes only its own hall's queues)
WINDOWS = {
    1: ("A", "AY"), 2: ("A", "AY"), 3: ("A", "A"), 4: ("A", "A"), 5: ("A", "A"), 6: ("A", "AY"),
    7: ("B", "B"), 8: ("B", "BC"), 9: ("B", "CD"), 10: ("B", "DB"),
}  # fmt: skip
CLERKS = [
    (f"clerk{n:02d}", name)
    for n, name in zip(
        range(2, 11),
        ["王芳", "李静", "张伟", "刘洋", "陈敏", "杨帆", "赵磊", "黄丽", "周强"],
        strict=True,
    )
]
ARRIVALS = [40, 52, 45, 24, 30, 42, 34, 20]  # per hour, 9:00–17:00, the whole centre


def _aware(day: date, minutes: float) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0)) + timedelta(minutes=minutes))


def _working_days_back(today: date, n: int) -> list[date]:
    days: list[date] = []
    day = today
    calendar = services.work_calendar()
    while len(days) < n:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            days.append(day)
    return sorted(days)


def _staff() -> list[User]:
    out = []
    window_user = User.objects.filter(username="window").first()
    if window_user is not None:
        out.append(window_user)
    for username, name in CLERKS:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role = Role.WINDOW_CLERK
        user.display_name = name
        geo_demo.assign_street(user, geo_demo.home_street())
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        out.append(user)
    return out


def _appointments(rng: random.Random, today: date, items: list[Item]) -> tuple[int, int]:
    """Slots for six popular items over the next five working days; some booked."""
    from .models import Appointment

    days: list[date] = []
    calendar = services.work_calendar()
    day = today
    while len(days) < 5:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            days.append(day)
    popular = [i for i in items if i.code in {"SB002", "LN001", "GA001", "GA003", "ZF001", "JZ001"}]
    slots = Slot.objects.bulk_create(
        Slot(item=i, day=d, starts_at=time(h, 0), capacity=4, walk_in_reserve=1)
        for i in popular for d in days for h in (9, 10, 14, 15)
    )  # fmt: skip
    booked = []
    for n, slot in enumerate(slots):
        for k in range(rng.randint(0, slot.bookable)):
            booked.append(
                Appointment(
                    slot=slot,
                    code=f"D{n:04d}{k}",
                    id_hash=services.id_hash(f"demo-appt-{n}-{k}"),
                    status=Appointment.Status.BOOKED,
                    booked_at=timezone.now(),
                )
            )
    Appointment.objects.bulk_create(booked)
    return len(slots), len(booked)


def _lockers(rng: random.Random, hall: Hall) -> tuple[int, int]:
    """20 compartments; results of recently completed cases waiting in some of them."""
    from .models import Locker, Pickup

    lockers = Locker.objects.bulk_create(Locker(hall=hall, number=n) for n in range(1, 21))
    done = list(
        Case.objects.filter(status=rules.CaseStatus.COMPLETED)
        .exclude(id_hash="")
        .order_by("-closed_on", "pk")[:12]
    )
    now = timezone.now()
    pickups = []
    for locker, case in zip(rng.sample(lockers, len(done)), done, strict=True):
        at = now - timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 8))
        pickups.append(
            Pickup(
                case=case,
                locker=locker,
                code=f"{rng.randrange(1_000_000):06d}",
                status=Pickup.Status.WAITING,
                deposited_at=at,
                expires_at=at + timedelta(days=7),
            )
        )
    Pickup.objects.bulk_create(pickups)
    services.do_sweep_lockers(now)
    return len(lockers), len(pickups)


def wipe() -> None:
    """Remove the centre's demo data (``linli demo`` calls it before rebuilding the street)."""
    _delete()
    services.config_changed()


def _delete() -> None:
    from .models import Appointment, Locker, Pickup

    Pickup.objects.all().delete()
    Locker.objects.all().delete()
    Appointment.objects.all().delete()
    Slot.objects.all().delete()
    Rating.objects.all().delete()
    Case.objects.all().delete()
    TicketEvent.objects.all().delete()
    Ticket.objects.filter(parent__isnull=False).delete()
    Ticket.objects.all().delete()
    QueueCounter.objects.all().delete()
    Window.objects.all().delete()
    Item.objects.all().delete()
    Queue.objects.all().delete()
    Hall.objects.all().delete()


def build() -> dict[str, int]:
    rng = random.Random(SEED)
    with transaction.atomic():
        _delete()
        # Halls and queues are replaced; holidays come from the street calendar (core).
        services.config_changed()
        street = geo_demo.home_street()
        halls = {
            "A": Hall.objects.create(code="A", name="A厅 综合业务受理", subdistrict=street),
            "B": Hall.objects.create(code="B", name="B厅 专业服务", subdistrict=street),
        }
        queues = {
            prefix: Queue.objects.create(
                hall=halls[hall],
                prefix=prefix,
                name=name,
                mean_service_minutes=mean,
                is_backoffice=back,
                sort=i,
            )
            for i, (prefix, hall, name, mean, back) in enumerate(QUEUES)
        }
        items = []
        for code, name, aliases, category, prefix, ch, days, fee, materials, basis in CATALOGUE:
            queue = queues[prefix]
            items.append(
                Item(
                    code=code,
                    name=name,
                    aliases=aliases,
                    category=category,
                    hall=queue.hall,
                    queue=queue,
                    channel_window=ch[0] == "W",
                    channel_self_service=ch[1] == "S",
                    channel_online=ch[2] == "O",
                    channel_citywide=ch[3] == "C",
                    promised_days=days,
                    fee=fee,
                    legal_basis=basis,
                    pinyin=services.pinyin_initials(name, aliases),
                    materials=[{"situation": s, "materials": m} for s, m in materials],
                )
            )
        items = Item.objects.bulk_create(items)
        staff = _staff()
        windows = {}
        for number, (hall, skills) in WINDOWS.items():
            window = Window.objects.create(
                hall=halls[hall],
                number=number,
                clerk=staff[number - 1] if number <= len(staff) else None,
            )
            window.skills.set([queues[s] for s in skills])
            windows[number] = window
        now = timezone.localtime()
        today = now.date()
        past_days = _working_days_back(today, 5)
        counts = {"tickets": 0, "cases": 0, "ratings": 0}
        for day in past_days:
            _simulate_day(rng, day, None, queues, items, windows, counts)
        if services.work_calendar().is_working_day(today):
            minute_now = now.hour * 60 + now.minute
            cutoff = min(max(minute_now, 10 * 60 + 30), 17 * 60)
            _simulate_day(rng, today, cutoff, queues, items, windows, counts)
        counts["slots"], counts["appointments"] = _appointments(rng, today, items)
        counts["lockers"], counts["pickups"] = _lockers(rng, halls["A"])
        counts.update(
            {"halls": 2, "queues": len(queues), "windows": len(windows), "items": len(items),
             "items_online": sum(1 for i in items if i.channel_online),
             "items_citywide": sum(1 for i in items if i.channel_citywide),
             "items_self_service": sum(1 for i in items if i.channel_self_service)}
        )  # fmt: skip
        audit.record(Actor.system("linli demo"), "demo.build", object_type="hall", details=counts)
    return counts


def _simulate_day(
    rng: random.Random,
    day: date,
    cutoff: float | None,
    queues: dict[str, Queue],
    items: list[Item],
    windows: dict[int, Window],
    counts: dict[str, int],
) -> None:
    """Arrivals 9:00–17:00; each ticket goes to the skilled window free first (FIFO).

    With ``cutoff`` (minutes after midnight, today) only what has happened by then is kept:
    later calls are left waiting, windows mid-service stay serving.
    """
    weights = [5 if i.queue.prefix == "A" else 3 for i in items]
    arrivals: list[tuple[float, Item]] = []
    for h, rate in enumerate(ARRIVALS):
        clock = (9 + h) * 60.0
        end = clock + 60
        while True:
            clock += rng.expovariate(rate / 60)
            if clock >= end:
                break
            arrivals.append((clock, rng.choices(items, weights)[0]))
    free = dict.fromkeys(windows, 9 * 60.0)
    skills = {n: {q.prefix for q in w.skills.all()} for n, w in windows.items()}
    seqs: dict[str, int] = {}
    tickets: list[Ticket] = []
    events: list[
        tuple[int, str, float, int | None, str, str]
    ] = []  # idx, action, at, window, from, to
    extra: list[dict[str, object]] = []
    for at, item in arrivals:
        if cutoff is not None and at > cutoff:
            break
        prefix = item.queue.prefix
        seqs[prefix] = seqs.get(prefix, 0) + 1
        age = rng.choice([25, 32, 38, 45, 52, 58, 63, 67, 71, 76, 82, 66, 61, 70])
        swiped = rng.random() < 0.85
        band = f"{age // 10 * 10}-{age // 10 * 10 + 9}" if swiped else ""
        priority = rules.priority_class(age if swiped else None)
        candidates = [n for n in windows if prefix in skills[n]]
        n = min(candidates, key=lambda k: (free[k], k))
        called = max(at, free[n]) + rng.uniform(0.1, 0.6)
        start_at = called + rng.uniform(0.3, 1.2)
        service = rng.lognormvariate(0, 0.5) * item.queue.mean_service_minutes * 0.88
        end_at = start_at + service
        fate = rng.random()
        state = "done"
        if fate < 0.03:
            state = "no_show"
            end_at = called + 2
        elif fate < 0.06 and (cutoff is None or end_at + 30 < cutoff):
            state = "escalated_returned"
        elif fate < 0.08:
            state = "transferred"
        idx = len(tickets)
        t = Ticket(
            queue=item.queue, day=day, seq=seqs[prefix],
            number=rules.format_ticket_number(prefix, seqs[prefix]),
            token=secrets.token_urlsafe(12), item=item,
            source=Ticket.Source.ID_CARD if swiped else Ticket.Source.ANONYMOUS,
            state="done", priority=priority, age_band=band,
            id_hash=services.id_hash(f"demo-{day}-{idx}") if swiped else "",
            issued_at=_aware(day, at),
        )  # fmt: skip
        if cutoff is not None and called > cutoff:
            t.state = "waiting"
            tickets.append(t)
            continue
        free[n] = end_at
        t.window_id = windows[n].pk
        t.clerk_id = windows[n].clerk_id
        t.first_called_at = t.called_at = _aware(day, called)
        events.append((idx, "call", called, n, "waiting", "called"))
        if state == "no_show":
            t.recalls = 2
            t.state = "no_show"
            t.ended_at = _aware(day, end_at)
            events.append((idx, "recall", called + 0.7, n, "called", "called"))
            events.append((idx, "recall", called + 1.4, n, "called", "called"))
            events.append((idx, "no_show", end_at, n, "called", "no_show"))
            tickets.append(t)
            continue
        if cutoff is not None and start_at > cutoff:
            t.state = "called"
            tickets.append(t)
            continue
        t.started_at = _aware(day, start_at)
        events.append((idx, "start", start_at, n, "called", "serving"))
        if cutoff is not None and end_at > cutoff:
            t.state = "serving"
            tickets.append(t)
            continue
        t.ended_at = _aware(day, end_at)
        if state == "escalated_returned":
            t.escalation_reason = rng.choice(["材料需中台核对", "系统权限不足", "政策适用需确认"])
            t.backoffice_note = "已核对，请前台继续办理"
            events.append((idx, "escalate", end_at, n, "serving", "escalated"))
            events.append((idx, "return", end_at + 15, None, "escalated", "returned"))
            events.append((idx, "call", end_at + 16, n, "returned", "called"))
            events.append((idx, "start", end_at + 17, n, "called", "serving"))
            events.append((idx, "finish", end_at + 25, n, "serving", "done"))
            t.ended_at = _aware(day, end_at + 25)
            t.started_at = _aware(day, end_at + 17)
            free[n] = max(free[n], end_at + 25)
        elif state == "transferred":
            t.state = "transferred"
            events.append((idx, "transfer", end_at, n, "serving", "transferred"))
            tickets.append(t)
            continue
        else:
            events.append((idx, "finish", end_at, n, "serving", "done"))
        t.state = "done"
        tickets.append(t)
        extra.append({"idx": idx, "end": end_at})
    created = Ticket.objects.bulk_create(tickets)
    for prefix, n in seqs.items():
        QueueCounter.objects.create(queue=queues[prefix], day=day, n=n)
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket=created[idx],
            at=_aware(day, at),
            action=action,
            from_state=a,
            to_state=b,
            window=windows[n] if n else None,
            actor_id=windows[n].clerk_id if n else None,
        )
        for idx, action, at, n, a, b in events
    )
    counts["tickets"] += len(created)
    calendar = services.work_calendar()
    today = timezone.localdate()
    cases: list[Case] = []
    ratings: list[Rating] = []
    for e in extra:
        done = created[int(str(e["idx"]))]
        done_item = done.item
        assert done_item is not None
        if done_item.promised_days and rng.random() < 0.6:
            due = rules.case_due_date(day, done_item.promised_days, calendar)
            status = rules.CaseStatus.ACCEPTED
            closed = None
            if due < today and rng.random() < 0.9:
                status, closed = rules.CaseStatus.COMPLETED, due - timedelta(days=rng.randint(0, 3))
            elif rng.random() < 0.5:
                status = rules.CaseStatus.IN_PROGRESS
            cases.append(
                Case(
                    number=f"{day:%Y%m%d}{len(cases) + 1:04d}",
                    item=done_item,
                    ticket=done,
                    id_hash=done.id_hash,
                    status=status,
                    accepted_on=day,
                    due_on=due,
                    closed_on=closed,
                    window_id=done.window_id,
                    clerk_id=done.clerk_id,
                    citywide=done_item.channel_citywide and rng.random() < 0.3,
                )
            )
        if rng.random() < 0.35:
            stars = rng.choices([5, 4, 3, 2, 1], [70, 18, 7, 3, 2])[0]
            rated_at = _aware(day, float(str(e["end"])) + 2)
            ratings.append(
                Rating(
                    ticket=done,
                    stars=stars,
                    window_id=done.window_id,
                    clerk_id=done.clerk_id,
                    item=done_item,
                    at=rated_at,
                    comment="" if stars > 2 else rng.choice(["等候时间太长", "材料说明不清楚"]),
                    follow_up_due=rules.case_due_date(day, 3, calendar) if stars <= 2 else None,
                    follow_up_done_at=rated_at + timedelta(days=1)
                    if stars <= 2 and day < today - timedelta(days=2)
                    else None,
                    follow_up_note="已回访并说明"
                    if stars <= 2 and day < today - timedelta(days=2)
                    else "",
                )
            )
    Case.objects.bulk_create(cases)
    Rating.objects.bulk_create(ratings)
    counts["cases"] += len(cases)
    counts["ratings"] += len(ratings)
