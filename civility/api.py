"""API of guiding by example and by law (docs/civility.md): activities (list, read, record, edit — photos
only on the pages), volunteer teams with their current members, model selections, and the points
supermarket's accounts with ``POST points/award/`` and ``POST points/redeem/``, with the pages' scoping.

Who sees what: the village's staff read and write their village's records, the town office reads its
villages' (a write is a 403), the admin everything; grid workers and other villages' logins find nothing (an
empty list, a 404 for an id). Writes go through ``civility.services``; a refusal (a balance or a stock that
does not cover a redemption) is a 400 with the service's message and changes nothing.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.rest import IDEMPOTENCY_HEADER, IdempotentCreateMixin, ScopedPrimaryKey
from grids import access
from grids.filters import ScopedFilterSet
from grids.models import Village
from residents.filters import text_q
from residents.models import Household, Resident

from . import services
from .models import (
    Activity,
    ActivityKind,
    EntryKind,
    ModelSelection,
    PointsAccount,
    PointsEntry,
    SetDate,
    StockItem,
    Volunteer,
    VolunteerTeam,
)

READ_ONLY = gettext_lazy("您可以查看，但只有本村村干部可以办理。")
LAST_ENTRIES = 10  # a points account's latest ledger lines in its detail


def may_change(user, village_id: int) -> bool:
    scope = access.scope_for(user)
    return scope.is_admin or village_id in scope.village_ids


def _keeper_or_403(user, village_id: int) -> None:
    """Seen but not changeable (the town office): a 403 that says so."""
    if not may_change(user, village_id):
        raise PermissionDenied(str(READ_ONLY))


class _VillageKey(ScopedPrimaryKey):
    """A village whose records the caller sees (its staff, the town office, the admin)."""

    def __init__(self, **kwargs):
        super().__init__(model=Village, **kwargs)

    def get_queryset(self):
        return Village.objects.filter(access.visible_q(self.context["request"].user, town="town", village="pk"))


class _HouseholdKey(ScopedPrimaryKey):
    """A household through the village's door (the grid's own path left out: the supermarket is the
    village's, not the grid worker's)."""

    def __init__(self, **kwargs):
        super().__init__(model=Household, **kwargs)

    def get_queryset(self):
        user = self.context["request"].user
        return Household.objects.filter(access.visible_q(user, town="village__town", village="village"))


class _ResidentKey(ScopedPrimaryKey):
    def __init__(self, **kwargs):
        super().__init__(model=Resident, **kwargs)

    def get_queryset(self):
        user = self.context["request"].user
        return Resident.objects.filter(access.visible_q(user, town="village__town", village="village"))


class _MeetingKey(ScopedPrimaryKey):
    """The Party meeting, named through the foreign key (the Party app is not imported), of a village the
    caller keeps; the service refuses another village's or one that is not a 主题党日."""

    def __init__(self, **kwargs):
        super().__init__(model=Activity._meta.get_field("party_meeting").related_model, **kwargs)

    def get_queryset(self):
        scope = access.scope_for(self.context["request"].user)
        qs = self.model.objects.all()
        return qs if scope.is_admin else qs.filter(village_id__in=scope.village_ids)


# --- Activities ----------------------------------------------------------------------------------------------


class _YearFilter(django_filters.NumberFilter):
    """A whole year in the range a date holds (year 0 or 10000 is refused, never a 500)."""

    field_class = forms.IntegerField


class ActivityFilter(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("搜索"))
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, label=gettext_lazy("类别"))
    year = _YearFilter(
        field_name="held_on", lookup_expr="year", min_value=2000, max_value=2100, label=gettext_lazy("年度")
    )
    grid = None  # an activity is the village's, not a grid's

    class Meta:
        model = Activity
        fields = ["village", "kind"]

    def search(self, queryset, name, value):
        """The title, the organiser, the place."""
        value = value.strip()
        return queryset.filter(
            text_q("title", value, indexed=False)
            | text_q("organiser", value, indexed=False)
            | text_q("place", value, indexed=False)
        )


