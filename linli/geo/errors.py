from linli.core.errors import DomainError


class GeoError(DomainError):
    code = "geo_error"


class IdentityNumberInvalid(GeoError):
    code = "identity_number_invalid"
