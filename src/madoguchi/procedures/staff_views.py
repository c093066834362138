"""Staff pages of the procedure guide (``/staff/procedures/…``): list with filters, edit what the city offers.

Who may call: staff (``is_staff``; others are sent to the log-in page). Every POST needs the CSRF token; changes
are saved through ``services.update_procedure``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import services


class ProcedureForm(forms.Form):
    offered = forms.BooleanField(label="この市で受け付ける", required=False)
    online_here = forms.BooleanField(label="オンラインで完結できる", required=False)
    online_url = forms.CharField(label="オンライン申請の URL", required=False, max_length=500,
                                 help_text="例: /procedures/apply/jumin-hyo/ または https://…")
    department = forms.CharField(label="担当課", required=False, max_length=200)
    how_to_apply = forms.CharField(label="申請先・申請方法", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    bring = forms.CharField(label="添付書類・持ち物", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    fee = forms.CharField(label="手数料", required=False, widget=forms.Textarea(attrs={"rows": 2}))


@staff_member_required
def staff_list(request: HttpRequest) -> HttpResponse:
    """``?q=`` search, ``show=offered|online|all`` (default offered), 50 a page."""
    q = request.GET.get("q", "").strip()[:200]
    show = request.GET.get("show", "offered")
    qs = services.filter_procedures(q, offered_only=show in ("offered", "online"))
    if show == "online":
        qs = qs.filter(online_here=True)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    online, offered = services.offered_online_counts()
    return render(request, "procedures/staff_list.html", {"q": q, "show": show, "page": page,
                                                          "online": online, "offered": offered})


@staff_member_required
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        procedure = services.get(pk)
    except services.ProcedureError:
        raise Http404("no such procedure") from None
    if request.method == "POST":
        form = ProcedureForm(request.POST)
        if form.is_valid():
            try:
                services.update_procedure(procedure, **form.cleaned_data)
            except services.ProcedureError as e:
                form.add_error(e.param if e.param in form.fields else None, e.message)
            else:
                messages.success(request, f"「{procedure.name}」を保存しました")
                return redirect("procedures_staff:list")
    else:
        form = ProcedureForm(initial={name: getattr(procedure, name) for name in services.EDITABLE})
    return render(request, "procedures/staff_edit.html", {"p": procedure, "form": form})
