"""Places every domain uses: 市 → 区 → 街道/镇 → 片区 → 居委 → 小区/弄 → 楼栋 → 门牌 → 户, and
residents.

City, district and street carry the national administrative division codes (国家统计局 统计用区划
代码: 6 digits for a city or district, 9 for a street or town); ``divisions.json`` ships Shanghai.
``committee`` is repeated on Building and Household (set by the services, the only write
path) so that committee-scoped lists at city scale filter on one indexed column.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class City(models.Model):
    """市: a province-level city (Shanghai 310000). The widest reach an account can have."""

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("市"), max_length=50)

    class Meta:
        verbose_name = _("市")
        verbose_name_plural = _("市")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """区: a district of a city (Xuhui 310104); district offices read the streets of theirs."""

    city = models.ForeignKey(
        City, verbose_name=_("市"), on_delete=models.PROTECT, related_name="districts"
    )
    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("区"), max_length=50)

    class Meta:
        verbose_name = _("区")
        verbose_name_plural = _("区")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "name"], name="district_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Subdistrict(models.Model):
    """街道 or 镇: the office that runs Linli for its committees (the unit of street reach)."""

    class Kind(models.TextChoices):
        STREET = "street", _("街道")
        TOWN = "town", _("镇")

    district = models.ForeignKey(
        District, verbose_name=_("区"), on_delete=models.PROTECT, related_name="subdistricts"
    )
    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("街道"), max_length=50)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.STREET)

    class Meta:
        verbose_name = _("街道")
        verbose_name_plural = _("街道")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """片区: an optional grouping of committees for area governance (e.g. 新路片区)."""

    subdistrict = models.ForeignKey(
        Subdistrict, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="areas"
    )
    name = models.CharField(_("片区"), max_length=50)

    class Meta:
        verbose_name = _("片区")
        verbose_name_plural = _("片区")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="area_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Committee(models.Model):
    """居委: a residents' committee, the unit of scope for committee staff."""

    subdistrict = models.ForeignKey(
        Subdistrict, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="committees"
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("片区"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="committees",
    )
    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("居委"), max_length=50)
    address = models.CharField(_("地址"), max_length=100, blank=True)
    # Position on the street diagram, in a 0–100 grid (west→east, north→south).
    map_x = models.PositiveSmallIntegerField(
        _("示意图横坐标"), default=0, validators=[MaxValueValidator(100)]
    )
    map_y = models.PositiveSmallIntegerField(
        _("示意图纵坐标"), default=0, validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("居委")
        verbose_name_plural = _("居委")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="committee_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Estate(models.Model):
    """小区 or 弄: a gated estate or a lane of houses."""

    class Kind(models.TextChoices):
        ESTATE = "estate", _("小区")
        LANE = "lane", _("弄")

    class Management(models.TextChoices):
        PROPERTY_COMPANY = "property_company", _("物业公司")
        HOUSING_AUTHORITY = "housing_authority", _("房管所直管")
        SELF_MANAGED = "self_managed", _("自管")
        NONE = "none", _("无物业")

    committee = models.ForeignKey(
        Committee, verbose_name=_("居委"), on_delete=models.PROTECT, related_name="estates"
    )
    name = models.CharField(_("小区/弄"), max_length=80)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.ESTATE)
    address = models.CharField(_("地址"), max_length=100, blank=True)
    management = models.CharField(
        _("物业管理形式"), max_length=20, choices=Management.choices, default=Management.NONE
    )

    class Meta:
        verbose_name = _("小区/弄")
        verbose_name_plural = _("小区/弄")
        ordering = ["committee_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="estate_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class HousingType(models.TextChoices):
    LANE = "lane", _("里弄")
    GARDEN = "garden", _("花园住宅")
    PUBLIC = "public", _("公房")
    COMMERCIAL = "commercial", _("商品房")


class Structure(models.TextChoices):
    BRICK_TIMBER = "brick_timber", _("砖木")
    BRICK_CONCRETE = "brick_concrete", _("砖混")
    REINFORCED_CONCRETE = "reinforced_concrete", _("钢混")


class Building(models.Model):
    estate = models.ForeignKey(
        Estate, verbose_name=_("小区/弄"), on_delete=models.PROTECT, related_name="buildings"
    )
    committee = models.ForeignKey(
        Committee, verbose_name=_("居委"), on_delete=models.PROTECT, related_name="buildings"
    )
    name = models.CharField(_("楼栋"), max_length=50)
    address = models.CharField(_("地址"), max_length=100, blank=True)
    housing_type = models.CharField(_("房屋类型"), max_length=12, choices=HousingType.choices)
    structure = models.CharField(_("结构"), max_length=20, choices=Structure.choices)
    year_built = models.PositiveSmallIntegerField(
        _("建成年份"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    floors = models.PositiveSmallIntegerField(
        _("层数"), validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    heritage_protected = models.BooleanField(_("优秀历史建筑/风貌保护"), default=False)
    has_lift = models.BooleanField(_("有电梯"), default=False)
    lon = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    outline = models.JSONField(_("轮廓"), null=True, blank=True, help_text=_("GeoJSON 多边形"))

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["committee_id", "estate_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "name"], name="building_unique_name"),
            models.CheckConstraint(condition=models.Q(floors__gte=1), name="building_floors_pos"),
        ]
        indexes = [
            models.Index(fields=["committee", "housing_type"]),
            # Sortable list columns: an index per sort key keeps a sorted first page cheap.
            models.Index(fields=["year_built", "id"], name="building_year_sort"),
            models.Index(fields=["floors", "id"], name="building_floors_sort"),
            models.Index(fields=["name", "id"], name="building_name_sort"),
        ]

    def __str__(self) -> str:
        return self.address or self.name


class Entrance(models.Model):
    """门牌: a door number; lane houses have one per house, blocks one per stairwell."""

    building = models.ForeignKey(
        Building, verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="entrances"
    )
    number = models.CharField(_("门牌号"), max_length=50)
    address = models.CharField(_("地址"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("门牌")
        verbose_name_plural = _("门牌")
        ordering = ["building_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="entrance_unique_number")
        ]
        indexes = [
            models.Index(fields=["number", "id"], name="entrance_number_sort"),
            models.Index(fields=["address", "id"], name="entrance_address_sort"),
        ]

    def __str__(self) -> str:
        return self.address or self.number


class Household(models.Model):
    """户: a flat or room with its exclusive area (the measure of lift votes and cost shares)."""

    entrance = models.ForeignKey(
        Entrance, verbose_name=_("门牌"), on_delete=models.PROTECT, related_name="households"
    )
    committee = models.ForeignKey(
        Committee, verbose_name=_("居委"), on_delete=models.PROTECT, related_name="households"
    )
    room = models.CharField(_("室号"), max_length=20)
    floor = models.SmallIntegerField(_("楼层"), default=1)
    exclusive_area = models.DecimalField(
        _("专有面积(㎡)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["entrance_id", "room"]
        constraints = [
            models.UniqueConstraint(fields=["entrance", "room"], name="household_unique_room"),
            models.CheckConstraint(
                condition=models.Q(exclusive_area__gt=0), name="household_area_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["exclusive_area", "id"], name="household_area_sort"),
            models.Index(fields=["floor", "id"], name="household_floor_sort"),
            models.Index(fields=["room", "id"], name="household_room_sort"),
        ]

    def __str__(self) -> str:
        return f"{self.entrance} {self.room}"


class Resident(models.Model):
    """A resident. The identity number is kept only as a keyed hash and an encrypted copy."""

    class Sex(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")

    class Relation(models.TextChoices):
        HEAD = "head", _("户主")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        TENANT = "tenant", _("租户")
        OTHER = "other", _("其他")

    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="residents"
    )
    committee = models.ForeignKey(
        Committee, verbose_name=_("居委"), on_delete=models.PROTECT, related_name="residents"
    )
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(
        _("与户主关系"), max_length=10, choices=Relation.choices, default=Relation.HEAD
    )
    sex = models.CharField(_("性别"), max_length=6, choices=Sex.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True)
    # NULL (not "") for residents without a number, so the unique constraint ignores them.
    id_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001
    id_cipher = models.TextField(blank=True, editable=False)
    id_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=11, blank=True, editable=False)
    lives_alone = models.BooleanField(_("独居"), default=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["household_id", "id"]
        indexes = [
            models.Index(fields=["committee", "name"]),
            models.Index(fields=["name", "id"], name="resident_name_sort"),
            models.Index(fields=["birth_year", "id"], name="resident_birth_sort"),
        ]

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------- place links
# How the domains' records point at places, declared once. Each produces exactly the field
# the domains declared by hand before, so using it changes no table and needs no migration.


class CommitteeLinked(models.Model):
    """A domain record kept per committee (居委): scoped lists filter on this one indexed
    column, and the record goes when its committee goes. No reverse accessor on Committee."""

    committee = models.ForeignKey(
        Committee, verbose_name=_("居委"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True


_Place = TypeVar("_Place", Building, Entrance)


def optional_place(
    to: type[_Place], verbose_name: Any
) -> models.ForeignKey[_Place | None, _Place | None]:
    """A link to where a record sits that may be left empty, and is emptied (not deleted)
    when that place is removed."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
