"""What a clerk sees: logging in, language, the buildings list, Excel import, phone, scope."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = [
    "居委代码", "小区/弄", "楼栋", "地址", "房屋类型", "结构",
    "建成年份", "层数", "风貌保护", "有电梯", "经度", "纬度",
]  # fmt: skip
NEW_BUILDINGS = ("3支弄", "5支弄", "7支弄")


def xlsx(rows: list[list[Any]]) -> dict[str, Any]:
    """An Excel upload for Playwright's ``set_input_files``, built in memory."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return {"name": "楼栋.xlsx", "mimeType": XLSX, "buffer": buffer.getvalue()}


def building_rows(bad_floors: Any = None) -> list[list[Any]]:
    rows = [
        ["HN01", "长乐路100弄", name, f"长乐路100弄{n}号", "里弄", "砖木", 1925, 3, "是", "否",
         121.4589, 31.2155]
        for n, name in enumerate(NEW_BUILDINGS, start=3)
    ]  # fmt: skip
    if bad_floors is not None:
        rows[1][7] = bad_floors  # the second data row: sheet row 3
    return rows


def list_texts(page: Any, label: str) -> list[str]:
    """The cells of one column of the list table (cells carry their header as data-label)."""
    return [
        t.strip() for t in page.locator(f"table.stack td[data-label='{label}']").all_inner_texts()
    ]


def test_login_lands_on_home_with_street_counts(page: Any, users: dict[str, Any]) -> None:
    from linli.core.testing import enrol_totp, totp_code

    device = enrol_totp(users["street_admin"])  # the street admin logs in with two factors
    page.goto("/")
    page.wait_for_url("**/login/**")  # anonymous visitors are sent to the login form
    page.fill("input[name=username]", "street_admin")
    page.fill("input[name=password]", "pw-for-tests-123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/account/two-factor/**")
    page.fill("#id_code", totp_code(device))
    page.get_by_role("button", name="验证", exact=True).click()
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))  # the home page
    assert page.locator("h1").inner_text() == "徐汇区 湖南路街道"
    stats = {
        s.locator("span").inner_text(): s.locator("b").inner_text()
        for s in page.locator("section.stats .stat").all()
    }
    assert stats == {"居委": "2", "小区/弄": "2", "楼栋": "2", "户": "2", "登记居民": "0"}
    assert "street_admin" in page.locator(".who").inner_text()


def _english_word(chinese: str) -> str | None:
    """The catalogue's English for a message, when a compiled catalogue exists."""
    mo = Path(__file__).resolve().parents[2] / "linli/locale/en/LC_MESSAGES/django.mo"
    if not mo.exists():
        return None
    with mo.open("rb") as fh:
        english = gettext.GNUTranslations(fh).gettext(chinese)
    return english if english != chinese else None


def test_language_switch_to_english_and_back(page: Any, login_as: Any) -> None:
    login_as(page, "street_admin")
    html = page.locator("html")
    assert html.get_attribute("lang") == "zh-Hans"
    page.get_by_role("button", name="English", exact=True).click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.get_by_role("button", name="中文", exact=True).is_visible()
    assert page.get_by_role("button", name="English", exact=True).count() == 0
    home = _english_word("首页")
    if home is not None:
        assert page.locator("#mainnav a").first.inner_text().strip() == home

    page.get_by_role("button", name="中文", exact=True).click()
    page.wait_for_function("document.documentElement.lang === 'zh-Hans'")
    assert page.get_by_role("button", name="English", exact=True).is_visible()
    assert page.locator("#mainnav a").first.inner_text().strip() == "首页"


