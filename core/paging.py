"""Page sizes and page numbers from the URL, kept within bounds (issue 12, finding 6).

django-tables2's RequestConfig takes `?per_page=` as given: -1 answered 500, and a huge value
read every row at once. Lists paginate through `paginate_table` instead.
"""

from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import HttpRequest
from django_tables2 import RequestConfig, Table

MAX_PER_PAGE = 100


def page_size(
    request: HttpRequest, *, default: int, maximum: int = MAX_PER_PAGE, name: str = "per_page"
) -> int:
    """`?per_page=` between 1 and `maximum`; `default` when it is missing or not a number."""
    try:
        size = int(request.GET.get(name, ""))
    except ValueError:
        return default
    return min(max(size, 1), maximum)


def paginate_table(
    request: HttpRequest, table: Table, *, per_page: int, maximum: int = MAX_PER_PAGE
) -> Table:
    """What `RequestConfig(request, paginate={"per_page": per_page}).configure(table)` does
    (ordering from the URL, the page asked for, past the end the last page) with a page size
    that is always between 1 and `maximum`."""
    RequestConfig(request, paginate=False).configure(table)
    size = page_size(request, default=per_page, maximum=maximum, name=table.prefixed_per_page_field)
    page = request.GET.get(table.prefixed_page_field, 1)
    try:
        table.paginate(page=page, per_page=size)
    except PageNotAnInteger:
        table.page = table.paginator.page(1)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)
    return table
