from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditRecord


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("动作"), required=False)
    actor = forms.CharField(label=_("操作人"), required=False)
    object = forms.CharField(label=_("对象"), required=False)
    outcome = forms.ChoiceField(
        label=_("结果"), required=False, choices=[("", "—"), *AuditRecord.Outcome.choices]
    )