def test_buildings_filter_by_housing_type(page: Any, login_as: Any, street: dict[str, Any]) -> None:
    from linli.geo.models import Building

    Building.objects.create(
        estate=street["estate1"], committee=street["c1"], name="花园洋房",
        housing_type="garden", structure="brick_concrete", floors=2,
    )  # fmt: skip
    login_as(page, "street_admin")
    page.goto("/places/buildings/")
    assert "长乐路100弄 花园洋房" in list_texts(page, "楼栋")
    assert len(list_texts(page, "楼栋")) == 3

    # Choosing in a select changes nothing by itself (keyboard users step through the options);
    # the filter applies with its button.
    before = page.url
    page.get_by_label("房屋类型").select_option(label="里弄")
    page.wait_for_timeout(300)
    assert page.url == before
    assert len(list_texts(page, "楼栋")) == 3
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**housing_type=lane**")
    types = list_texts(page, "房屋类型")
    assert types == ["里弄", "里弄"]
    assert "长乐路100弄 花园洋房" not in list_texts(page, "楼栋")
    assert "共 2 条" in page.locator(".pager").inner_text()


def test_excel_import_all_or_nothing(page: Any, login_as: Any, street: dict[str, Any]) -> None:
    from linli.geo.models import Building

    login_as(page, "street_admin")
    page.goto("/places/buildings/")
    page.get_by_role("link", name="导入 Excel").click()
    page.wait_for_url("**/places/buildings/import/")

    page.set_input_files("input[name=file]", xlsx(building_rows(bad_floors="三")))
    page.get_by_role("button", name="上传并导入").click()
    box = page.locator("#import-errors")
    box.wait_for()
    assert "文件未导入" in box.locator("h2").inner_text()
    cells = [row.locator("td").all_inner_texts() for row in box.locator("tbody tr").all()]
    assert cells == [["3", "层数", "应为整数（现为“三”）"]]
    # All or nothing: the two good rows were not written either.
    assert not Building.objects.filter(name__in=NEW_BUILDINGS).exists()
    assert Building.objects.count() == 2

    page.set_input_files("input[name=file]", xlsx(building_rows()))
    page.get_by_role("button", name="上传并导入").click()
    done = page.locator("#import-done")
    done.wait_for()
    assert "导入完成：新增 3 条，更新 0 条。" in done.inner_text()
    done.get_by_role("link", name="查看名单").click()
    page.wait_for_url("**/places/buildings/")
    names = list_texts(page, "楼栋")
    for name in NEW_BUILDINGS:
        assert f"长乐路100弄 {name}" in names
    assert Building.objects.filter(name__in=NEW_BUILDINGS, committee=street["c1"]).count() == 3


def test_phone_menu_and_readable_list(phone_page: Any, login_as: Any) -> None:
    page = phone_page
    login_as(page, "street_admin")
    nav = page.locator("#mainnav")
    toggle = page.locator("button.nav-toggle")
    assert toggle.is_visible()
    assert not nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.tap()
    assert nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")  # Escape closes the menu and returns to its button
    assert not nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('nav-toggle')")
    toggle.tap()
    nav.locator("summary", has_text="基础数据").tap()  # the places are one group of the menu
    nav.get_by_role("link", name="楼栋", exact=True).tap()
    page.wait_for_url("**/places/buildings/")

    assert not page.locator("table.stack thead").is_visible()  # rows stack into cards
    assert page.locator("table.stack td[data-label='楼栋']").first.is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the phone screen"


def test_committee_staff_sees_only_their_committee(
    page: Any, login_as: Any, street: dict[str, Any]
) -> None:
    login_as(page, "committee_staff")
    page.goto("/places/buildings/")
    assert list_texts(page, "楼栋") == ["长乐路100弄 1支弄"]
    assert list_texts(page, "居委") == ["陕新居委"]

    response = page.goto(f"/places/buildings/{street['building2'].pk}/")
    assert response is not None
    assert response.status == 403, f"another committee's building answered {response.status}"
    assert page.get_by_role("heading", name="无权访问").is_visible()
    assert page.locator("header.topbar").is_visible()  # the site's own page, not a bare one
    text = page.locator("main").inner_text()
    assert "长乐路200弄" not in text
    assert "新乐居委" not in text


