"""Forms and list filters of town tasks (docs/towntasks.md). The villages a task may go to are the town's
own (STYLE 2): a posted id from another town fails on its field like any bad value."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.forms import DateInput
from grids.models import Town, Village

from .models import OPEN_STAGES, ItemState, ReportKind, Stage, Task, TaskState, TaskVillage


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input; each is checked (photos re-encoded without metadata) by the service."""

    widget = MultipleFileInput

    def __init__(self, *args, accept: str = "", **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        if accept:
            self.widget.attrs.update({"accept": accept})

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class TaskForm(forms.Form):
    title = forms.CharField(label=_("任务名称"), max_length=100)
    instructions = forms.CharField(label=_("工作要求"), widget=forms.Textarea(attrs={"rows": 5}))
    deadline = forms.DateField(label=_("完成时限"), widget=DateInput())
    report_kind = forms.ChoiceField(
        label=_("反馈方式"),
        choices=ReportKind.choices,
        help_text=_("逐户排查：村签收后按户生成清单，由各网格的网格员在手机上逐户勾选。"),
    )
    all_villages = forms.BooleanField(label=_("交办全镇所有村"), required=False)
    villages = forms.ModelMultipleChoiceField(
        label=_("交办的村"), queryset=Village.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    files = FilesField(label=_("附件（通知、表格、照片）"))

    def __init__(self, *args, town: Town, **kwargs):
        super().__init__(*args, **kwargs)
        self.town = town
        self.fields["villages"].queryset = Village.objects.filter(town=town, archived_at__isnull=True).order_by("name")

    def clean_deadline(self):
        day = self.cleaned_data["deadline"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("完成时限不能早于今天。"))
        return day

    def clean(self):
        data = super().clean()
        if data.get("all_villages"):
            data["villages"] = list(self.fields["villages"].queryset)
        elif "villages" in data and not data["villages"]:
            self.add_error("villages", _("请选择交办的村，或勾选“交办全镇所有村”。"))
        return data


class ReportForm(forms.Form):
    feedback = forms.CharField(label=_("办理情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    figures = forms.CharField(
        label=_("反馈数据"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "排查户数：312\n发现问题：2"}),
        help_text=_("一行一项，写成“名称：数值”。"),
    )
    photos = FilesField(label=_("照片"), accept="image/*")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)


class TickForm(forms.Form):
    state = forms.ChoiceField(
        label=_("排查结果"),
        choices=[(ItemState.DONE, ItemState.DONE.label), (ItemState.NOT_APPLICABLE, ItemState.NOT_APPLICABLE.label)],
    )
    note = forms.CharField(label=_("情况说明"), required=False, max_length=200)
    photo = forms.ImageField(label=_("照片（可选）"), required=False)


OVERDUE_CHOICES = [("yes", _("已超期未反馈")), ("no", _("未超期"))]


class TaskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("任务名称或要求"), method="search")
    state = django_filters.ChoiceFilter(choices=TaskState.choices, label=_("状态"))
    report_kind = django_filters.ChoiceFilter(choices=ReportKind.choices, label=_("反馈方式"))
    overdue = django_filters.ChoiceFilter(choices=OVERDUE_CHOICES, label=_("超期"), method="by_overdue")

    class Meta:
        model = Task
        fields = ["q", "state", "report_kind", "overdue"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(instructions__icontains=value)) if value else queryset

    def by_overdue(self, queryset, name, value):
        """Past the deadline with a village still not reported."""
        late = Q(deadline__lt=timezone.localdate()) & Q(
            pk__in=TaskVillage.objects.filter(state__in=OPEN_STAGES).values("task_id")
        )
        return queryset.filter(late) if value == "yes" else queryset.exclude(late)


class TargetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("任务名称"), method="search")
    state = django_filters.ChoiceFilter(choices=Stage.choices, label=_("状态"))
    overdue = django_filters.ChoiceFilter(choices=OVERDUE_CHOICES, label=_("超期"), method="by_overdue")

    class Meta:
        model = TaskVillage
        fields = ["q", "state", "overdue"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(task__title__icontains=value) if value else queryset

    def by_overdue(self, queryset, name, value):
        late = Q(task__deadline__lt=timezone.localdate(), state__in=OPEN_STAGES)
        return queryset.filter(late) if value == "yes" else queryset.exclude(late)