class ActivitySerializer(serializers.ModelSerializer):
    village = _VillageKey()
    residents = _ResidentKey(many=True, required=False)
    teams = ScopedPrimaryKey(model=VolunteerTeam, many=True, required=False)
    party_meeting = _MeetingKey(required=False, allow_null=True)
    set_date = serializers.PrimaryKeyRelatedField(
        queryset=SetDate.objects.filter(active=True), required=False, allow_null=True
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    photos = serializers.SerializerMethodField()
    created_by = serializers.StringRelatedField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "village",
            "kind",
            "kind_label",
            "title",
            "held_on",
            "organiser",
            "place",
            "participants",
            "beneficiaries",
            "summary",
            "residents",
            "teams",
            "party_meeting",
            "set_date",
            "photos",
            "created_by",
            "created_at",
            "updated_at",
            "archived_at",
        ]
        read_only_fields = ["created_at", "updated_at", "archived_at"]
        extra_kwargs = {
            "participants": {"max_value": 2**31 - 1},
            "beneficiaries": {"max_value": 2**31 - 1},
        }

    def get_photos(self, a: Activity) -> int:
        """How many photos (added on the pages)."""
        return len(a.photos.all())

    def validate(self, attrs):
        if self.instance is not None and "village" in attrs and attrs["village"].pk != self.instance.village_id:
            raise serializers.ValidationError({"village": [_("活动不能换到另一个村。")]})
        return attrs


class ActivityViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Activities of the caller's villages, the latest first; photos are added on the pages."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    queryset = Activity.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Activity.objects.none()
        return (
            Activity.objects.visible_to(self.request.user)
            .select_related("created_by")
            .prefetch_related("residents", "teams", "photos")
            .order_by("-held_on", "-pk")
        )

    @extend_schema(parameters=[IDEMPOTENCY_HEADER])
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        _keeper_or_403(request.user, self.get_object().village_id)
        return super().update(request, *args, **kwargs)

    def _save(self, serializer, activity: Activity):
        data = dict(serializer.validated_data)
        residents = data.pop("residents", None)
        teams = data.pop("teams", None)
        for name, value in data.items():
            setattr(activity, name, value)
        _keeper_or_403(self.request.user, activity.village_id)
        services.activity_save(
            by=self.request.user,
            activity=activity,
            residents=list(residents) if residents is not None else None,
            teams=list(teams) if teams is not None else None,
        )
        serializer.instance = self.get_queryset().get(pk=activity.pk)

    def perform_create(self, serializer):
        self._save(serializer, Activity())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


# --- Volunteer teams ---------------------------------------------------------------------------------------


class VolunteerSerializer(serializers.ModelSerializer):
    resident_name = serializers.CharField(source="resident.name", read_only=True)

    class Meta:
        model = Volunteer
        fields = ["id", "resident", "resident_name", "joined_on"]
        read_only_fields = fields


class VolunteerTeamSerializer(serializers.ModelSerializer):
    village = _VillageKey()
    members = VolunteerSerializer(source="current_members", many=True, read_only=True)

    class Meta:
        model = VolunteerTeam
        fields = ["id", "village", "name", "focus", "leader", "founded_on", "members", "created_at", "archived_at"]
        read_only_fields = ["created_at", "archived_at"]
        validators: list = []  # one active team per name: the model's message, from the service


class VolunteerTeamViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The villages' volunteer teams with their current members (members join and leave on the pages)."""

    serializer_class = VolunteerTeamSerializer
    filterset_fields = ["village"]
    queryset = VolunteerTeam.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VolunteerTeam.objects.none()
        current = Volunteer.objects.current().select_related("resident").order_by("joined_on", "pk")
        return (
            VolunteerTeam.objects.visible_to(self.request.user)
            .prefetch_related(Prefetch("members", queryset=current, to_attr="current_members"))
            .order_by("village", "name", "pk")
        )

    @extend_schema(parameters=[IDEMPOTENCY_HEADER])
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        team = VolunteerTeam(**serializer.validated_data)
        _keeper_or_403(self.request.user, team.village_id)
        services.team_save(by=self.request.user, team=team)
        serializer.instance = self.get_queryset().get(pk=team.pk)


# --- Model selections --------------------------------------------------------------------------------------


