"""API of the Party app: organisations, members and meetings, with the pages' scoping (party/rules.py).

Who sees what (docs/party.md, "Who sees what"): the village's staff, its Party secretaries and committee
members and the admin read and write the village's records; everyone else, the town office included, finds
none (a list is empty, an id is a 404). Writes go through ``party.services``; their errors are a 400 naming
the field. Meetings are recorded with their attendance in one call, idempotently (``Idempotency-Key``).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets

from core.rest import IDEMPOTENCY_HEADER, IdempotentCreateMixin, IdField, ScopedPrimaryKey
from grids.models import Grid, User, Village
from residents.models import Resident

from . import rules, services
from .models import Attendance, Meeting, MeetingKind, PartyMember, PartyOrganisation


class _RecordsKey(ScopedPrimaryKey):
    """A reference within the villages whose Party records the caller keeps (``rules.records_q``): the
    registry's door would not let a Party secretary name a resident or the village itself."""

    def __init__(self, *, model, village: str, **kwargs):
        self.village = village
        super().__init__(model=model, **kwargs)

    def get_queryset(self):
        user = self.context["request"].user
        queryset = self.model.objects.filter(rules.records_q(user, village=self.village))
        return queryset.filter(is_active=True) if self.model is User else queryset


def _key(model, **kwargs):
    return ScopedPrimaryKey(model=model, **kwargs)


class OrganisationSerializer(serializers.ModelSerializer):
    village = _RecordsKey(model=Village, village="pk")
    parent = _key(PartyOrganisation, required=False, allow_null=True)
    grid = _RecordsKey(model=Grid, village="village", required=False, allow_null=True)
    secretary = _RecordsKey(model=User, village="home_village", required=False, allow_null=True)
    committee = _RecordsKey(model=User, village="home_village", many=True, required=False)

    class Meta:
        model = PartyOrganisation
        fields = [
            "id",
            "village",
            "kind",
            "name",
            "parent",
            "grid",
            "founded_on",
            "secretary",
            "committee",
            "archived_at",
            "updated_at",
        ]
        read_only_fields = ["archived_at", "updated_at"]
        # The model's unique constraints (one top organisation per village, one branch per grid) are the
        # service's to answer, with its message: DRF's own validators would make ``grid`` required.
        validators: list = []

    def validate(self, attrs):
        if self.instance is not None and "village" in attrs and attrs["village"].pk != self.instance.village_id:
            raise serializers.ValidationError({"village": [_("党组织不能换到另一个村。")]})
        return attrs


class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The Party organisations of the caller's villages (村党委/党总支, 党支部, 党小组). Archived ones stay listed
    with ``archived_at`` set; they are archived on the pages, never deleted."""

    serializer_class = OrganisationSerializer
    filterset_fields = ["village", "kind", "parent"]

    def get_queryset(self):
        return (
            PartyOrganisation.objects.visible_to(self.request.user)
            .prefetch_related("committee")
            .order_by("village_id", "kind", "name", "pk")
        )

    def _save(self, serializer, org):
        data = dict(serializer.validated_data)
        committee = data.pop("committee", None)
        for name, value in data.items():
            setattr(org, name, value)
        serializer.instance = services.organisation_save(
            by=self.request.user, org=org, committee=list(committee) if committee is not None else None
        )

    def perform_create(self, serializer):
        self._save(serializer, PartyOrganisation())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


class MemberSerializer(serializers.ModelSerializer):
    resident = _RecordsKey(model=Resident, village="village")
    name = serializers.CharField(source="resident.name", read_only=True)
    branch = _key(PartyOrganisation)
    group = _key(PartyOrganisation, required=False, allow_null=True)

    class Meta:
        model = PartyMember
        fields = [
            "id",
            "village",
            "resident",
            "name",
            "branch",
            "group",
            "joined_on",
            "status",
            "floating",
            "away_place",
            "archived_at",
            "updated_at",
        ]
        read_only_fields = ["village", "archived_at", "updated_at"]
        validators: list = []  # a resident registered twice: the service's message (services.member_save)


class MemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Party members of the caller's villages: political affiliation is personal information, so only the
    village's staff, its Party secretaries and committee members see them (the town gets none)."""

    serializer_class = MemberSerializer
    filterset_fields = ["village", "branch", "group", "status", "floating"]

    def get_queryset(self):
        return PartyMember.objects.visible_to(self.request.user).select_related("resident").order_by("village_id", "pk")

    def _save(self, serializer, member):
        for name, value in serializer.validated_data.items():
            setattr(member, name, value)
        member.village_id = member.branch.village_id
        serializer.instance = services.member_save(by=self.request.user, member=member)

    def perform_create(self, serializer):
        self._save(serializer, PartyMember())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["member", "present", "absence_reason"]


class AbsentSerializer(serializers.Serializer):
    member = IdField()
    reason = serializers.CharField(allow_blank=True, max_length=100)


class MeetingSerializer(serializers.ModelSerializer):
    organisation = _key(PartyOrganisation)
    chair = _key(PartyMember, required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    period = serializers.CharField(required=False, allow_blank=True, max_length=7)
    attendance = AttendanceSerializer(many=True, read_only=True)
    present = serializers.ListField(child=IdField(), write_only=True, required=False, help_text="member ids present")
    absent = AbsentSerializer(many=True, write_only=True, required=False, help_text="members absent, with reason")
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, write_only=True, help_text="multipart/form-data only"
    )
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "village",
            "organisation",
            "kind",
            "held_on",
            "period",
            "late",
            "place",
            "topic",
            "chair",
            "chair_name",
            "others_present",
            "minutes",
            "decisions",
            "attendance",
            "present",
            "absent",
            "photos",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["village", "late", "recorded_at"]

    def validate(self, attrs):
        """Attendance names members of the caller's villages; an unknown id is refused by name, like any
        reference out of scope. Whether they belong to the organisation is the service's rule."""
        ids = [*attrs.get("present", []), *(a["member"] for a in attrs.get("absent", []))]
        known = {m.pk: m for m in PartyMember.objects.visible_to(self.context["request"].user).filter(pk__in=ids)}
        unknown = [str(pk) for pk in ids if pk not in known]
        if unknown:
            raise serializers.ValidationError({"attendance": [_("没有这些党员：%s。") % "、".join(unknown)]})
        attrs["present"] = [known[pk] for pk in attrs.get("present", [])]
        attrs["absent"] = {known[a["member"]]: a["reason"] for a in attrs.get("absent", [])}
        return attrs


class MeetingViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Meetings of the caller's villages' organisations, with their attendance. Recording one takes its
    attendance (``present``: member ids; ``absent``: ``[{member, reason}]``) and is idempotent."""

    serializer_class = MeetingSerializer
    filterset_fields = ["village", "organisation", "kind", "period", "late"]

    def get_queryset(self):
        return (
            Meeting.objects.visible_to(self.request.user)
            .select_related("recorded_by")
            .prefetch_related(Prefetch("attendance", queryset=Attendance.objects.order_by("pk")))
            .order_by("-held_on", "-pk")
        )

    @extend_schema(parameters=[IDEMPOTENCY_HEADER])
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        present, absent, photos = data.pop("present"), data.pop("absent"), data.pop("photos", [])
        meeting = Meeting(**data)
        meeting.period = (meeting.period or "").strip()
        services.meeting_record(by=self.request.user, meeting=meeting, present=present, absent=absent, photos=photos)
        serializer.instance = self.get_queryset().get(pk=meeting.pk)
