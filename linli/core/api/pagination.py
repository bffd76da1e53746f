from rest_framework.pagination import PageNumberPagination

from linli.core.pagination import EstimatingPaginator


class Pagination(PageNumberPagination):
    """Page numbers; a huge unfiltered table reports the planner's estimate as its count."""

    django_paginator_class = EstimatingPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
