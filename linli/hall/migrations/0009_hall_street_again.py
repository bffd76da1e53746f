from django.db import migrations


def assign_the_street(apps, schema_editor):
    """Halls created on the set-up page after 0008 had no street: on a one-street
    installation they are that street's. With more streets such a hall stays without one and
    no street account sees it until an administrator gives it its street (``admin``)."""
    Hall = apps.get_model("hall", "Hall")
    Subdistrict = apps.get_model("geo", "Subdistrict")
    streets = list(Subdistrict.objects.values_list("pk", flat=True)[:2])
    if len(streets) == 1:
        Hall.objects.filter(subdistrict__isnull=True).update(subdistrict_id=streets[0])


class Migration(migrations.Migration):
    dependencies = [("hall", "0008_hall_street")]

    operations = [migrations.RunPython(assign_the_street, migrations.RunPython.noop)]
