"""API of cases: list (most overdue first, the pages' filters), read, report (idempotent), and move a
case along its state machine with ``POST cases/{id}/transition/`` — the same services as the pages."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.rest import IDEMPOTENCY_HEADER, CountField, IdempotentCreateMixin, IdField, ScopedPrimaryKey
from grids import access
from grids.models import Grid, User, Village
from residents.models import Household, Resident

from . import deadlines, origin, services
from .filters import CaseFilter
from .models import (
    Case,
    CaseEvent,
    CaseParty,
    Category,
    Department,
    MediationSession,
    Mediator,
    Outcome,
    PartyRole,
    Policy,
    Source,
    Tier,
)
from .workflow import ACTIONS, Actor


class PartySerializer(serializers.ModelSerializer):
    resident = ScopedPrimaryKey(model=Resident, required=False, allow_null=True)

    class Meta:
        model = CaseParty
        fields = ["role", "resident", "name", "phone"]
        # Left out, the role is the model's default (the applicant).
        extra_kwargs = {"name": {"required": False}, "role": {"default": PartyRole.APPLICANT}}

    def validate(self, attrs):
        if not attrs.get("resident") and not (attrs.get("name") or "").strip():
            raise serializers.ValidationError({"name": [_("请填写姓名，或指定本村居民。")]})
        return attrs


class EventSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = CaseEvent
        fields = ["at", "by", "action", "from_state", "to_state", "from_tier", "to_tier", "note"]


class DeadlineSerializer(serializers.Serializer):
    clock = serializers.ChoiceField(choices=["accept", "handle", "return_visit"])
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()
    colour = serializers.ChoiceField(choices=["green", "yellow", "orange", "red"])
    text = serializers.CharField()


@extend_schema_field(DeadlineSerializer(allow_null=True))
class DeadlineField(serializers.Field):
    def to_representation(self, case):
        d = deadlines.deadline_for(case, self.context["policy"])
        if d is None:
            return None
        due_at = serializers.DateTimeField().to_representation(d.due_at)
        return {"clock": d.clock, "due_at": due_at, "overdue": d.overdue, "colour": d.colour, "text": d.text}


class CaseSerializer(serializers.ModelSerializer):
    grid = ScopedPrimaryKey(model=Grid)
    household = ScopedPrimaryKey(model=Household, required=False, allow_null=True)
    category = serializers.ChoiceField(choices=Category.choices)
    parties = PartySerializer(many=True, required=False)
    state_label = serializers.CharField(read_only=True)
    deadline = DeadlineField(source="*", read_only=True)
    assignee = serializers.StringRelatedField(allow_null=True)
    department = serializers.StringRelatedField(allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)  # "" until resolved

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "kind",
            "category",
            "title",
            "description",
            "occurred_on",
            "location",
            "people_involved",
            "village",
            "grid",
            "household",
            "source",
            "major",
            "parties",
            "reported_by",
            "reported_at",
            "state",
            "state_label",
            "tier",
            "version",
            "assignee",
            "department",
            "signed_at",
            "outcome",
            "resolution",
            "satisfied",
            "deadline",
        ]
        read_only_fields = [
            "number",
            "village",
            "reported_by",
            "reported_at",
            "state",
            "tier",
            "version",
            "signed_at",
            "outcome",
            "resolution",
            "satisfied",
        ]

    def to_representation(self, case):
        data = super().to_representation(case)
        # Where the case was found, for those who may be told (``origin``: not a key person's household).
        if not origin.tells_place(getattr(self.context.get("request"), "user", None), case):
            data["household"] = None
        return data


class CaseDetailSerializer(CaseSerializer):
    events = EventSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "events"]


def _default_place() -> str:
    return str(MediationSession._meta.get_field("place").get_default())


class SessionSerializer(serializers.ModelSerializer):
    mediators = ScopedPrimaryKey(model=Mediator, many=True, required=False)

    class Meta:
        model = MediationSession
        fields = ["id", "held_on", "place", "mediators", "other_mediators", "parties_present", "notes", "outcome"]
        # Left out, the day and the place are the model's defaults (today, the village's mediation room).
        extra_kwargs = {"held_on": {"default": timezone.localdate}, "place": {"default": _default_place}}


class MediatorSerializer(serializers.ModelSerializer):
    village = ScopedPrimaryKey(model=Village)

    class Meta:
        model = Mediator
        fields = ["id", "village", "name", "type", "phone", "note", "archived_at"]
        read_only_fields = ["archived_at"]


class MediatorIdsSerializer(serializers.Serializer):
    mediators = serializers.ListField(child=IdField())


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField()
    caption = serializers.CharField(required=False, allow_blank=True, default="")


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(ACTIONS))
    version = CountField(help_text="the case's version you saw; a stale one is refused")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    tier = serializers.ChoiceField(choices=[Tier.GROUP, Tier.VILLAGE], required=False, help_text="accept")
    assignee = IdField(required=False, help_text="assign: a user id")
    department = IdField(required=False, help_text="assign at the town's tier: a department id")
    major = serializers.BooleanField(required=False, default=False, help_text="escalate straight to the town")
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, help_text="resolve")
    resolution = serializers.CharField(required=False, allow_blank=True, default="", help_text="resolve")
    agreement_text = serializers.CharField(required=False, allow_blank=True, default="", help_text="resolve")


class CaseViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Cases the caller may see: a grid's worker their grids, staff their village, the town its villages."""

    filterset_class = CaseFilter

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "policy": self._policy()}

    def _policy(self) -> Policy:
        if not hasattr(self, "_policy_row"):
            self._policy_row = Policy.current()
        return self._policy_row

    queryset = Case.objects.none()  # for the schema generator; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is built without a database row
            return Case.objects.none()
        qs = deadlines.with_due(Case.objects.visible_to(self.request.user), self._policy())
        qs = qs.select_related("village", "grid", "assignee", "department").prefetch_related("parties")
        if self.action == "retrieve":
            qs = qs.prefetch_related("events__by")
        return qs.order_by(F("due_at").asc(nulls_last=True), "-reported_at")

    @extend_schema(parameters=[IDEMPOTENCY_HEADER])
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        grid = data["grid"]
        scope = access.scope_for(self.request.user)
        if not (scope.is_admin or grid.pk in scope.grid_ids or grid.village_id in scope.village_ids):
            raise PermissionDenied(_("只有本网格的网格员或本村村干部可以上报案件。"))
        parties = [
            services.PartyInput(
                role=p["role"], name=p.get("name", ""), phone=p.get("phone", ""), resident=p.get("resident")
            )
            for p in data.pop("parties", [])
        ]
        serializer.instance = services.case_report(
            by=self.request.user,
            village=grid.village,
            parties=parties,
            source=data.pop("source", Source.GRID_WORKER),
            **data,
        )

    @extend_schema(request=None, responses={200: CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """签收: the person the case was handed to confirms they have it."""
        case = services.case_sign(case=self.get_object(), by=request.user)
        fresh = self.get_queryset().get(pk=case.pk)
        return Response(CaseDetailSerializer(fresh, context=self.get_serializer_context()).data)

    def _detail(self, case):
        fresh = self.get_queryset().get(pk=case.pk)
        return Response(CaseDetailSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=SessionSerializer, responses={201: SessionSerializer})
    @action(detail=True, methods=["post"])
    def sessions(self, request, pk=None):
        """Record a mediation session (a dispute in handling; its handler or the tier that holds it)."""
        case = self.get_object()
        if not Actor(request.user, case).may_record_session():  # before the body: it may be anything
            raise PermissionDenied(_("只有调处中的纠纷可以由责任人或调处层级记录调解。"))
        payload = SessionSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        session = services.case_session_add(case=case, by=request.user, **payload.validated_data)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MediatorIdsSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def mediators(self, request, pk=None):
        """Set the mediation team members on a dispute (the village's staff)."""
        case = self.get_object()
        if not Actor(request.user, case).may_set_mediators():
            raise PermissionDenied(_("只有本村村干部可以指派调解团成员。"))
        payload = MediatorIdsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        chosen = list(Mediator.objects.filter(pk__in=payload.validated_data["mediators"]))
        if len(chosen) != len(set(payload.validated_data["mediators"])):
            raise serializers.ValidationError({"mediators": [_("调解团成员必须是本村在册成员。")]})
        return self._detail(services.case_mediators_set(case=case, by=request.user, mediators=chosen))

    @extend_schema(request={"multipart/form-data": PhotoUploadSerializer}, responses={201: None})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def photos(self, request, pk=None):
        """Add a photo (re-encoded without its metadata; served only through the case's page)."""
        case = self.get_object()
        if not Actor(request.user, case).may_attach():
            raise PermissionDenied(_("您不能为这件案件添加照片。"))
        payload = PhotoUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.case_photo_add(
            case=case,
            by=request.user,
            upload=payload.validated_data["image"],
            caption=payload.validated_data["caption"],
        )
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(request=TransitionSerializer, responses={200: CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Take one action on the case (the actions its state allows this caller: see ``allowed_actions``)."""
        case = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        name = data["action"]
        if not Actor(request.user, case).may(name):
            raise PermissionDenied(_("您不能对这件案件执行「%s」。") % ACTIONS[name].label)
        kwargs = {"case": case, "by": request.user, "version": data["version"]}
        if name in {
            "accept",
            "reject",
            "assign",
            "escalate",
            "send_back",
            "feedback",
            "close",
            "reopen",
            "dept_return",
        }:
            kwargs["note"] = data["note"]
        if name == "accept" and "tier" in data:
            kwargs["tier"] = data["tier"]
        if name == "assign":
            kwargs["assignee"] = User.objects.filter(pk=data.get("assignee")).first() if data.get("assignee") else None
            kwargs["department"] = (
                Department.objects.filter(pk=data.get("department"), town=case.village.town_id).first()
                if data.get("department")
                else None
            )
        if name == "escalate":
            kwargs["major"] = data["major"]
        if name == "resolve":
            kwargs.update(
                outcome=data.get("outcome", ""), resolution=data["resolution"], agreement_text=data["agreement_text"]
            )
        case = services.ACTION_SERVICES[name](**kwargs)
        fresh = self.get_queryset().get(pk=case.pk)
        return Response(
            CaseDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status.HTTP_200_OK
        )


class MediatorViewSet(viewsets.ModelViewSet):
    """The villages' mediation teams (多元调解团): read by the village's staff and the town; kept by the
    village's staff. Members leave by ``archive`` (their past sessions keep their names)."""

    serializer_class = MediatorSerializer
    filterset_fields = ["village", "type"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return Mediator.objects.visible_to(self.request.user).order_by("village", "type", "name")

    def perform_create(self, serializer):
        village = serializer.validated_data["village"]
        if (
            not access.can_manage_village(self.request.user, village)
            or not access.visible_villages(self.request.user).filter(pk=village.pk).exists()
        ):
            raise PermissionDenied(_("只有本村村干部可以指派调解团成员。"))
        serializer.save()

    def perform_update(self, serializer):
        if not access.can_manage_village(self.request.user, serializer.instance.village):
            raise PermissionDenied(_("只有本村村干部可以指派调解团成员。"))
        serializer.save(village=serializer.instance.village)

    @extend_schema(request=None, responses=MediatorSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        mediator = self.get_object()
        if not access.can_manage_village(request.user, mediator.village):
            raise PermissionDenied(_("只有本村村干部可以指派调解团成员。"))
        return Response(MediatorSerializer(services.mediator_archive(mediator=mediator, by=request.user)).data)
