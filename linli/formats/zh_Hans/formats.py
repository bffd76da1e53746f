# One way to write a date on every page and in both languages: YYYY-MM-DD (GB/T 7408 / ISO 8601),
# unambiguous for residents, staff and screen readers alike. Templates that need a weekday add it
# (``|date:"Y-m-d l"``).
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
MONTH_DAY_FORMAT = "m-d"
YEAR_MONTH_FORMAT = "Y-m"
TIME_FORMAT = "H:i"
