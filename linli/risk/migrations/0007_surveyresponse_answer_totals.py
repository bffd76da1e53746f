"""Each survey answer's sum and count, stored next to its answers, and an index by committee
that holds them: the district comparison sums a street's answers in SQL (``survey.street_scores``)
instead of reading every answer's JSON. Existing answers are filled in here."""

from typing import Any

from django.db import migrations, models

BATCH = 2000


def fill_totals(apps: Any, schema_editor: Any) -> None:
    """``answer_total`` and ``answer_count`` of the answers entered before this migration."""
    if schema_editor.connection.vendor == "postgresql":  # one statement, no rows through Python
        schema_editor.execute(
            "UPDATE risk_surveyresponse SET "
            "answer_total = (SELECT coalesce(sum(a::integer), 0) "
            "FROM jsonb_array_elements_text(answers) AS a), "
            "answer_count = jsonb_array_length(answers)"
        )
        return
    SurveyResponse = apps.get_model("risk", "SurveyResponse")
    db = schema_editor.connection.alias
    batch = []
    for response in SurveyResponse.objects.using(db).only("pk", "answers").iterator(BATCH):
        response.answer_total, response.answer_count = sum(response.answers), len(response.answers)
        batch.append(response)
        if len(batch) == BATCH:
            SurveyResponse.objects.using(db).bulk_update(batch, ["answer_total", "answer_count"])
            batch = []
    SurveyResponse.objects.using(db).bulk_update(batch, ["answer_total", "answer_count"])


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0003_city_district"),
        ("risk", "0006_round_street"),
    ]

    operations = [
        migrations.AddField(
            model_name="surveyresponse",
            name="answer_total",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddField(
            model_name="surveyresponse",
            name="answer_count",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.RunPython(fill_totals, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="surveyresponse",
            index=models.Index(
                fields=["committee", "survey"],
                include=("answer_total", "answer_count"),
                name="risk_survey_committee_totals",
            ),
        ),
    ]
