"""Small helpers every app's pages share: paging a list, answering with a workbook or a stored file."""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils import timezone

from .db import joins_as_written

PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class IdFirstPaginator(Paginator):
    """Pages a queryset in two steps: the page's ids (in the list's order), then those rows with all
    their joins and computed columns. A deep page (``OFFSET 20000``) then skips bare ids along an
    index instead of building 20,000 full rows to throw away (at a million residents the town's household
    list at page 400 took 1.3 s, its subqueries run for every skipped row)."""

    def __init__(self, object_list, per_page, *args, count_with_ids: bool = False, rows=None, **kwargs):
        """``count_with_ids``: the list is searched, so reading its page's ids reads every matching row anyway
        (no index gives them in the list's order); the count is then taken in the same statement
        (docs/performance.md, "A searched list's count"). Not for a list read in an index's order, whose
        ids statement stops after the page: counting in it would read the whole list.
        ``rows``: what the page's rows add to the list's queryset (the names a row shows, its computed
        columns), applied to the rows' statement only: a column joined from another table and put on the
        list would join that table in the ids' and the count's statements too (docs/performance.md, "What a
        row shows")."""
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count_with_ids = count_with_ids
        self.rows = rows

    def get_page(self, number):
        """Django's, without validating the number first (which counts): ``page`` reads the ids, then validates."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)

    def page(self, number):
        if not isinstance(self.object_list, QuerySet):  # a sequence in its own order (core/natural.py)
            return super().page(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().page(number)  # Django's own answer to a page that is not a number
        if number < 1:
            return super().page(number)  # likewise (EmptyPage), without a query
        bottom = (number - 1) * self.per_page
        if self.count_with_ids and "count" not in self.__dict__ and not self.object_list.query.distinct:
            # The page's ids and the list's count in one statement (``count(*) OVER ()``, computed before the
            # page is cut): one scan of the matching rows instead of two, and a statement less.
            found = list(
                self.object_list.annotate(_listed=Window(Count("pk"))).values_list("pk", "_listed")[
                    bottom : bottom + self.per_page
                ]
            )
            ids = [pk for pk, _n in found]
            if found:
                self.count = found[0][1]
        else:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        if "count" not in self.__dict__ and len(ids) < self.per_page and (ids or number == 1):
            # The last page, read: the count is known without asking the database (a list of fewer rows than a
            # page, most of a village's lists, is a query shorter; docs/performance.md, "What every page pays").
            self.count = bottom + len(ids)
        number = self.validate_number(number)
        # The rows keep the list's filters and scope: the two statements see the database at two moments, and a
        # row that left the list in between (erased, archived, out of scope) must not be shown
        # (docs/performance.md, "Rows of a page").
        page_rows = self.object_list.order_by().filter(pk__in=ids)
        if self.rows is not None:
            page_rows = self.rows(page_rows)
        with joins_as_written():  # the rows by their ids, then what each joins by key
            rows = {row.pk: row for row in page_rows}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def paginate(request: HttpRequest, queryset, per_page: int = PER_PAGE, rows=None, *, reads_all: bool = False):
    """The requested page, and the query string without ``page`` (for the pager's links); ``rows`` as
    ``IdFirstPaginator``'s. ``reads_all``: the list's order is computed (a case's deadline), so its ids
    statement reads every row of the list whatever is asked, and the count is taken in it, as for a search."""
    searched = bool(request.GET.get("q", "").strip())  # every list's search box
    paginator = IdFirstPaginator(queryset, per_page, count_with_ids=searched or reads_all, rows=rows)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stamped_xlsx_response(content: bytes, prefix: str) -> HttpResponse:
    """A workbook download named ``<prefix>-<local time as YYYYmmdd-HHMM>.xlsx``, as every export is."""
    return xlsx_response(content, f"{prefix}-{timezone.localtime():%Y%m%d-%H%M}.xlsx")


def stored_file_response(field, *, content_type: str = "image/jpeg", filename: str | None = None) -> FileResponse:
    """A stored file (a photo, an attachment) answered through the page that checked who may see it, never
    a public media URL: kept privately by the browser for an hour; a file gone from storage is a 404;
    ``filename`` sends it as a download under that name."""
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, as_attachment=bool(filename), filename=filename or "")
    response["Cache-Control"] = "private, max-age=3600"
    return response
