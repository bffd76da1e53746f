"""Errors of the notice service; messages name the field and never carry a phone number."""

from linli.core.errors import DomainError


class NoticeError(DomainError):
    code = "notice_error"


class UnknownKind(NoticeError):
    code = "notice_unknown_kind"


class ParamsInvalid(NoticeError):
    """A placeholder of the kind's text has no value, or a value is not text."""

    code = "notice_params_invalid"


class RecipientInvalid(NoticeError):
    """No recipient, a malformed phone or address, or a channel the kind does not use."""

    code = "notice_recipient_invalid"
