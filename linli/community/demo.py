"""Demo data of the party-mass service network and community life (the article's fifth system).

The network of the article (高邮路7号 centre, the culture centre, the party school at 新乐路70弄,
stations and points), menus in the three families, a month of evening-hour events around today
with sign-ups and attendance, the two volunteer teams with hours, the 梧桐汇艺 alliance (13
units, 7 schools, the first batch of projects) and the practical projects the article names.

Deterministic: one seed, and dates relative to the day the demo is built (the calendar must
show what is coming). Phones are fictitious (139 0000 xxxx) and stored like real ones.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.core import crypto
from linli.core.context import Actor
from linli.core.identity import check_character, mask_phone
from linli.core.models import Organisation, User
from linli.core.roles import Department, Role
from linli.geo import demo as geo_demo
from linli.geo.demo import DEMO_PASSWORD
from linli.geo.models import Area, Committee, Subdistrict

from . import rules, services
from .models import (
    AllianceMember,
    AllianceOrder,
    AllianceProject,
    Certificate,
    Contribution,
    Correction,
    Event,
    HourRecord,
    LaneDecision,
    MenuItem,
    Milestone,
    Position,
    PositionStaff,
    PracticalProject,
    Series,
    ServiceOrder,
    Shift,
    Signup,
    Space,
    SpaceSlot,
    TeamMember,
    Volunteer,
    VolunteerTeam,
    Wish,
)
from .services._common import _local

SEED = 20210729  # the day the centre at 高邮路7号 opened

ACCOUNTS = [
    # username, display name, role, department, organisation
    ("dangqun", "党群办 钱晓岚", Role.STREET_STAFF, Department.PARTY_MASS, None),
    ("school", "高安路第一小学 顾老师", Role.PARTNER, None, "高安路第一小学"),
    ("arts", "上海交响乐团 教育部 沈老师", Role.PARTNER, None, "上海交响乐团"),
]

UNITS = [
    "徐汇区图书馆", "衡复风貌馆", "永乐股份", "上海交响乐团", "上海话剧艺术中心", "上海歌剧院",
    "上海京剧院", "上海越剧院", "徐汇区文化馆", "巴金故居", "柯灵故居", "张乐平故居",
    "上海音乐学院附属中等音乐专科学校",
]  # fmt: skip
SCHOOLS = [
    "高安路第一小学", "五原路小学", "建襄小学", "复兴中路小学", "湖南路中学", "乌鲁木齐中路中学",
    "衡山路实验幼儿园",
]  # fmt: skip
# (unit, category, title, grades, capacity)
PROJECTS = [
    ("徐汇区图书馆", "reading", "读书品画：衡复街区的老建筑", "3–6年级", 40),
    ("巴金故居", "reading", "读书品画：走进巴金的《家》", "初中", 30),
    ("永乐股份", "listening", "赏音观影：老电影里的上海", "4–9年级", 60),
    ("上海话剧艺术中心", "stage_talk", "对话舞台：和演员聊一部戏", "初中", 40),
    ("张乐平故居", "child_play", "体验儿戏：跟着三毛画漫画", "1–3年级", 30),
    ("上海歌剧院", "theatre_visit", "走进剧院：歌剧院后台开放日", "4–9年级", 45),
    ("上海京剧院", "drama", "穿越戏剧：京剧脸谱与身段", "3–6年级", 35),
    ("上海越剧院", "drama", "穿越戏剧：越剧小课堂", "3–6年级", 35),
    ("上海交响乐团", "master", "大师说乐：走近交响乐", "3–9年级", 60),
    ("上海音乐学院附属中等音乐专科学校", "master", "大师说乐：江南丝竹入门", "4–9年级", 30),
]

EVENING_TOPICS = {
    "徐汇区图书馆": ["衡复街区阅读分享会", "老上海地图里的街巷", "绘本亲子共读"],
    "衡复风貌馆": ["百年建筑百年故事", "武康大楼的修缮", "梧桐沐影：电影与建筑"],
    "永乐股份": ["老电影放映与导赏", "海派音乐沙龙", "歌剧沙龙：咏叹调欣赏"],
}

FIRST_NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡"
GIVEN = "秀英桂兰建国玉珍志明海燕德华宝珍美玲雪梅爱华春花国强金凤荣根家豪思远欣怡浩然"


def _name(rng: random.Random) -> str:
    i = rng.randrange(0, len(GIVEN) - 1, 2)
    return FIRST_NAMES[rng.randrange(len(FIRST_NAMES))] + GIVEN[i : i + 2]


# The volunteer page's demo log-in: this code and the phone tail 9100 (the leader of 建筑可阅读).
DEMO_VOLUNTEER_CODE = "DEMV-2345"


def _phone(n: int) -> str:
    return f"1390000{n:04d}"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def wipe() -> None:
    """Remove the community demo data (run before the demo street is rebuilt)."""
    for model in (
        Certificate, Correction, HourRecord, Shift, TeamMember, SpaceSlot, Signup, Event, Series,
        Wish, LaneDecision, Contribution, Milestone, PracticalProject, AllianceOrder,
        AllianceProject, AllianceMember,
    ):  # fmt: skip
        model.objects.all().delete()
    ServiceOrder.objects.all().delete()
    VolunteerTeam.objects.update(leader=None)
    VolunteerTeam.objects.all().delete()
    Volunteer.objects.all().delete()
    MenuItem.objects.all().delete()
    PositionStaff.objects.all().delete()
    Space.objects.all().delete()
    while Position.objects.exists():  # children before parents (PROTECT)
        Position.objects.filter(children__isnull=True).delete()


def _accounts() -> dict[str, User]:
    out = {}
    for username, display, role, department, org_name in ACCOUNTS:
        org = None
        if org_name:
            kind = Organisation.Kind.SCHOOL if org_name in SCHOOLS else Organisation.Kind.CULTURAL
            org, _c = Organisation.objects.update_or_create(name=org_name, defaults={"kind": kind})
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.display_name = role, display
        user.department = department or ""
        user.organisation = org
        user.committee = None
        geo_demo.assign_street(user, geo_demo.home_street())
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        out[username] = user
    return out


def _network(committees: dict[str, Committee]) -> dict[str, Position]:
    p: dict[str, Position] = {}

    def add(key: str, **kw: object) -> Position:
        p[key] = Position.objects.create(subdistrict=geo_demo.home_street(), **kw)
        return p[key]

    add("centre", kind="centre", name="湖南街道社区党群服务中心", address="高邮路7号", map_x=90,
        map_y=20, hours="周一至周日 9:00–20:00（晚间一小时 18:30–19:30）", contact="钱晓岚",
        contact_phone="021-6431 0000", sort=1, committee=committees.get("高邮"),
        description="多中心融合、全方位服务：党员教育、理论宣讲、志愿服务、营商服务、便民服务、文化阅读、亲子互动。")  # fmt: skip
    add("culture", kind="culture", name="湖南街道文化活动中心", address="东湖路（示意地址）",
        map_x=50, map_y=55, hours="周二至周日 9:00–21:00", contact="文化中心值班室",
        contact_phone="021-6431 0001", sort=2)  # fmt: skip
    add("school", kind="party_school", name="湖南街道社区党校", address="新乐路70弄", map_x=10,
        map_y=40, hours="周一至周五 9:00–17:00", contact="党校办公室",
        contact_phone="021-6431 0002", sort=3, committee=committees.get("新乐"),
        description="全市第一家实体化社区党校。")  # fmt: skip
    stations = [
        ("陕新", "陕新居民区党群服务站", "陕西南路（示意）", 6, 12),
        ("新乐", "新乐居民区党群服务站（邻里小汇）", "新乐路（示意）", 6, 30),
        ("武康", "武康居民区党群服务站", "武康路（示意）", 72, 12),
        ("乌中", "乌中居民区党群服务站", "乌鲁木齐中路（示意）", 50, 12),
        ("长乐", "长乐居民区党群服务站", "长乐路（示意）", 28, 12),
    ]
    for i, (committee, name, address, x, y) in enumerate(stations):
        add(f"st{i}", kind="residential_station", name=name, address=address, map_x=x, map_y=y,
            parent=p["centre"], committee=committees.get(committee), hours="周一至周五 8:30–17:00",
            sort=10 + i)  # fmt: skip
    add("tower", kind="building_station", name="衡山坊楼宇党群服务站", address="衡山路（示意）",
        map_x=80, map_y=70, parent=p["centre"], hours="工作日 9:00–18:00", sort=20)  # fmt: skip
    points = [
        ("徐汇区图书馆党群服务点", "南丹东路（示意）", 60, 85, "culture"),
        ("衡复风貌馆党群服务点", "复兴西路（示意）", 70, 45, "culture"),
        ("两网融合梧桐资源空间", "新乐路（示意）", 14, 22, "school"),
        ("新路老年用餐点服务点", "新乐路（示意）", 16, 34, "school"),
    ]
    for i, (name, address, x, y, parent) in enumerate(points):
        add(f"pt{i}", kind="point", name=name, address=address, map_x=x, map_y=y,
            parent=p[parent], sort=30 + i)  # fmt: skip
    PositionStaff.objects.bulk_create(
        [
            PositionStaff(position=p["centre"], name="钱晓岚", duties="党员教育、理论宣讲、活动统筹"),
            PositionStaff(position=p["centre"], name="蒋文", duties="一网通办咨询、便民服务、场地预约"),
            PositionStaff(position=p["centre"], name="曹丽萍", duties="志愿服务、晚间一小时、宣传展示屏"),
            PositionStaff(position=p["school"], name="袁建华", duties="党课、组织生活、社区规划师对接"),
            PositionStaff(position=p["st1"], name="新乐居委 李静", duties="邻里小汇、居民议事、老年助餐"),
        ]
    )  # fmt: skip
    return p


def _spaces(p: dict[str, Position]) -> dict[str, Space]:
    rows = [
        ("hall", "centre", "多功能厅", 60, "音响、投影、舞蹈把杆、瑜伽垫", True),
        ("edu", "centre", "党员教育室", 30, "投影、党建书架", True),
        ("talk", "centre", "理论宣讲厅", 40, "讲台、音响", True),
        ("volunteer", "centre", "志愿服务站", 12, "志愿者签到屏", True),
        ("business", "centre", "营商洽谈区", 10, "洽谈桌", True),
        ("reading", "centre", "文化阅读区", 20, "图书 3000 册", False),
        ("kids", "centre", "亲子互动区", 16, "绘本、积木", True),
        ("island", "centre", "一网通办功能岛", 4, "自助终端", False),
        ("gallery", "centre", "风貌展示厅", 30, "3D 打印武康大楼模型", False),
        ("theatre", "culture", "小剧场", 120, "舞台、灯光", True),
        ("classroom", "school", "党校教室", 50, "投影、录播", True),
        ("living", "st1", "邻里小汇·客厅", 15, "茶水、沙发", True),
        ("library", "st1", "邻里小汇·图书馆", 12, "图书", True),
    ]
    return {
        key: Space.objects.create(
            position=p[pos], name=name, capacity=cap, equipment=eq, bookable=bookable
        )
        for key, pos, name, cap, eq, bookable in rows
    }


def _menus(p: dict[str, Position]) -> list[MenuItem]:
    rows = [
        (
            "centre",
            "party_mass",
            "精品党课",
            "党员、入党积极分子",
            40,
            90,
            "order",
            "社区党校讲师团",
        ),
        ("centre", "party_mass", "理论宣讲进楼宇", "楼宇党员、职工", 30, 60, "order", "理论宣讲团"),
        (
            "centre",
            "party_mass",
            "党员组织生活场地",
            "居民区、两新党组织",
            30,
            120,
            "appointment",
            "",
        ),
        ("centre", "civilisation", "志愿服务项目对接", "居民、单位", 20, 60, "order", "志愿服务站"),
        ("centre", "civilisation", "文明宣传进社区", "居民", 50, 60, "order", ""),
        ("centre", "civilisation", "崇德修身讲堂", "居民", 40, 60, "appointment", ""),
        ("centre", "civilisation", "一网通办帮办", "老年居民", 1, 30, "walk_in", "全岗通工作人员"),
        (
            "centre",
            "culture",
            "晚间一小时",
            "居民、游客",
            40,
            60,
            "appointment",
            "徐汇区图书馆、衡复风貌馆、永乐股份",
        ),
        (
            "centre",
            "culture",
            "风貌展示厅讲解",
            "居民、游客、学生",
            30,
            45,
            "appointment",
            "建筑可阅读志愿者",
        ),
        ("centre", "culture", "红色人行走", "党员、学生", 25, 120, "order", "建筑可阅读志愿者"),
        ("culture", "culture", "江南丝竹公开课", "居民", 40, 90, "appointment", "梧桐国乐社"),
        ("culture", "culture", "海派文化讲座", "居民", 100, 90, "appointment", ""),
        (
            "culture",
            "culture",
            "梧桐沐影：建筑+电影人文行走",
            "居民、游客",
            20,
            120,
            "appointment",
            "衡复音乐阅读者",
        ),
        ("school", "party_mass", "党校专题班", "基层党组织书记", 50, 180, "order", ""),
        ("school", "party_mass", "红色文化现场教学", "党员", 40, 120, "order", ""),
        ("st1", "civilisation", "邻里议事会", "新乐居民", 15, 90, "order", ""),
        ("st1", "culture", "邻里小汇读书会", "居民", 12, 60, "walk_in", ""),
        ("st0", "civilisation", "助老服务预约", "独居老人", 5, 60, "order", "志愿者"),
        ("tower", "party_mass", "楼宇党员微党课", "楼宇党员", 30, 45, "order", ""),
    ]
    return [
        MenuItem.objects.create(
            position=p[pos],
            family=fam,
            title=title,
            audience=aud,
            capacity=cap,
            duration_minutes=dur,
            mode=mode,
            provider=prov,
        )
        for pos, fam, title, aud, cap, dur, mode, prov in rows
    ]


def _weekdays(first: date, last: date) -> list[date]:
    out = []
    day = first
    while day <= last:
        if day.isoweekday() <= 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def _evening(
    actor: Actor, spaces: dict[str, Space], today: date, rng: random.Random
) -> dict[str, int]:
    """A month of the evening hour: past two weeks (attendance) and the next two (sign-ups)."""
    series = Series.objects.create(
        title="晚间一小时", space=spaces["hall"], start_time=time(18, 30), end_time=time(19, 30),
        capacity=40, reserved_offline=6, release_hours=4,
        partners="徐汇区图书馆、衡复风貌馆、永乐股份", audience="居民、游客",
    )  # fmt: skip
    counts = {"events": 0, "signups": 0, "checked_in": 0}
    phone_no = 0
    partners = series.partner_list
    for i, day in enumerate(_weekdays(today - timedelta(days=14), today + timedelta(days=14))):
        partner = partners[i % len(partners)]
        topic = EVENING_TOPICS[partner][(i // 3) % len(EVENING_TOPICS[partner])]
        starts = _at(day, 18, 30)
        event = services.do_create_event(
            actor,
            title=f"晚间一小时 · {topic}",
            space=series.space,
            starts_at=starts,
            ends_at=_at(day, 19, 30),
            capacity=series.capacity,
            reserved_offline=series.reserved_offline,
            release_at=starts - timedelta(hours=4),
            series=series,
            audience=series.audience,
            partner=partner,
            family="culture",
            description=f"与{partner}合作，在党群服务中心多功能厅举办。",
        )
        counts["events"] += 1
        past = starts <= timezone.now()
        wanted = rng.randint(30, 48) if past else rng.randint(5, 44 if i % 4 == 0 else 30)
        people: list[tuple[str, str, str]] = []
        for _ in range(wanted):
            phone_no += 1
            channel = rules.STAFF if rng.random() < 0.18 else rules.ONLINE
            people.append((_name(rng), _phone(phone_no), channel))
        if past:
            counts_past = _past_signups(event, people, rng)
            counts["signups"] += counts_past[0]
            counts["checked_in"] += counts_past[1]
        else:
            for name, phone, channel in people:
                services.do_sign_up(actor if channel == rules.STAFF else Actor(None, "demo"),
                                 event.pk, name, phone, channel=channel)  # fmt: skip
                counts["signups"] += 1
    return counts


def _past_signups(
    event: Event, people: list[tuple[str, str, str]], rng: random.Random
) -> tuple[int, int]:
    """Replay a past event's sign-ups through the engine and store the outcome with attendance."""
    assert event.release_at is not None
    opened = event.starts_at - timedelta(days=6)
    ops = []
    for k, (_, phone, channel) in enumerate(people):
        at = opened + timedelta(minutes=k * 97)
        ops.append(rules.Operation(_local(min(at, event.starts_at - timedelta(minutes=30))),
                                   rules.SIGNUP, services.person_key(phone), channel))  # fmt: skip
    ops.sort(key=lambda o: o.at)
    roster = rules.Roster(event.capacity, event.reserved_offline, _local(event.release_at))
    promotions: list[rules.Promotion] = []
    for op in ops:
        promotions.extend(roster.apply(op).promotions)
    promotions.extend(roster.release())  # the release time has passed for a past event
    done = roster
    by_key = {services.person_key(ph): (nm, ph, ch) for nm, ph, ch in people}
    promoted = {pr.person: pr.at for pr in promotions}
    rows = []
    rank = 0
    attended = 0
    for seat in done.confirmed:
        nm, ph, ch = by_key[seat.person]
        rank += 1
        came = rng.random() < 0.86
        attended += came
        rows.append(Signup(
            event=event, person_key=seat.person, name=nm, phone_cipher=crypto.encrypt(ph, services.PHONE_PURPOSE),
            phone_masked=mask_phone(ph), channel=ch, state="confirmed", seat=seat.seat, rank=rank,
            token=secrets.token_urlsafe(16), created=opened,
            promoted_at=timezone.make_aware(promoted[seat.person]) if seat.person in promoted else None,
            checked_in_at=event.starts_at - timedelta(minutes=rng.randint(0, 15)) if came else None,
        ))  # fmt: skip
    for waiter in done.waitlist:
        nm, ph, ch = by_key[waiter.person]
        rank += 1
        rows.append(Signup(
            event=event, person_key=waiter.person, name=nm, phone_cipher=crypto.encrypt(ph, services.PHONE_PURPOSE),
            phone_masked=mask_phone(ph), channel=ch, state="waitlisted", seat="", rank=rank,
            token=secrets.token_urlsafe(16), created=opened,
        ))  # fmt: skip
    Signup.objects.bulk_create(rows)
    Event.objects.filter(pk=event.pk).update(seq=rank, released=True)
    return len(rows), attended