def test_large_type_enlarges_root_font(page: Any, login_as: Any) -> None:
    login_as(page, "street_admin")
    size = "parseFloat(getComputedStyle(document.documentElement).fontSize)"
    before = page.evaluate(size)
    page.get_by_role("button", name="大字模式").click()
    page.wait_for_function("document.documentElement.classList.contains('large-type')")
    after = page.evaluate(size)
    assert after > before
    assert page.get_by_role("button", name="大字模式").get_attribute("aria-pressed") == "true"


FONTS = Path(__file__).resolve().parents[2] / "linli/core/static/linli/fonts"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def test_chinese_on_main_pages_is_in_the_bundled_font(
    page: Any, login_as: Any, street: dict[str, Any]
) -> None:
    """Machines without CJK fonts rely on the bundled subset: a missing glyph is a tofu box."""
    ttlib = pytest.importorskip("fontTools.ttLib")
    covered = [
        set(ttlib.TTFont(FONTS / f"NotoSansSC-{weight}.subset.woff2").getBestCmap())
        for weight in ("Regular", "Bold")
    ]
    login_as(page, "street_admin")
    assert page.evaluate(
        "document.fonts.ready.then(s => [...s].some("
        "f => f.family.includes('Linli Sans') && f.status === 'loaded'))"
    ), "the bundled Chinese webfont did not load"
    missing: dict[str, set[str]] = {}
    for path in ("/", "/places/buildings/", "/places/buildings/import/", "/places/residents/",
                 f"/places/households/{street['household1'].pk}/", "/modules/risk/"):  # fmt: skip
        page.goto(path)
        text = page.locator("body").inner_text()
        gaps = {c for c in CJK.findall(text) if any(ord(c) not in cmap for cmap in covered)}
        if gaps:
            missing[path] = gaps
    assert not missing, f"characters outside the bundled font (shown as boxes): {missing}"


def test_menu_groups_work_by_keyboard_and_the_english_menu_keeps_to_two_rows(
    page: Any, login_as: Any
) -> None:
    login_as(page, "street_admin")
    places = page.locator("#mainnav details.navgroup", has_text="基础数据")
    system = page.locator("#mainnav details.navgroup", has_text="系统")
    buildings = places.get_by_role("link", name="楼栋", exact=True)
    assert not buildings.is_visible()
    places.locator("summary").focus()
    page.keyboard.press("Enter")
    assert buildings.is_visible()
    system.locator("summary").focus()
    page.keyboard.press("Space")  # one group open at a time
    assert system.get_by_role("link", name="后台任务").is_visible()
    assert not buildings.is_visible()
    page.keyboard.press("Escape")  # closes, and the focus stays on the group's button
    assert not system.get_by_role("link", name="后台任务").is_visible()
    assert page.evaluate("document.activeElement.textContent.trim()") == "系统"
    places.locator("summary").click()
    page.locator("main h1").first.click()  # a click elsewhere closes it
    assert not buildings.is_visible()

    def rows() -> tuple[int, int]:
        # Rows of a wrapping flex box: a box starts a new row when it begins below the bottom
        # of the row so far (boxes of one row are centred, so their tops differ).
        count = """sel => { let rows = 0, bottom = -1;
            const boxes = [...document.querySelectorAll(sel)].filter(e => e.offsetParent)
                .map(e => e.getBoundingClientRect()).sort((a, b) => a.top - b.top);
            for (const b of boxes) { if (b.top >= bottom - 1) { rows++; bottom = b.bottom; }
                                     else bottom = Math.max(bottom, b.bottom); }
            return rows; }"""
        return page.evaluate(count, ".topbar > *"), page.evaluate(count, "#mainnav > *")

    assert rows() == (1, 1)  # Chinese: brand, menu and tools on one row at 1280 px
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert rows() == (2, 1)  # English: the menu takes one row of its own under brand and tools
