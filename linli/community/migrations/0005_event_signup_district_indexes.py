"""Indexes of the district comparison's activity figures (``queries.street_activity``): a
committee's events and a street's own events by time, and the sign-ups' state and check-in
next to their event (index-only counts on PostgreSQL)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0004_names_per_street"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["committee", "starts_at"], name="community_event_host_time"),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("committee__isnull", True)),
                fields=["subdistrict", "starts_at"],
                name="community_event_street_time",
            ),
        ),
        migrations.AddIndex(
            model_name="signup",
            index=models.Index(
                fields=["event"], include=("state", "checked_in_at"), name="community_signup_counts"
            ),
        ),
    ]