class ModelSelectionSerializer(serializers.ModelSerializer):
    village = _VillageKey()
    household = _HouseholdKey(required=False, allow_null=True)
    resident = _ResidentKey(required=False, allow_null=True)
    honour_label = serializers.CharField(source="get_honour_display", read_only=True)
    created_by = serializers.StringRelatedField()

    class Meta:
        model = ModelSelection
        fields = [
            "id",
            "village",
            "year",
            "honour",
            "honour_label",
            "household",
            "resident",
            "reason",
            "selected_on",
            "points",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {"year": {"min_value": 2000, "max_value": 2100}, "points": {"max_value": 100000}}

    def validate(self, attrs):
        if not attrs.get("household") and not attrs.get("resident"):
            raise serializers.ValidationError({"household": [_("请选择评选的户或个人。")]})
        return attrs


class ModelSelectionViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Model households and people chosen, the latest year first; the points they carry go to the household
    with the selection. A selection is not changed afterwards (correct the points on the ledger)."""

    serializer_class = ModelSelectionSerializer
    filterset_fields = ["village", "year", "honour"]
    queryset = ModelSelection.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ModelSelection.objects.none()
        return (
            ModelSelection.objects.visible_to(self.request.user)
            .select_related("created_by")
            .order_by("-year", "honour", "pk")
        )

    @extend_schema(parameters=[IDEMPOTENCY_HEADER])
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        selection = ModelSelection(**serializer.validated_data)
        _keeper_or_403(self.request.user, selection.village_id)
        services.selection_save(by=self.request.user, selection=selection)
        serializer.instance = self.get_queryset().get(pk=selection.pk)


# --- The points supermarket --------------------------------------------------------------------------------


class PointsEntrySerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = PointsEntry
        fields = ["id", "kind", "points", "balance_after", "reason", "item", "quantity", "by", "at"]
        read_only_fields = fields


class PointsAccountSerializer(serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)

    class Meta:
        model = PointsAccount
        fields = ["id", "household", "household_number", "village", "balance"]
        read_only_fields = fields


class PointsAccountDetailSerializer(PointsAccountSerializer):
    last_entries = serializers.SerializerMethodField()

    class Meta(PointsAccountSerializer.Meta):
        fields = [*PointsAccountSerializer.Meta.fields, "last_entries"]
        read_only_fields = fields

    @extend_schema_field(PointsEntrySerializer(many=True))
    def get_last_entries(self, account: PointsAccount) -> list[dict]:
        entries = account.entries.select_related("by").order_by("-at", "-pk")[:LAST_ENTRIES]
        return PointsEntrySerializer(entries, many=True).data


class AwardSerializer(serializers.Serializer):
    household = _HouseholdKey()
    points = serializers.IntegerField(min_value=1, max_value=100000)
    kind = serializers.ChoiceField(choices=[c for c in EntryKind.choices if c[0] != EntryKind.REDEMPTION])
    reason = serializers.CharField(max_length=200)


class RedeemSerializer(serializers.Serializer):
    household = _HouseholdKey()
    item = ScopedPrimaryKey(model=StockItem)
    quantity = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    client_token = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="", help_text="the same token redeems once"
    )


class PointsAccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Households' points balances; one account with its latest entries. Points move only through
    ``award`` and ``redeem`` (the ledger is append-only)."""

    filterset_fields = ["village", "household"]
    queryset = PointsAccount.objects.none()

    def get_serializer_class(self):
        return PointsAccountDetailSerializer if self.action == "retrieve" else PointsAccountSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PointsAccount.objects.none()
        return (
            PointsAccount.objects.visible_to(self.request.user)
            .select_related("household")
            .order_by("village", "household__number", "pk")
        )

    def _answer(self, household: Household, code: int) -> Response:
        account = self.get_queryset().get(household=household)
        return Response(PointsAccountDetailSerializer(account, context=self.get_serializer_context()).data, code)

    @extend_schema(request=AwardSerializer, responses={201: PointsAccountDetailSerializer})
    @action(detail=False, methods=["post"])
    def award(self, request):
        """Points in for a household (村规奖励, 参加活动, 更正…); the account with its latest entries."""
        payload = AwardSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        household = data["household"]
        _keeper_or_403(request.user, household.village_id)
        services.award(
            household=household, points=data["points"], kind=data["kind"], reason=data["reason"], by=request.user
        )
        return self._answer(household, status.HTTP_201_CREATED)

    @extend_schema(request=RedeemSerializer, responses={201: PointsAccountDetailSerializer})
    @action(detail=False, methods=["post"])
    def redeem(self, request):
        """Goods from the shelf for points; refused with a 400 and nothing changed when the balance or the
        stock does not cover it. The same ``client_token`` sent again redeems once."""
        payload = RedeemSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        household = data["household"]
        _keeper_or_403(request.user, household.village_id)
        services.redeem(
            household=household,
            item=data["item"],
            quantity=data["quantity"],
            by=request.user,
            client_token=data["client_token"],
        )
        return self._answer(household, status.HTTP_201_CREATED)
