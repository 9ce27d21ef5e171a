"""API of visits: list what the caller may see, record a visit (idempotent), and the grid worker's
work list for the month."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.natural import NaturalOrder
from core.rest import IDEMPOTENCY_HEADER, IdempotentCreateMixin, ScopedPrimaryKey
from disputes.models import Category
from grids import access
from residents.models import Household, KeyPerson, KeyPlace

from . import due, services, summary
from .models import Finding, NotPossibleReason, Outcome, Subject, Visit


class VisitSerializer(serializers.ModelSerializer):
    household = ScopedPrimaryKey(model=Household, required=False, allow_null=True)
    key_person = ScopedPrimaryKey(model=KeyPerson, required=False, allow_null=True)
    key_place = ScopedPrimaryKey(model=KeyPlace, required=False, allow_null=True)
    visited_on = serializers.DateField(required=False)
    reason = serializers.ChoiceField(choices=NotPossibleReason.choices, required=False, allow_blank=True)
    case_category = serializers.ChoiceField(choices=Category.choices, required=False, write_only=True)
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, write_only=True, help_text="multipart/form-data only"
    )
    worker = serializers.StringRelatedField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "worker",
            "subject",
            "household",
            "key_person",
            "key_place",
            "village",
            "grid",
            "visited_on",
            "month",
            "late",
            "outcome",
            "reason",
            "finding",
            "note",
            "latitude",
            "longitude",
            "case",
            "case_category",
            "photos",
            "recorded_at",
        ]
        read_only_fields = ["subject", "village", "grid", "month", "late", "case", "recorded_at"]

    def validate(self, attrs):
        targets = [attrs.get(name) for name in ("household", "key_person", "key_place") if attrs.get(name)]
        if len(targets) != 1:
            raise ValidationError({"household": [_("请指定且只指定一个走访对象：户、重点人员或重点场所。")]})
        attrs["target"] = targets[0]
        return attrs


class VisitViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = VisitSerializer
    filterset_fields = ["subject", "outcome", "finding", "grid", "month"]

    def get_queryset(self):
        return Visit.objects.visible_to(self.request.user).select_related("worker").order_by("-visited_on", "-pk")

    @extend_schema(parameters=[IDEMPOTENCY_HEADER])
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        visit, _created = services.visit_record(
            worker=self.request.user,
            target=data["target"],
            visited_on=data.get("visited_on"),
            outcome=data.get("outcome", Outcome.DONE),
            reason=data.get("reason", ""),
            finding=data.get("finding", Finding.NOTHING),
            note=data.get("note", ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            case_category=data.get("case_category", ""),
            photos=data.get("photos", []),
        )
        serializer.instance = visit


class WorkListView(APIView):
    """The grid worker's month: progress, key persons (overdue first), households and places still to visit."""

    @extend_schema(
        responses=inline_serializer(
            "WorkList",
            {
                "month": serializers.DateField(),
                "progress": serializers.DictField(),
                "key_persons": serializers.ListField(child=serializers.DictField()),
                "households": serializers.ListField(child=serializers.DictField()),
                "key_places": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    def get(self, request):
        scope = access.scope_for(request.user)
        if not scope.grid_ids:
            raise PermissionDenied(_("工作清单供网格员使用。"))
        month = due.month_start(timezone.localdate())
        grids = sorted(scope.grid_ids)
        keys = due.key_persons_due(grids, month)
        places_due = list(due.key_places_due(grids, month))
        progress = summary.households_progress(grids, month, summary.key_figures(keys, places_due))
        open_keys = due.most_urgent_first(keys)
        # In walking order: by micro-grid, then address in natural order (张庄2号 before 张庄11号).
        households = NaturalOrder(
            due.households_to_visit(grids, month), "micro_grid__grid__number", "micro_grid__number", "address"
        )[:]
        places = due.key_places_to_visit(grids, month)
        return Response(
            {
                "month": month,
                "progress": {
                    "done": progress.done,
                    "due": progress.due,
                    "key_persons_overdue": progress.key_persons_overdue,
                },
                "key_persons": [
                    {
                        "id": k.key_person.pk,
                        "subject": Subject.KEY_PERSON,
                        "name": k.key_person.resident.name,
                        "category": k.key_person.category,
                        "overdue_days": k.overdue_days,
                        "next_due": k.next_due,
                        "done_in_month": k.done_in_month,
                        "needed": k.needed,
                    }
                    for k in open_keys
                ],
                "households": [
                    {
                        "id": h.pk,
                        "subject": Subject.HOUSEHOLD,
                        "number": h.number,
                        "address": h.address,
                        "micro_grid": h.micro_grid.name,
                    }
                    for h in households
                ],
                "key_places": [
                    {"id": p.pk, "subject": Subject.KEY_PLACE, "name": p.name, "address": p.address} for p in places
                ],
            }
        )
