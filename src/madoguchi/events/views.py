"""Event pages: public list and detail, iCal/CSV exports, group submission, staff review and feeds.

Thin: parse the request, call ``services``, render. Who may do what:
anyone reads published events; a community group member (login at
``/events/login/``) writes the group's events and submits them; staff create,
publish, reject and register neighbouring cities' feeds.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from . import ical, services, standard
from .feeds import refresh_feed_task
from .forms import EventForm, FeedForm, FilterForm, RejectForm
from .models import Event, EventFeed
from .syndication import when_text

PAGE_SIZE = 20
EXPORT_MAX_EVENTS = 5000
FILTER_KEYS = ("q", "from", "to", "area", "category", "source")


def query_from_request(request: HttpRequest) -> tuple[services.EventQuery, FilterForm]:
    """The list filters of a GET request (bad values are dropped; the form shows their errors)."""
    form = FilterForm(request.GET or None, facets=services.facet_values())
    data = form.cleaned_data if form.is_valid() else {
        k: v for k, v in getattr(form, "cleaned_data", {}).items() if k not in form.errors}
    source = request.GET.get("source")
    return services.EventQuery(date_from=data.get("from"), date_to=data.get("to"), area=data.get("area") or None,
                               category=data.get("category") or None, q=data.get("q") or None,
                               source=source if source in ("local", "feeds") else None), form


def _active(request: HttpRequest) -> dict:
    return {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    query, form = query_from_request(request)
    error = None
    try:
        qs = services.search_events(query)
    except services.EventError as exc:
        error, qs = exc.message, services.search_events(services.EventQuery(q=query.q))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    active = _active(request)
    suffix = ("?" + urlencode(active)) if active else ""

    def page_href(number: int) -> str:
        return "?" + urlencode({**active, "page": number})

    return render(request, "events/list.html", {
        "form": form, "page": page, "events": [(e, when_text(e)) for e in page.object_list], "error": error,
        "filtered": any([query.date_from, query.date_to, query.area, query.category, query.q, query.source]),
        "suffix": suffix,
        "prev_href": page_href(page.number - 1) if page.has_previous() else None,
        "next_href": page_href(page.number + 1) if page.has_next() else None,
    })


def _visible(request: HttpRequest, event_id: int) -> Event:
    """A published event; an unpublished one only for staff and the members of its group."""
    event = get_object_or_404(Event.objects.select_related("feed", "group"), pk=event_id)
    if event.state == Event.State.PUBLISHED or request.user.is_staff:
        return event
    if event.group_id and services.groups_of(request.user).filter(pk=event.group_id).exists():
        return event
    raise Http404("イベントはありません")


@require_GET
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _visible(request, event_id)
    return render(request, "events/detail.html", {
        "event": event, "when": when_text(event), "can_edit": services.can_edit(request.user, event),
        "reject_form": RejectForm() if request.user.is_staff else None,
        "is_member": event.group_id and services.groups_of(request.user).filter(pk=event.group_id).exists()})


@require_GET
def calendar_ics(request: HttpRequest) -> HttpResponse:
    """iCalendar (RFC 5545) of the events the list shows for the same filters (at most 5,000)."""
    query, _ = query_from_request(request)
    try:
        events = list(services.search_events(query)[:EXPORT_MAX_EVENTS])
    except services.EventError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    body = ical.to_ical(events, host=request.get_host().split(":")[0], name="イベント情報（窓口 madoguchi）",
                        page_url=lambda e: request.build_absolute_uri(e.get_absolute_url()))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response


@require_GET
def events_csv(request: HttpRequest) -> HttpResponse:
    """The events as CSV in the standard layout (自治体標準オープンデータセット イベント一覧, 80 columns)."""
    query, _ = query_from_request(request)
    try:
        events = list(services.search_events(query)[:EXPORT_MAX_EVENTS])
    except services.EventError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(standard.write_csv(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="events.csv"'
    return response


# --- community groups and staff: writing ----------------------------------------------------------

class LoginView(auth_views.LoginView):
    template_name = "events/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return "/events/mine/"


@login_required(login_url="/events/login/")
def my_events(request: HttpRequest) -> HttpResponse:
    groups = list(services.groups_of(request.user))
    if not groups and not request.user.is_staff:
        return render(request, "events/mine.html", {"groups": [], "events": []}, status=403)
    events = Event.objects.filter(group__in=groups).select_related("group").order_by("-modified")
    return render(request, "events/mine.html", {"groups": groups, "events": events})


def _save_form(request: HttpRequest, form: EventForm, event: Event | None):
    try:
        if event is None:
            group = form.cleaned_data.get("group")
            return services.create_event(form.data_for_services(), user=request.user, group=group)
        return services.update_event(event, form.data_for_services(), user=request.user)
    except services.EventError as exc:
        form.add_error(exc.param if exc.param in form.fields else None, exc.message)
        return None


@login_required(login_url="/events/login/")
def event_new(request: HttpRequest) -> HttpResponse:
    groups = services.groups_of(request.user)
    if not request.user.is_staff and not groups.exists():
        raise Http404("登録団体のメンバーではありません")
    form = EventForm(request.POST or None, groups=None if request.user.is_staff else groups)
    if request.method == "POST" and form.is_valid():
        event = _save_form(request, form, None)
        if event is not None:
            messages.success(request, "下書きを保存しました。")
            return redirect("events:detail", event_id=event.pk)
    return render(request, "events/form.html", {"form": form, "event": None})


@login_required(login_url="/events/login/")
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=event_id)
    if not services.can_edit(request.user, event):
        raise Http404("編集できるイベントではありません")
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        if _save_form(request, form, event) is not None:
            messages.success(request, "保存しました。")
            return redirect("events:detail", event_id=event.pk)
    return render(request, "events/form.html", {"form": form, "event": event})


def _transition(request: HttpRequest, event_id: int, action, done: str, **kw) -> HttpResponse:
    event = get_object_or_404(Event, pk=event_id)
    try:
        action(event, user=request.user, **kw)
    except services.EventError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("events:detail", event_id=event.pk)


@require_POST
@login_required(login_url="/events/login/")
def event_submit(request: HttpRequest, event_id: int) -> HttpResponse:
    return _transition(request, event_id, services.submit_event, "審査に出しました。職員が確認してから公開されます。")


@require_POST
@staff_member_required
def event_publish(request: HttpRequest, event_id: int) -> HttpResponse:
    return _transition(request, event_id, services.publish_event, "公開しました。")


@require_POST
@staff_member_required
def event_reject(request: HttpRequest, event_id: int) -> HttpResponse:
    return _transition(request, event_id, services.reject_event, "差し戻しました。", note=request.POST.get("note", ""))


@require_POST
@staff_member_required
def event_unpublish(request: HttpRequest, event_id: int) -> HttpResponse:
    return _transition(request, event_id, services.unpublish_event, "公開を取り下げました。")


@staff_member_required
def staff_review(request: HttpRequest) -> HttpResponse:
    local = Event.objects.filter(feed__isnull=True).select_related("group")
    return render(request, "events/staff.html", {
        "submitted": local.filter(state=Event.State.SUBMITTED).order_by("submitted_at"),
        "drafts": local.filter(state=Event.State.DRAFT).order_by("-modified")[:50],
        "published_count": local.filter(state=Event.State.PUBLISHED).count(),
    })


@staff_member_required
def staff_feeds(request: HttpRequest) -> HttpResponse:
    form = FeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feed = services.register_feed(**form.cleaned_data)
        except services.EventError as exc:
            form.add_error(exc.param if exc.param in form.fields else None, exc.message)
        else:
            _queue_refresh(request, feed)
            return redirect("events:staff_feeds")
    return render(request, "events/feeds.html", {"form": form, "feeds": EventFeed.objects.all()})


@require_POST
@staff_member_required
def staff_feed_refresh(request: HttpRequest, feed_id: int) -> HttpResponse:
    _queue_refresh(request, get_object_or_404(EventFeed, pk=feed_id))
    return redirect("events:staff_feeds")


def _queue_refresh(request: HttpRequest, feed: EventFeed) -> None:
    """Queue the feed's fetch (``feeds.refresh_feed_task``); say its outcome if the backend ran it at once."""
    result = refresh_feed_task.enqueue(feed.pk)
    if result.status == "SUCCESSFUL":
        outcome = result.return_value
        (messages.success if outcome["ok"] else messages.error)(request, f"{feed.name}: {outcome['message']}")
    elif result.status == "FAILED":
        messages.error(request, f"{feed.name}: 取得できませんでした。管理者に連絡してください")
    else:
        messages.success(request, f"{feed.name}: 取得を受け付けました。まもなく反映されます（結果はこの一覧の「最終取得」に出ます）")
