"""API of town tasks (docs/towntasks.md): ``/api/v1/town-tasks/`` lists and reads the villages' parts of the
tasks the caller sees — the town office its town's, a village's staff their village's, the admin all; grid
workers and everyone else find nothing (an empty list, a 404 for an id). The moves are actions on one part:
``sign``, ``start`` and ``report`` for the village's staff, ``accept`` and ``return`` for the town office
(the other side gets a 403); a move the state table does not allow is a 400, a stale ``version`` a 409
``towntask_changed`` (core/rest.py). Every write goes through ``towntasks.services``."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.rest import CountField

from . import selectors, services
from .models import ReportKind, Stage, TaskVillage, TaskVillageEvent


class TargetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("搜索"))
    state = django_filters.ChoiceFilter(choices=Stage.choices, label=gettext_lazy("状态"))
    report_kind = django_filters.ChoiceFilter(
        field_name="task__report_kind", choices=ReportKind.choices, label=gettext_lazy("反馈方式")
    )

    class Meta:
        model = TaskVillage
        fields = ["state", "village", "task"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(task__title__icontains=value) if value else queryset


class TownTaskEventSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = TaskVillageEvent
        fields = ["at", "by", "from_state", "to_state", "note"]


class TownTaskSerializer(serializers.ModelSerializer):
    task = serializers.IntegerField(source="task_id", read_only=True)
    title = serializers.CharField(source="task.title", read_only=True)
    instructions = serializers.CharField(source="task.instructions", read_only=True)
    deadline = serializers.DateField(source="task.deadline", read_only=True)
    report_kind = serializers.CharField(source="task.report_kind", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)

    class Meta:
        model = TaskVillage
        fields = [
            "id",
            "task",
            "title",
            "instructions",
            "deadline",
            "report_kind",
            "village",
            "village_name",
            "state",
            "version",
            "signed_at",
            "reported_at",
            "accepted_at",
            "feedback",
            "figures",
        ]


class TownTaskDetailSerializer(TownTaskSerializer):
    events = TownTaskEventSerializer(many=True, read_only=True)
    items_total = serializers.SerializerMethodField()
    items_ticked = serializers.SerializerMethodField()

    class Meta(TownTaskSerializer.Meta):
        fields = [*TownTaskSerializer.Meta.fields, "items_total", "items_ticked", "events"]

    def _progress(self, obj) -> selectors.Progress:
        if not hasattr(obj, "_progress"):
            obj._progress = selectors.item_progress([obj.pk]).get(obj.pk, selectors.Progress())
        return obj._progress

    def get_items_total(self, obj) -> int:
        return self._progress(obj).total

    def get_items_ticked(self, obj) -> int:
        return self._progress(obj).ticked


class MoveSerializer(serializers.Serializer):
    version = CountField(help_text=gettext_lazy("调用方看到的版本号（防止两人同时操作）。"))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ReportSerializer(MoveSerializer):
    feedback = serializers.CharField(max_length=4000)
    figures = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(max_length=40), min_length=2, max_length=2),
        required=False,
        default=list,
        max_length=services.MAX_FIGURES,
        help_text=gettext_lazy("[[名称, 数值], …]"),
    )


class TownTaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The villages' parts of town tasks in the caller's scope, newest task first."""

    filterset_class = TargetFilter
    queryset = TaskVillage.objects.none()  # for the schema generator; requests use get_queryset

    def get_serializer_class(self):
        return TownTaskSerializer if self.action == "list" else TownTaskDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TaskVillage.objects.none()
        qs = TaskVillage.objects.visible_to(self.request.user).select_related("task", "village")
        if self.action == "retrieve":
            qs = qs.prefetch_related("events__by")
        return qs.order_by("-task__created_at", "-pk")

    def _answer(self, target: TaskVillage) -> Response:
        fresh = self.get_queryset().prefetch_related("events__by").get(pk=target.pk)
        return Response(TownTaskDetailSerializer(fresh, context=self.get_serializer_context()).data)

    def _move(self, request, verb, *, with_note: bool = False):
        target = self.get_object()
        payload = MoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = payload.validated_data["version"]
        if version == 0:  # versions start at 1: a zero is no version the caller can have seen
            raise services.TargetChanged()
        kwargs = {"target": target, "by": request.user, "version": version}
        if with_note:
            kwargs["note"] = payload.validated_data["note"]
        return self._answer(verb(**kwargs))

    @extend_schema(request=MoveSerializer, responses={200: TownTaskDetailSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """签收 (the village's staff). A checklist task gets its households."""
        return self._move(request, services.target_sign)

    @extend_schema(request=MoveSerializer, responses={200: TownTaskDetailSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """分派办理 (the village's staff): the households go to their grids' workers."""
        return self._move(request, services.target_start)

    @extend_schema(request=ReportSerializer, responses={200: TownTaskDetailSerializer})
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """反馈 (the village's staff): the text, and the figures a figures task asks for."""
        target = self.get_object()
        payload = ReportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if data["version"] == 0:
            raise services.TargetChanged()
        moved = services.target_report(
            target=target,
            by=request.user,
            feedback=data["feedback"],
            figures=[[k.strip(), v.strip()] for k, v in data["figures"]],
            version=data["version"],
        )
        return self._answer(moved)

    @extend_schema(request=MoveSerializer, responses={200: TownTaskDetailSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """验收 (the town office)."""
        return self._move(request, services.target_accept, with_note=True)

    @extend_schema(request=MoveSerializer, responses={200: TownTaskDetailSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request, pk=None):
        """退回 (the town office), with the reason in ``note``."""
        return self._move(request, services.target_return, with_note=True)
