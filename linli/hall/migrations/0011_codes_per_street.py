"""Codes, prefixes and numbers are unique per street or hall, no longer per installation.

Every street's centre has its hall A, queue A, window 1, locker 1 and the standard item codes:
halls are unique by (street, code) (and by code among halls without a street), queues by
(hall, prefix), windows and lockers by (hall, number), items by (hall, code). Rows unique
across the installation before are unique per street too: no data changes.
"""

import django.core.validators
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0003_city_district"),
        ("hall", "0010_ticket_partial_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="hall",
            name="code",
            field=models.CharField(
                max_length=4,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Z0-9]{1,4}$", "大厅代码为 1–4 个大写英文字母或数字。"
                    )
                ],
                verbose_name="代码",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="code",
            field=models.CharField(max_length=40, verbose_name="事项编码"),
        ),
        migrations.AlterField(
            model_name="locker",
            name="number",
            field=models.PositiveSmallIntegerField(verbose_name="柜号"),
        ),
        migrations.AlterField(
            model_name="queue",
            name="prefix",
            field=models.CharField(max_length=3, verbose_name="字头"),
        ),
        migrations.AlterField(
            model_name="window",
            name="number",
            field=models.PositiveSmallIntegerField(verbose_name="窗口号"),
        ),
        migrations.AddConstraint(
            model_name="hall",
            constraint=models.UniqueConstraint(
                fields=("subdistrict", "code"), name="hall_code_per_street"
            ),
        ),
        migrations.AddConstraint(
            model_name="hall",
            constraint=models.UniqueConstraint(
                condition=models.Q(("subdistrict__isnull", True)),
                fields=("code",),
                name="hall_code_without_street",
            ),
        ),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.UniqueConstraint(fields=("hall", "code"), name="hall_item_code_once"),
        ),
        migrations.AddConstraint(
            model_name="locker",
            constraint=models.UniqueConstraint(
                fields=("hall", "number"), name="hall_locker_number_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="queue",
            constraint=models.UniqueConstraint(
                fields=("hall", "prefix"), name="hall_queue_prefix_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="window",
            constraint=models.UniqueConstraint(
                fields=("hall", "number"), name="hall_window_number_once"
            ),
        ),
    ]