def _other_events(
    actor: Actor, spaces: dict[str, Space], committees: dict[str, Committee], today: date
) -> int:
    rows = [
        ("精品党课：从石库门到天安门", "edu", 3, 14, 16, 30, "party_mass", None, "党员、居民"),
        (
            "风貌展示厅导览：百年建筑百年音乐",
            "gallery",
            5,
            10,
            11,
            25,
            "culture",
            None,
            "居民、游客",
        ),
        (
            "新乐邻里议事会：弄堂车棚微更新",
            "living",
            4,
            19,
            20,
            15,
            "civilisation",
            "新乐",
            "新乐居民",
        ),
        ("江南丝竹公开课", "theatre", 6, 14, 15, 100, "culture", None, "居民"),
    ]
    n = 0
    for title, space, offset, h1, h2, cap, fam, committee, aud in rows:
        day = today + timedelta(days=offset)
        services.do_create_event(actor, title=title, space=spaces[space], starts_at=_at(day, h1),
                              ends_at=_at(day, h2), capacity=cap, family=fam, audience=aud,
                              committee_id=committees[committee].pk if committee else None)  # fmt: skip
        n += 1
    return n


def _volunteers(
    actor: Actor,
    p: dict[str, Position],
    committees: dict[str, Committee],
    today: date,
    rng: random.Random,
) -> dict[str, int]:
    teams = {
        "music": VolunteerTeam.objects.create(
            subdistrict=geo_demo.home_street(),
            name="衡复音乐阅读者", position=p["centre"], issuer="湖南街道社区党群服务中心",
            issuer_contact="021-6431 0000",
            description="音乐艺术家和居民组成，开展艺术 Talk、歌剧沙龙、音乐工作坊，擦亮“音乐好邻居”名片。",
        ),
        "building": VolunteerTeam.objects.create(
            subdistrict=geo_demo.home_street(),
            name="建筑可阅读", position=p["centre"], issuer="湖南街道社区党群服务中心",
            issuer_contact="021-6431 0000",
            description="邻居讲邻居的故事：风貌区老建筑讲解、“梧桐沐影”建筑+电影人文行走。",
        ),
    }  # fmt: skip
    committee_list = list(committees.values())
    n_records = 0
    for key, team in teams.items():
        members = []
        for k in range(12):
            number = 9000 + (0 if key == "music" else 100) + k
            first17 = f"310104{1960 + k}{(k % 9) + 1:02d}{(k % 27) + 1:02d}{k:03d}"
            vol = services.do_register_volunteer(
                actor, team, _name(rng), _phone(number), first17 + check_character(first17),
                committee_id=committee_list[k % len(committee_list)].pk,
            )  # fmt: skip
            members.append(vol)
        team.leader = members[0]
        team.save(update_fields=["leader"])
        content = "音乐导赏、歌剧沙龙" if key == "music" else "风貌建筑讲解、人文行走"
        # A year of service: veterans reach stars (100 h, 300 h); newer members have a few hours.
        for k, vol in enumerate(members):
            sessions = [160, 90, 60, 40, 30, 20, 12, 10, 8, 6, 4, 2][k]
            rows = []
            for s in range(sessions):
                on = today - timedelta(days=2 + (s * 360) // max(sessions, 1))
                rows.append(HourRecord(
                    volunteer=vol, team=team, on=on, content=content, minutes=120,
                    source="leader" if s % 3 else "qr", status="approved", decided_by=actor.user,
                ))  # fmt: skip
            HourRecord.objects.bulk_create(rows)
            n_records += len(rows)
        # Pending self-reports for the leader to approve, and one correction request.
        for vol in members[8:11]:
            services.do_report_hours(
                actor, vol, team, today - timedelta(days=1), 90, f"{content}（本人申报）"
            )
            n_records += 1
        first = HourRecord.objects.filter(volunteer=members[3], team=team).order_by("-on").first()
        assert first is not None
        services.do_request_correction(actor, first, 150, "当天活动延长了半小时")
        services.do_issue_certificate(actor, members[0], team)
        if key == "building":
            # The leader of 建筑可阅读 opens their own page with a fixed code (docs/community.md).
            members[0].code_hash = crypto.keyed_hash(
                DEMO_VOLUNTEER_CODE, services.VOLUNTEER_CODE_PURPOSE
            )
            members[0].save(update_fields=["code_hash"])
    return {"teams": len(teams), "volunteers": 24, "hour_records": n_records}


def _shifts(actor: Actor, today: date) -> int:
    team = VolunteerTeam.objects.get(subdistrict=geo_demo.home_street(), name="建筑可阅读")
    n = 0
    for event in Event.objects.filter(series__isnull=False, starts_at__date__gte=today).order_by(
        "starts_at"
    )[:5]:
        services.do_create_shift(actor, team, "晚间一小时 现场引导与签到", event.starts_at - timedelta(minutes=30),
                              event.ends_at, event=event)  # fmt: skip
        n += 1
    return n


def _orders(
    actor: Actor,
    p: dict[str, Position],
    spaces: dict[str, Space],
    menu: list[MenuItem],
    committees: dict[str, Committee],
    today: date,
) -> int:
    by_title = {m.title: m for m in menu}
    public = Actor(None, "demo")
    made = []
    made.append(services.do_place_order(public, position=p["centre"], menu_item=by_title["精品党课"],
                requester_kind="organisation", requester_name="衡山坊联合党支部", phone=_phone(8001), people=25))  # fmt: skip
    made.append(services.do_place_order(actor, position=p["centre"], menu_item=by_title["风貌展示厅讲解"],
                requester_kind="resident", requester_name="陈阿婆", phone=_phone(8002), people=6,
                channel="phone", note="电话预约，腿脚不便，需要座位"))  # fmt: skip
    made.append(services.do_place_order(public, position=p["centre"], menu_item=by_title["红色人行走"],
                requester_kind="organisation", requester_name="湖南路中学团委", phone=_phone(8003), people=20))  # fmt: skip
    made.append(services.do_place_order(public, position=p["centre"], space=spaces["edu"],
                starts_at=_at(today + timedelta(days=2), 14), ends_at=_at(today + timedelta(days=2), 16),
                requester_kind="organisation", requester_name="五原居民区党总支", phone=_phone(8004),
                people=20, note="支部主题党日"))  # fmt: skip
    made.append(services.do_place_order(public, position=p["st1"], menu_item=by_title["邻里议事会"],
                requester_kind="resident", requester_name="新乐路居民 周先生", phone=_phone(8005), people=10))  # fmt: skip
    made.append(services.do_place_order(actor, position=p["centre"], menu_item=by_title["文明宣传进社区"],
                requester_kind="committee", requester_name="陕新居委", committee_id=committees["陕新"].pk,
                people=40, channel="counter"))  # fmt: skip
    # Move them along the loop: one rated, one delivered, one dispatched, one accepted.
    services.do_advance_order(actor, made[0].pk, "accept")
    services.do_advance_order(actor, made[0].pk, "dispatch", to_position=p["school"])
    services.do_advance_order(actor, made[0].pk, "deliver")
    services.do_advance_order(
        actor, made[0].pk, "rate", rating=5, feedback="讲得生动，年轻党员很受启发"
    )
    services.do_advance_order(actor, made[1].pk, "accept")
    services.do_advance_order(
        actor,
        made[1].pk,
        "dispatch",
        to_team=VolunteerTeam.objects.get(subdistrict=geo_demo.home_street(), name="建筑可阅读"),
    )
    services.do_advance_order(actor, made[2].pk, "accept")
    services.do_advance_order(actor, made[5].pk, "accept")
    services.do_advance_order(actor, made[5].pk, "deliver")
    # One order placed a week ago and never handled: flagged overdue.
    ServiceOrder.objects.filter(pk=made[4].pk).update(
        created=_at(today - timedelta(days=7), 10), due_by=today - timedelta(days=4)
    )
    return len(made)


def _wishes(actor: Actor, p: dict[str, Position]) -> int:
    public = Actor(None, "demo")
    home = p["centre"].subdistrict_id  # left on the home street's wish page
    services.do_make_wish(public, "希望开一个老年人智能手机课，学会用手机挂号、买菜。", "张阿姨",
                          _phone(8101), street_id=home)  # fmt: skip
    services.do_make_wish(public, "下班回来晚，能不能晚上也有读书活动？", "", "", street_id=home)
    w = services.do_make_wish(public, "想让孩子周末在家门口学点传统乐器。", "刘先生", _phone(8102),
                              street_id=home)  # fmt: skip
    services.do_adopt_wish(actor, w, position=p["culture"], family="culture", title="周末亲子国乐体验",
                        audience="亲子家庭", capacity=16, duration_minutes=60, mode="appointment",
                        answer="已由梧桐国乐社开设，每周六上午。")  # fmt: skip
    return 3


def _alliance(accounts: dict[str, User], today: date) -> dict[str, int]:
    joined = date(2021, 5, 20)
    units = {}
    for name in UNITS:
        org, _c = Organisation.objects.update_or_create(name=name, defaults={"kind": "cultural"})
        units[name] = AllianceMember.objects.create(
            organisation=org, kind="unit", joined=joined, subdistrict=geo_demo.home_street()
        )
    schools = {}
    for name in SCHOOLS:
        org, _c = Organisation.objects.update_or_create(name=name, defaults={"kind": "school"})
        schools[name] = AllianceMember.objects.create(
            organisation=org, kind="school", joined=joined, subdistrict=geo_demo.home_street()
        )
    term = f"{today.year}秋" if today.month >= 8 else f"{today.year}春"
    projects = [
        AllianceProject.objects.create(
            unit=units[u], category=c, title=t, term=term, grades=g, capacity=cap, batch=1
        )
        for u, c, t, g, cap in PROJECTS
    ]
    school_actor = Actor(accounts["school"], "demo")
    arts_actor = Actor(accounts["arts"], "demo")
    street = Actor(User.objects.get(username="dangqun"), "demo")
    orders = 0
    symphony = next(x for x in projects if x.title == "大师说乐：走近交响乐")
    # 高安路第一小学 (the demo school account): one closed with feedback, one waiting for the unit.
    o = services.do_order_alliance_project(school_actor, symphony, 45, "四年级", "十月下旬周四下午")
    services.do_advance_alliance_order(arts_actor, o.pk, "accept")
    services.do_advance_alliance_order(
        arts_actor,
        o.pk,
        "schedule",
        scheduled_at=_at(today - timedelta(days=20), 14),
        place="上海交响乐团排练厅",
    )
    services.do_advance_alliance_order(arts_actor, o.pk, "deliver")
    services.do_advance_alliance_order(
        school_actor, o.pk, "feedback", rating=5, feedback="孩子们第一次近距离听交响乐，非常兴奋。"
    )
    comics = next(x for x in projects if x.category == "child_play")
    services.do_order_alliance_project(school_actor, comics, 30, "二年级", "下月任意周三")
    orders += 2
    # Other schools' orders (the street sees all; each partner only its own).
    rng = random.Random(SEED)
    for k, (name, member) in enumerate(schools.items()):
        if name == "高安路第一小学":
            continue
        project = projects[(k * 3) % len(projects)]
        order = AllianceOrder.objects.create(
            project=project,
            school=member,
            students=min(project.capacity, 25 + rng.randint(0, 20)),
            grade="五年级",
            created=_at(today - timedelta(days=30 - k), 9),
        )
        if k % 2:
            services.do_advance_alliance_order(street, order.pk, "accept")
            services.do_advance_alliance_order(
                street,
                order.pk,
                "schedule",
                scheduled_at=_at(today + timedelta(days=k + 3), 14),
                place="学校礼堂",
            )
        orders += 1
    # The unit account has a new order to accept from another school.
    AllianceOrder.objects.create(project=symphony, school=schools["五原路小学"], students=40,
                                 grade="三年级", wish="下周二下午", created=_at(today - timedelta(days=1), 10))  # fmt: skip
    orders += 1
    return {
        "units": len(units),
        "schools": len(schools),
        "projects": len(projects),
        "orders": orders,
    }


def _practical(actor: Actor, committees: dict[str, Committee], today: date) -> int:
    xinlu = Area.objects.filter(subdistrict=geo_demo.home_street(), name="新路片区").first()
    year = today.year if today.month >= 10 else today.year - 1  # the months below have passed
    specs: list[dict[str, Any]] = [
        dict(title="新路片区物业管理一体化", kind="property", area=xinlu, committee=None,  # noqa: C408
             place="新路片区（陕新、新乐）", owner="湖南街道、徐房集团",
             pain_point="老旧里弄无物业，门卫、垃圾库房设施陈旧，保洁保安保绿保修无人负责。",
             resident_fen=0, subsidy_fen=1_860_000_00, other_fen=240_000_00, beneficiaries=2130,
             status="done",
             milestones=[("拆除沿街无证建筑、规范业态", 1), ("门卫室、垃圾库房改造", 3), ("引进专业物业队伍，“四保”一体化服务", 5)]),
        dict(title="颐德坊五扇密码门禁", kind="gates", area=xinlu, committee=committees.get("新乐"),  # noqa: C408
             place="颐德坊", owner="新乐居民区党总支、弄管会",
             pain_point="闲杂人员随意进出，居住安全隐患。",
             resident_fen=42_500_00, subsidy_fen=85_000_00, other_fen=0, beneficiaries=156,
             status="done",
             milestones=[("弄管会提议、居民讨论", 1), ("居民筹资与政府补贴到位", 2), ("五扇密码门禁启用", 3)]),
        dict(title="长乐路电力小区加装电梯（社区第一台）", kind="lift", area=None, committee=committees.get("长乐"),  # noqa: C408
             place="长乐路电力小区", owner="加装电梯工作组（居委、业委会、物业、党员代表）",
             pain_point="老旧小区无电梯，老人上下楼难。",
             resident_fen=360_000_00, subsidy_fen=240_000_00, other_fen=0, beneficiaries=18,
             status="building",
             milestones=[("优化方案、自筹资金", 2), ("意见征询通过", 4), ("开工", 5), ("竣工验收", None)]),
        dict(title="新路老年用餐点", kind="dining", area=xinlu, committee=committees.get("陕新"),  # noqa: C408
             place="新乐路", owner="湖南街道、社区单位", pain_point="老年人多，就餐不便。",
             resident_fen=0, subsidy_fen=320_000_00, other_fen=80_000_00, beneficiaries=420,
             status="done", milestones=[("选址与空间腾挪", 4), ("开餐", 6)]),
        dict(title="新乐弄堂车棚微更新", kind="renewal", area=xinlu, committee=committees.get("新乐"),  # noqa: C408
             place="新乐路弄堂", owner="社区规划师、新乐居委",
             pain_point="车棚破旧、飞线充电，弄堂景观杂乱。",
             resident_fen=15_000_00, subsidy_fen=185_000_00, other_fen=0, beneficiaries=230,
             status="building", milestones=[("社区规划师方案设计", 6), ("居民议事会讨论", 9), ("施工", None), ("验收", None)]),
        dict(title="智能充电柜十处点位", kind="charging", area=None, committee=None,  # noqa: C408
             place="全街道", owner="湖南街道平安办", pain_point="电动自行车入户充电火灾隐患。",
             resident_fen=0, subsidy_fen=500_000_00, other_fen=0, beneficiaries=3000,
             status="building", milestones=[("点位选定", 3), ("10 处安装基本完成", 8), ("全部投用", None)]),
    ]  # fmt: skip
    for spec in specs:
        ms = spec.pop("milestones")
        resident, subsidy, other = spec["resident_fen"], spec["subsidy_fen"], spec["other_fen"]
        project = services.do_save_project(
            actor, PracticalProject(budget_fen=resident + subsidy + other, **spec)
        )
        for i, (title, month) in enumerate(ms):
            # Done in a month of the past year of work; planned ones come after today.
            if month is not None:
                services.do_add_milestone(actor, project, title, date(year, month, 15),
                                       done_on=date(year, month, 15))  # fmt: skip
            else:
                services.do_add_milestone(actor, project, title, today + timedelta(days=45 * i))
    gates = PracticalProject.objects.get(
        subdistrict=geo_demo.home_street(), title="颐德坊五扇密码门禁"
    )
    services.do_record_decision(
        actor, gates, date(year, 1, 10), "安装五扇密码门禁，居民筹资、政府补贴", 9, 7, 1, 1
    )
    for k in range(34):
        services.do_record_contribution(
            actor, gates, f"颐德坊{k + 1}号", 1_250_00, f"YDF{year}{k + 1:03d}"
        )
    lift = PracticalProject.objects.get(title__startswith="长乐路电力小区")
    services.do_record_decision(
        actor, lift, date(year, 1, 20), "成立加装电梯工作组并启动征询", 7, 6, 0, 1
    )
    for k in range(12):
        services.do_record_contribution(
            actor, lift, f"电力小区{k + 1:02d}室", 30_000_00, f"DL{year}{k + 1:03d}"
        )
    return len(specs)


def build() -> dict[str, int]:
    rng = random.Random(SEED)
    today = timezone.localdate()
    with transaction.atomic():
        wipe()
        accounts = _accounts()
        actor = Actor(accounts["dangqun"], "demo", "linli demo")
        committees = {c.name.removesuffix("居委"): c for c in Committee.objects.all()}
        positions = _network(committees)
        spaces = _spaces(positions)
        menu = _menus(positions)
        evening = _evening(actor, spaces, today, rng)
        others = _other_events(actor, spaces, committees, today)
        volunteers = _volunteers(actor, positions, committees, today, rng)
        shifts = _shifts(actor, today)
        orders = _orders(actor, positions, spaces, menu, committees, today)
        wishes = _wishes(actor, positions)
        alliance = _alliance(accounts, today)
        projects = _practical(actor, committees, today)
    return {
        "positions": len(positions),
        "spaces": len(spaces),
        "menu items": len(menu),
        "evening-hour events": evening["events"],
        "sign-ups": evening["signups"],
        "checked in": evening["checked_in"],
        "other events": others,
        **volunteers,
        "shifts": shifts,
        "orders": orders,
        "wishes": wishes,
        **{f"alliance {k}": v for k, v in alliance.items()},
        "practical projects": projects,
    }


# --- the other streets of the district demo -----------------------------------------------------

STREET_ACTIVITIES = (
    # (title, days from today, start hour, end hour, seats, family)
    ("晚间一小时：社区合唱排练", 0, 18, 19, 30, "culture"),
    ("党员微党课：身边的好榜样", 2, 14, 15, 40, "party_mass"),
    ("文明实践：垃圾分类小课堂", 5, 10, 11, 25, "civilisation"),
)


def build_street_presence(street: Subdistrict, today: date | None = None) -> dict[str, int]:
    """A small community presence for another street of the district demo: its party-mass
    centre with a hall, and a few activities there (one today), made through the services as
    the street's party-mass office (``dangqun_<street code>``, the demo password), so every row
    is that street's own. Nothing happens when the centre exists already."""
    today = today or timezone.localdate()
    name = f"{street.name}社区党群服务中心"
    if Position.objects.filter(subdistrict=street, name=name).exists():
        return {"positions": 0, "events": 0}
    office, _created = User.objects.get_or_create(
        username=f"dangqun_{street.code}",
        defaults={
            "role": Role.STREET_STAFF, "department": Department.PARTY_MASS,
            "subdistrict": street, "display_name": f"{street.name}党群办",
        },
    )  # fmt: skip
    if _created:
        office.set_password(DEMO_PASSWORD)
        office.save(update_fields=["password"])
    actor = Actor(office, "demo", "linli demo")
    centre = services.do_save_position(actor, None, {
        "kind": "centre", "name": name, "address": f"{street.name}党群服务中心",
        "map_x": 50, "map_y": 50, "hours": "周一至周日 9:00–20:00", "sort": 1,
    })  # fmt: skip
    hall = services.do_save_space(actor, centre, None, name="多功能厅", capacity=60,
                                  equipment="音响、投影")  # fmt: skip
    for title, offset, start, end, seats, family in STREET_ACTIVITIES:
        day = today + timedelta(days=offset)
        services.do_create_event(actor, title=title, space=hall, starts_at=_at(day, start),
                                 ends_at=_at(day, end), capacity=seats, family=family,
                                 audience="居民")  # fmt: skip
    return {"positions": 1, "events": len(STREET_ACTIVITIES)}


def build_district() -> dict[str, int]:
    """The district demo's community life: ``build_street_presence`` for every other street of
    the demo street's district that has committees. Run after ``build`` and
    ``geo.demo.build_district``."""
    home = geo_demo.home_street()
    counts = {"streets": 0, "positions": 0, "events": 0}
    if home is None:
        return counts
    others = (
        Subdistrict.objects.filter(district=home.district_id, committees__isnull=False)
        .exclude(pk=home.pk)
        .distinct()
        .order_by("code")
    )
    for street in others:
        made = build_street_presence(street)
        counts["streets"] += 1
        counts["positions"] += made["positions"]
        counts["events"] += made["events"]
    return counts
