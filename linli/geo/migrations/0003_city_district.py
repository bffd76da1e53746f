"""Places above the street: 市 and 区, with national division codes; every street gets its
district (Shanghai's 16 districts are created here, the streets' by their code's first six
digits, else by the district name the street carried)."""

import django.db.models.deletion
from django.db import migrations, models

SHANGHAI = ("310000", "上海市")
DISTRICTS = (
    ("310101", "黄浦区"),
    ("310104", "徐汇区"),
    ("310105", "长宁区"),
    ("310106", "静安区"),
    ("310107", "普陀区"),
    ("310109", "虹口区"),
    ("310110", "杨浦区"),
    ("310112", "闵行区"),
    ("310113", "宝山区"),
    ("310114", "嘉定区"),
    ("310115", "浦东新区"),
    ("310116", "金山区"),
    ("310117", "松江区"),
    ("310118", "青浦区"),
    ("310120", "奉贤区"),
    ("310151", "崇明区"),
)


def assign_districts(apps, schema_editor):
    City = apps.get_model("geo", "City")
    District = apps.get_model("geo", "District")
    Subdistrict = apps.get_model("geo", "Subdistrict")
    if not Subdistrict.objects.exists():
        return
    city, _new = City.objects.get_or_create(code=SHANGHAI[0], defaults={"name": SHANGHAI[1]})
    by_code = {}
    for code, name in DISTRICTS:
        by_code[code], _new = District.objects.get_or_create(
            code=code, defaults={"name": name, "city": city}
        )
    by_name = {d.name: d for d in by_code.values()}
    for street in Subdistrict.objects.all():
        if street.code == "310104012" and street.name == "湖南路街道":
            street.code = "310104004"  # the demo's former code was 虹梅路街道's
        district = by_code.get(street.code[:6]) or by_name.get(street.district_name)
        if district is None:
            name = street.district_name or "未定区"
            district = District.objects.filter(city=city, name=name).first()
            if district is None:
                district = District.objects.create(city=city, name=name, code=f"X{street.pk}")
        street.district_id = district.pk
        street.save(update_fields=["district", "code"])


class Migration(migrations.Migration):
    dependencies = [("geo", "0002_sort_indexes")]

    operations = [
        migrations.CreateModel(
            name="City",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=12, unique=True, verbose_name="区划代码")),
                ("name", models.CharField(max_length=50, verbose_name="市")),
            ],
            options={"verbose_name": "市", "verbose_name_plural": "市", "ordering": ["code"]},
        ),
        migrations.CreateModel(
            name="District",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=12, unique=True, verbose_name="区划代码")),
                ("name", models.CharField(max_length=50, verbose_name="区")),
                (
                    "city",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="districts",
                        to="geo.city",
                        verbose_name="市",
                    ),
                ),
            ],
            options={
                "verbose_name": "区",
                "verbose_name_plural": "区",
                "ordering": ["code"],
                "constraints": [
                    models.UniqueConstraint(fields=("city", "name"), name="district_unique_name")
                ],
            },
        ),
        migrations.RenameField("subdistrict", "district", "district_name"),
        migrations.AddField(
            model_name="subdistrict",
            name="district",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="subdistricts",
                to="geo.district",
                verbose_name="区",
            ),
        ),
        migrations.AddField(
            model_name="subdistrict",
            name="kind",
            field=models.CharField(
                choices=[("street", "街道"), ("town", "镇")],
                default="street",
                max_length=10,
                verbose_name="类别",
            ),
        ),
        migrations.RunPython(assign_districts, migrations.RunPython.noop),
        migrations.RemoveField("subdistrict", "district_name"),
        migrations.AlterField(
            model_name="subdistrict",
            name="district",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="subdistricts",
                to="geo.district",
                verbose_name="区",
            ),
        ),
    ]
