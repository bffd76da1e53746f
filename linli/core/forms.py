from typing import Any

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


class ImportForm(forms.Form):
    """The upload of an Excel import: an .xlsx no larger than ``LINLI_MAX_UPLOAD_BYTES``."""

    file = forms.FileField(label=_("Excel 文件 (.xlsx)"))

    def clean_file(self) -> Any:
        from django.conf import settings

        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 文件"))
        if upload.size > settings.LINLI_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("文件过大：上限为 %(mb)d MB") % {"mb": settings.LINLI_MAX_UPLOAD_BYTES // 2**20}
            )
        return upload
