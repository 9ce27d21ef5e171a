"""API of monthly reports: read (the frozen version when submitted, live figures for a draft), and the
review actions — submit (staff), approve and return (town office)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.rest import CountField
from grids import access
from grids.models import Village

from . import exports, scorecard, services
from .models import FIGURE_BLOCKS, SECTIONS, MonthlyReport


class ReportSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "village",
            "village_name",
            "month",
            "state",
            "revision",
            *SECTIONS,
            "submitted_at",
            "approved_at",
        ]


class ReportDetailSerializer(ReportSerializer):
    figures = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "figures", "versions"]

    def get_figures(self, report) -> dict:
        latest = report.versions.order_by("-number").first() if not report.editable else None
        return latest.figures if latest else exports.live_figures(report)

    def get_versions(self, report) -> list[dict]:
        return [{"number": v.number, "submitted_at": v.submitted_at} for v in report.versions.order_by("number")]


class RevisionSerializer(serializers.Serializer):
    revision = CountField(help_text="the report's revision you saw; a stale one is refused")


class ReturnSerializer(RevisionSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", help_text="on the whole report")
    sections = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="comments per part: " + ", ".join([*SECTIONS, *FIGURE_BLOCKS]),
    )

    def validate_sections(self, value):
        unknown = set(value) - set(SECTIONS) - set(FIGURE_BLOCKS)
        if unknown:
            raise serializers.ValidationError(_("未知的部分：%s") % ", ".join(sorted(unknown)))
        return value


class SectionsSerializer(RevisionSerializer):
    work_done = serializers.CharField(required=False, allow_blank=True)
    problems = serializers.CharField(required=False, allow_blank=True)
    next_plan = serializers.CharField(required=False, allow_blank=True)
    good_practices = serializers.CharField(required=False, allow_blank=True)


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Reports of the villages the caller keeps or oversees (village staff, town office)."""

    filterset_fields = ["village", "month", "state"]

    def get_serializer_class(self):
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    def get_queryset(self):
        return (
            MonthlyReport.objects.visible_to(self.request.user)
            .select_related("village__town")
            .order_by("-month", "village")
        )

    def _answer(self, report):
        return Response(ReportDetailSerializer(report, context=self.get_serializer_context()).data)

    @extend_schema(request=SectionsSerializer, responses=ReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def sections(self, request, pk=None):
        """Save the written sections of a draft or returned report (the ones left out keep their text)."""
        report = self.get_object()
        payload = SectionsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        revision = data.pop("revision")
        texts = {name: data.get(name, getattr(report, name)) for name in SECTIONS}
        return self._answer(services.report_save(report=report, by=request.user, revision=revision, **texts))

    @extend_schema(request=RevisionSerializer, responses=ReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        payload = RevisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = services.report_submit(
            report=self.get_object(), by=request.user, revision=payload.validated_data["revision"]
        )
        return self._answer(report)

    @extend_schema(request=RevisionSerializer, responses=ReportDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        payload = RevisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        report = services.report_approve(
            report=self.get_object(), by=request.user, revision=payload.validated_data["revision"]
        )
        return self._answer(report)

    @extend_schema(request=ReturnSerializer, responses=ReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        payload = ReturnSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        comments = [("", data["comment"]), *data["sections"].items()]
        report = services.report_return(
            report=self.get_object(), by=request.user, revision=data["revision"], comments=comments
        )
        return self._answer(report)


# --- The 六好 scorecard (docs/scorecard.md) ----------------------------------------------------------------


class ScoreIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.IntegerField(allow_null=True, help_text="null: nothing to measure in the period (无记录)")
    target = serializers.DecimalField(max_digits=8, decimal_places=1, coerce_to_string=False)
    comparison = serializers.ChoiceField(choices=["ge", "le"])
    met = serializers.BooleanField(allow_null=True)
    previous = serializers.IntegerField(allow_null=True, help_text="the previous period's value")
    trend = serializers.ChoiceField(choices=["up", "down", "same"], allow_null=True)
    url = serializers.CharField(allow_null=True, help_text="the page listing the records behind it")
    weight = serializers.IntegerField(help_text="0: shown only, not scored")


class CriterionScoreSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    score = serializers.IntegerField(allow_null=True, help_text="0–100; null when no indicator is measurable")
    indicators = ScoreIndicatorSerializer(many=True)


class ScorecardSerializer(serializers.Serializer):
    village = serializers.IntegerField(source="village_id")
    village_name = serializers.SerializerMethodField()
    period = serializers.CharField(source="period.key")
    period_label = serializers.CharField(source="period.label")
    total = serializers.IntegerField(allow_null=True)
    criteria = CriterionScoreSerializer(many=True)

    def get_village_name(self, card) -> str:
        return self.context["names"].get(card.village_id, "")


@extend_schema(
    parameters=[
        OpenApiParameter("village", int, description="one village (out of scope: 404); left out: every village seen"),
        OpenApiParameter("period", str, description="2026, 2026-Q4 or 2026-11; left out: the current year"),
    ]
)
class ScorecardViewSet(viewsets.GenericViewSet):
    """The 六好 scorecard of the villages the caller keeps (village staff) or oversees (town office), computed
    from the records when asked. Grid workers and Party-member logins see no village's scorecard."""

    serializer_class = ScorecardSerializer
    filter_backends: list = []

    def get_queryset(self):
        user = self.request.user
        return (
            Village.objects.filter(access.visible_q(user, town="town", village="pk"))
            .filter(archived_at__isnull=True)
            .order_by("name", "pk")
        )

    def list(self, request):
        try:
            period = scorecard.parse(request.query_params.get("period"))
        except scorecard.BadPeriod as error:
            raise serializers.ValidationError({"period": [str(error)]}) from None
        villages = self.get_queryset()
        raw = request.query_params.get("village")
        if raw:
            if not raw.isdecimal() or int(raw) > 2**31 - 1:
                raise serializers.ValidationError({"village": [_("请填写村的编号（整数）。")]})
            villages = villages.filter(pk=int(raw))
            if not villages.exists():
                raise Http404
        page = self.paginate_queryset(villages.only("pk", "name"))
        cards = scorecard.compute([v.pk for v in page], period)
        context = {**self.get_serializer_context(), "names": {v.pk: v.name for v in page}}
        data = ScorecardSerializer([cards[v.pk] for v in page], many=True, context=context).data
        return self.get_paginated_response(data)
