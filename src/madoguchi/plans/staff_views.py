"""Staff pages under ``/plans/staff/``: create and edit plans, enter actuals and targets,
write evaluations, read the audit log. All writes go through ``services`` (audited)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import forms, reports, services
from .models import AuditLogEntry, Indicator, Plan, Policy


def _fail(form, exc: services.PlanError) -> None:
    form.add_error(exc.param if exc.param in form.fields else None, exc.message)


def _policy(slug: str, code: str) -> Policy:
    return get_object_or_404(Policy.objects.select_related("plan", "area"), plan__slug=slug, code=code)


@staff_member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    upload = forms.PlanFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if request.POST.get("form") == "bundled":
            results = services.load_bundled(actor=request.user)
            messages.success(request, _("同梱の計画ファイルを読み込みました（%(files)s）")
                             % {"files": _("、").join(r.file for r in results)})
            return redirect("plans_staff:staff")
        if upload.is_valid():
            f = upload.cleaned_data["file"]
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / Path(f.name).name
                path.write_bytes(f.read())
                try:
                    result = services.load_plan_file(path, actor=request.user)
                except (services.PlanFileError, services.PlanError) as exc:
                    upload.add_error("file", str(exc))
                else:
                    messages.success(request, _("%(file)s を読み込みました（作成 %(created)s、変更 %(changed)s）")
                                     % {"file": result.file, "created": result.created, "changed": result.changed})
                    for warning in result.warnings:
                        messages.warning(request, warning)
                    return redirect("plans_staff:staff")
    return render(request, "plans/staff/dashboard.html", {
        "plans": Plan.objects.select_related("parent"), "upload": upload,
        "recent": AuditLogEntry.objects.select_related("plan")[:10]})


@staff_member_required
def plan_create(request: HttpRequest) -> HttpResponse:
    form = forms.PlanCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            plan = services.create_plan(actor=request.user, **data)
        except services.PlanError as exc:
            _fail(form, exc)
        else:
            messages.success(request, f"計画「{plan.name}」を作成しました")
            return redirect("plans_staff:staff_plan", slug=plan.slug)
    return render(request, "plans/staff/plan_create.html", {"form": form})


@staff_member_required
def plan_edit(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_object_or_404(Plan, slug=slug)
    which = request.POST.get("form") if request.method == "POST" else None
    plan_form = forms.PlanForm(request.POST if which == "plan" else None, instance=Plan.objects.get(pk=plan.pk),
                               prefix="plan")
    area_form = forms.AreaForm(request.POST if which == "area" else None, plan=plan, prefix="area")
    policy_form = forms.PolicyForm(request.POST if which == "policy" else None, plan=plan, prefix="policy")
    try:
        if which == "plan" and plan_form.is_valid():
            services.update_object(plan, plan_form.cleaned_data, actor=request.user)
            messages.success(request, "計画を保存しました")
            return redirect("plans_staff:staff_plan", slug=slug)
        if which == "area" and area_form.is_valid():
            data = {k: v for k, v in area_form.cleaned_data.items() if k != "form"}
            services.add_area(plan, actor=request.user, **data)
            messages.success(request, f"「{data['name']}」を追加しました")
            return redirect("plans_staff:staff_plan", slug=slug)
        if which == "policy" and policy_form.is_valid():
            data = {k: v for k, v in policy_form.cleaned_data.items() if k != "form"}
            policy = services.add_policy(plan, actor=request.user, **data)
            messages.success(request, f"施策「{policy.name}」を追加しました")
            return redirect("plans_staff:staff_policy", slug=slug, code=policy.code)
    except services.PlanError as exc:
        _fail({"plan": plan_form, "area": area_form, "policy": policy_form}[which], exc)
    return render(request, "plans/staff/plan.html", {
        "plan": plan, "plan_form": plan_form, "area_form": area_form, "policy_form": policy_form,
        "tree": reports.plan_tree(plan)})


@staff_member_required
def policy_edit(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    policy = _policy(slug, code)
    plan = policy.plan
    which = request.POST.get("form") if request.method == "POST" else None
    initial = {"code": policy.code, "name": policy.name, "short_name": policy.short_name,
               "direct_goal": policy.direct_goal, "area": policy.area}
    policy_form = forms.PolicyForm(request.POST if which == "policy" else None, initial=initial, plan=plan,
                                   prefix="policy")
    indicator_form = forms.IndicatorForm(request.POST if which == "indicator" else None, prefix="indicator")
    measure_form = forms.MeasureForm(request.POST if which == "measure" else None, policy=policy, prefix="measure")
    try:
        if which == "policy" and policy_form.is_valid():
            data = {k: v for k, v in policy_form.cleaned_data.items() if k != "form"}
            services.update_object(policy, data, actor=request.user)
            messages.success(request, "施策を保存しました")
            return redirect("plans_staff:staff_policy", slug=slug, code=policy.code)
        if which == "indicator" and indicator_form.is_valid():
            data = {k: v for k, v in indicator_form.cleaned_data.items() if k != "form"}
            indicator = services.add_indicator(policy, actor=request.user, **data)
            messages.success(request, f"指標「{indicator.name}」を追加しました")
            return redirect("plans_staff:staff_indicator", slug=slug, code=code, indicator=indicator.code)
        if which == "measure" and measure_form.is_valid():
            data = {k: v for k, v in measure_form.cleaned_data.items() if k != "form"}
            services.add_measure(policy, actor=request.user, **data)
            messages.success(request, f"取組「{data['name']}」を追加しました")
            return redirect("plans_staff:staff_policy", slug=slug, code=code)
        if which == "refresh":
            n = services.refresh_metric_actuals(policy, actor=request.user)
            messages.success(request, f"自動集計の実績値を {n} 件更新しました")
            return redirect("plans_staff:staff_policy", slug=slug, code=code)
    except services.PlanError as exc:
        _fail({"policy": policy_form, "indicator": indicator_form, "measure": measure_form}[which], exc)
    report = reports.policy_report(policy)
    return render(request, "plans/staff/policy.html", {
        "plan": plan, "policy": policy, "report": report, "policy_form": policy_form,
        "indicator_form": indicator_form, "measure_form": measure_form,
        "bound": any(r.indicator.metric_id for r in report.indicators),
        "years": sorted(set(report.years) | {e.year for e in report.evaluations}, reverse=True)})


@staff_member_required
def indicator_edit(request: HttpRequest, slug: str, code: str, indicator: str) -> HttpResponse:
    policy = _policy(slug, code)
    ind = get_object_or_404(Indicator, policy=policy, code=indicator)
    which = request.POST.get("form") if request.method == "POST" else None
    initial = {f: getattr(ind, f) for f in ("code", "name", "method", "unit", "direction", "baseline_year",
                                            "baseline_value", "metric_id")}
    edit = forms.IndicatorForm(request.POST if which == "indicator" else None, initial=initial, prefix="indicator")
    target = forms.TargetForm(request.POST if which == "target" else None, prefix="target")
    revise = forms.ReviseTargetForm(request.POST if which == "revise" else None, indicator=ind, prefix="revise")
    actual = forms.ActualForm(request.POST if which == "actual" else None, prefix="actual")
    here = redirect("plans_staff:staff_indicator", slug=slug, code=code, indicator=ind.code)
    try:
        if which == "indicator" and edit.is_valid():
            data = {k: v for k, v in edit.cleaned_data.items() if k != "form"}
            services.update_object(ind, data, actor=request.user)
            messages.success(request, "指標を保存しました")
            return redirect("plans_staff:staff_indicator", slug=slug, code=code, indicator=ind.code)
        if which == "target" and target.is_valid():
            data = {k: v for k, v in target.cleaned_data.items() if k != "form"}
            services.add_target(ind, actor=request.user, **data)
            messages.success(request, f"{data['year']}年度の目標値を追加しました")
            return here
        if which == "revise" and revise.is_valid():
            data = revise.cleaned_data
            services.revise_target(data["target"], actor=request.user, value=data["value"], reason=data["reason"])
            messages.success(request, "目標値を見直しました（見直し前の値と理由は履歴に残ります）")
            return here
        if which == "actual" and actual.is_valid():
            data = actual.cleaned_data
            services.set_actual(ind, data["year"], data["value"], actor=request.user)
            messages.success(request, f"{data['year']}年度の実績値を保存しました")
            return here
    except services.PlanError as exc:
        _fail({"indicator": edit, "target": target, "revise": revise, "actual": actual}[which], exc)
    return render(request, "plans/staff/indicator.html", {
        "plan": policy.plan, "policy": policy, "indicator": ind, "report": services.indicator_report(ind),
        "edit": edit, "target": target, "revise": revise, "actual": actual})


@staff_member_required
def evaluation_edit(request: HttpRequest, slug: str, code: str, year: int) -> HttpResponse:
    policy = _policy(slug, code)
    status = services.evaluation_status(policy, year)
    e = status.evaluation
    initial = {f: getattr(e, f) for f in ("progress_grade", "progress_reason", "override_reason", "direction_grade",
                                          "direction_reason")} if e else {"progress_grade": status.suggestion.grade}
    form = forms.EvaluationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_evaluation(policy, year, actor=request.user, **form.cleaned_data)
        except services.PlanError as exc:
            _fail(form, exc)
        else:
            messages.success(request, f"{year}年度の評価を保存しました")
            return redirect("plans:sheet", slug=slug, code=code, year=year)
    return render(request, "plans/staff/evaluation.html", {
        "plan": policy.plan, "policy": policy, "year": year, "status": status, "form": form})


@staff_member_required
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_object_or_404(Plan, slug=slug)
    page = Paginator(AuditLogEntry.objects.filter(plan=plan).select_related("user"), 50).get_page(
        request.GET.get("page"))
    return render(request, "plans/staff/audit.html", {"plan": plan, "page": page})
