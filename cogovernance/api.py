"""API of co-governance (docs/cogovernance.md): deliberations (list, read, propose, edit while being prepared,
and ``POST deliberations/{id}/transition/`` along the one state table), projects and village documents
(``POST village-documents/{id}/adopt/`` adds a version), with the pages' scoping.

Who sees what: the village's staff read and write their village's records, the town office reads its
villages' (a write is a 403), the admin everything; grid workers and Party members' logins find nothing (an
empty list, a 404 for an id). Writes go through ``cogovernance.services``; their errors are a 400 naming the
field, a resolution before the publicity week has ended a 409 ``publicity_not_over``, a stale version a 409
``deliberation_changed`` (core/rest.py turns the pipeline's ``Changed`` into 409 with its code).
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.rest import IDEMPOTENCY_HEADER, CountField, IdempotentCreateMixin, IdField, ScopedPrimaryKey
from grids import access
from grids.filters import ScopedFilterSet
from grids.models import Grid, NaturalVillage, Village
from residents.filters import text_q

from . import public, services
from .models import (
    AdoptedBy,
    Deliberation,
    DeliberationEvent,
    DeliberationMeeting,
    DocumentVersion,
    Progress,
    Project,
    ProjectKind,
    Research,
    Stage,
    VillageDocument,
)
from .workflow import RESEARCH_STAGES, may_change

READ_ONLY = gettext_lazy("您可以查看，但只有本村村干部可以办理。")


def _keeper_or_403(user, village_id: int) -> None:
    """Seen but not changeable (the town office): a 403 that says so."""
    if not may_change(user, village_id):
        raise PermissionDenied(str(READ_ONLY))


class _VillageKey(ScopedPrimaryKey):
    """A village whose co-governance records the caller sees (its staff, the town office, the admin): a grid
    worker, who sees their village's registry, names no village here."""

    def __init__(self, **kwargs):
        super().__init__(model=Village, **kwargs)

    def get_queryset(self):
        return Village.objects.filter(access.visible_q(self.context["request"].user, town="town", village="pk"))


class _RelatedKey(ScopedPrimaryKey):
    """A reference to another app's model on this floor (a case), named through the foreign key's label
    rather than an import (docs/architecture.md), scoped by that model's own door."""

    def __init__(self, *, field: str, **kwargs):
        super().__init__(model=Deliberation._meta.get_field(field).related_model, **kwargs)


# --- Deliberations -----------------------------------------------------------------------------------------


class DeliberationFilter(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("搜索"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=gettext_lazy("环节"))

    class Meta:
        model = Deliberation
        fields = ["village", "grid", "stage"]

    def search(self, queryset, name, value):
        """The topic, what it says, who proposed it."""
        value = value.strip()
        return queryset.filter(
            text_q("title", value, indexed=False)
            | text_q("summary", value, indexed=False)
            | text_q("proposer", value, indexed=False)
        )


class DeliberationEventSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = DeliberationEvent
        fields = ["at", "by", "from_stage", "to_stage", "note"]


class DeliberationResearchSerializer(serializers.ModelSerializer):
    files = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Research
        fields = ["id", "kind", "held_on", "count", "summary", "files", "recorded_at"]


class DeliberationMeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliberationMeeting
        fields = [
            "held_on",
            "place",
            "cppcc_members",
            "representatives",
            "departments",
            "department_people",
            "residents",
            "minutes",
            "recorded_at",
        ]


class DeliberationProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Progress
        fields = ["id", "noted_on", "text", "spent", "recorded_at"]


class DeliberationSerializer(serializers.ModelSerializer):
    village = _VillageKey()
    grid = ScopedPrimaryKey(model=Grid, required=False, allow_null=True)
    natural_village = ScopedPrimaryKey(model=NaturalVillage, required=False, allow_null=True)
    origin_case = _RelatedKey(field="origin_case", required=False, allow_null=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    publicity_ends = serializers.DateField(read_only=True, allow_null=True)
    public_url = serializers.SerializerMethodField(help_text="the public notice's path, once approved")
    created_by = serializers.StringRelatedField()

    class Meta:
        model = Deliberation
        fields = [
            "id",
            "village",
            "title",
            "summary",
            "proposer",
            "origin_case",
            "grid",
            "natural_village",
            "stage",
            "stage_label",
            "version",
            "party_organisation",
            "approved_on",
            "publish_on",
            "publicity_ends",
            "opinions_to",
            "resolution",
            "resolved_on",
            "closed_on",
            "public_url",
            "created_by",
            "created_at",
            "updated_at",
            "archived_at",
        ]
        read_only_fields = [
            "stage",
            "version",
            "party_organisation",
            "approved_on",
            "publish_on",
            "opinions_to",
            "resolution",
            "resolved_on",
            "closed_on",
            "created_at",
            "updated_at",
            "archived_at",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_public_url(self, d: Deliberation) -> str | None:
        return public.notice_path(d) if d.stage in public.PUBLIC_STAGES and d.publish_on else None

    def validate(self, attrs):
        if self.instance is not None and "village" in attrs and attrs["village"].pk != self.instance.village_id:
            raise serializers.ValidationError({"village": [_("议题不能换到另一个村。")]})
        return attrs


class DeliberationDetailSerializer(DeliberationSerializer):
    events = DeliberationEventSerializer(many=True, read_only=True)
    research = DeliberationResearchSerializer(many=True, read_only=True)
    meeting = serializers.SerializerMethodField()
    progress = DeliberationProgressSerializer(many=True, read_only=True)

    class Meta(DeliberationSerializer.Meta):
        fields = [*DeliberationSerializer.Meta.fields, "events", "research", "meeting", "progress"]

    @extend_schema_field(DeliberationMeetingSerializer(allow_null=True))
    def get_meeting(self, d: Deliberation):
        meeting = getattr(d, "meeting", None)
        return DeliberationMeetingSerializer(meeting).data if meeting is not None else None


class DeliberationTransitionSerializer(serializers.Serializer):
    """The move and what its step needs: approval (``approved_on``, ``publish_on``, ``opinions_to``,
    ``party_organisation``), the meeting (``held_on`` … ``minutes``), the resolution (``resolution``,
    ``resolved_on``), closing (``note``, ``closed_on``); a plain move takes a ``note`` (sending back needs one)."""

    to = serializers.ChoiceField(choices=Stage.choices)
    version = CountField(help_text="the deliberation's version you saw; a stale one is refused (409)")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    approved_on = serializers.DateField(required=False, allow_null=True, default=None)
    publish_on = serializers.DateField(required=False, allow_null=True, default=None)
    opinions_to = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    party_organisation = IdField(required=False, allow_null=True, default=None, help_text="the village's own")
    held_on = serializers.DateField(required=False, help_text="meeting")
    place = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    cppcc_members = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2**31 - 1)
    representatives = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2**31 - 1)
    departments = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    department_people = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2**31 - 1)
    residents = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2**31 - 1)
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
    resolution = serializers.CharField(required=False, allow_blank=True, default="")
    resolved_on = serializers.DateField(required=False, allow_null=True, default=None)
    closed_on = serializers.DateField(required=False, allow_null=True, default=None)


class DeliberationViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Deliberations of the caller's villages, newest first. A topic is edited while it is being prepared
    (proposed, researching, sent back); it moves only through ``transition``."""

    filterset_class = DeliberationFilter
    queryset = Deliberation.objects.none()  # for the schema generator; requests use get_queryset

    def get_serializer_class(self):
        return DeliberationSerializer if self.action == "list" else DeliberationDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Deliberation.objects.none()
        qs = Deliberation.objects.visible_to(self.request.user).select_related("created_by")
        if self.action != "list":
            qs = qs.select_related("meeting").prefetch_related(
                Prefetch("events", queryset=DeliberationEvent.objects.select_related("by")),
                "research__files",
                "progress",
            )
        return qs.order_by("-created_at", "-pk")

    def _fresh(self, d: Deliberation) -> dict:
        return DeliberationDetailSerializer(
            self.get_queryset().get(pk=d.pk), context=self.get_serializer_context()
        ).data

    def _save(self, serializer, d: Deliberation):
        for name, value in serializer.validated_data.items():
            setattr(d, name, value)
        _keeper_or_403(self.request.user, d.village_id)
        services.deliberation_save(by=self.request.user, deliberation=d)
        serializer.instance = self.get_queryset().get(pk=d.pk)

    @extend_schema(parameters=[IDEMPOTENCY_HEADER])
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        self._save(serializer, Deliberation())

    def update(self, request, *args, **kwargs):
        d = self.get_object()
        _keeper_or_403(request.user, d.village_id)  # before the body: the town is told it may only read
        if d.stage not in RESEARCH_STAGES:
            raise serializers.ValidationError({"non_field_errors": [_("议题已报党组织审定，不能再修改。")]})
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    @extend_schema(request=DeliberationTransitionSerializer, responses={200: DeliberationDetailSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the deliberation to ``to`` with what that step needs (see the body's fields)."""
        d = self.get_object()
        _keeper_or_403(request.user, d.village_id)
        payload = DeliberationTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        to, version = data["to"], data["version"]
        if version == 0:  # versions start at 1: a zero is no version the caller can have seen
            raise services.DeliberationChanged()
        common = {"deliberation": d, "by": request.user, "version": version}
        if to == Stage.PUBLISHED:
            d = services.deliberation_approve(
                **common,
                approved_on=data["approved_on"],
                publish_on=data["publish_on"],
                opinions_to=data["opinions_to"],
                party_organisation=self._organisation(d, data["party_organisation"]),
                note=data["note"],
            )
        elif to == Stage.DELIBERATED:
            if "held_on" not in data:
                raise serializers.ValidationError({"held_on": [_("请填写会议日期。")]})
            fields = [f for f in DeliberationMeetingSerializer.Meta.fields if f != "recorded_at"]
            meeting = DeliberationMeeting(**{f: data[f] for f in fields})
            d = services.deliberation_meeting(**common, meeting=meeting)
        elif to == Stage.RESOLVED:
            d = services.deliberation_resolve(**common, resolution=data["resolution"], resolved_on=data["resolved_on"])
        elif to == Stage.CLOSED:
            d = services.deliberation_close(**common, note=data["note"], closed_on=data["closed_on"])
        else:
            d = services.deliberation_move(**common, to=to, note=data["note"])
        return Response(self._fresh(d), status=status.HTTP_200_OK)

    @staticmethod
    def _organisation(d: Deliberation, pk: int | None):
        """The approving Party organisation: one of the deliberation's village (by its ``village_id``; the
        Party app is not imported, docs/architecture.md). Any other id is refused like a missing one."""
        if pk is None:
            return None
        model = Deliberation._meta.get_field("party_organisation").related_model
        org = model.objects.filter(pk=pk, village_id=d.village_id).first()
        if org is None:
            raise serializers.ValidationError({"party_organisation": [_("请选择本村的党组织。")]})
        return org


# --- Projects ----------------------------------------------------------------------------------------------


class ProjectSerializer(serializers.ModelSerializer):
    village = _VillageKey()
    grid = ScopedPrimaryKey(model=Grid, required=False, allow_null=True)
    natural_villages = ScopedPrimaryKey(model=NaturalVillage, many=True, required=False)
    deliberation = ScopedPrimaryKey(model=Deliberation, required=False, allow_null=True)
    photos = serializers.SerializerMethodField()
    created_by = serializers.StringRelatedField()

    class Meta:
        model = Project
        fields = [
            "id",
            "village",
            "title",
            "kind",
            "description",
            "quantity",
            "unit",
            "grid",
            "natural_villages",
            "deliberation",
            "budget",
            "spent",
            "started_on",
            "done_on",
            "photos",
            "created_by",
            "created_at",
            "updated_at",
            "archived_at",
        ]
        read_only_fields = ["created_at", "updated_at", "archived_at"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_photos(self, p: Project) -> list[dict]:
        return [{"id": photo.pk, "caption": photo.caption} for photo in p.photos.all()]

    def validate(self, attrs):
        if self.instance is not None and "village" in attrs and attrs["village"].pk != self.instance.village_id:
            raise serializers.ValidationError({"village": [_("项目不能换到另一个村。")]})
        return attrs


class ProjectFilter(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("搜索"))
    kind = django_filters.ChoiceFilter(choices=ProjectKind.choices, label=gettext_lazy("类别"))
    done = django_filters.BooleanFilter(field_name="done_on", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Project
        fields = ["village", "grid", "kind", "deliberation"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(text_q("title", value, indexed=False) | text_q("description", value, indexed=False))


class ProjectViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """What the villages built (民生实事): kind, quantity, where, for how much. Never deleted."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    queryset = Project.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        return (
            Project.objects.visible_to(self.request.user)
            .select_related("created_by")
            .prefetch_related("natural_villages", "photos")
            .order_by("-started_on", "-pk")
        )

    @extend_schema(parameters=[IDEMPOTENCY_HEADER])
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        _keeper_or_403(request.user, self.get_object().village_id)
        return super().update(request, *args, **kwargs)

    def _save(self, serializer, project: Project):
        data = dict(serializer.validated_data)
        natural_villages = data.pop("natural_villages", None)
        for name, value in data.items():
            setattr(project, name, value)
        _keeper_or_403(self.request.user, project.village_id)
        services.project_save(
            by=self.request.user,
            project=project,
            natural_villages=list(natural_villages) if natural_villages is not None else None,
        )
        serializer.instance = self.get_queryset().get(pk=project.pk)

    def perform_create(self, serializer):
        self._save(serializer, Project())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


# --- Village documents -------------------------------------------------------------------------------------


class DocumentVersionSerializer(serializers.ModelSerializer):
    adopted_by = serializers.ChoiceField(choices=AdoptedBy.choices)
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = DocumentVersion
        fields = ["number", "text", "adopted_on", "adopted_by", "adoption_note", "copies", "recorded_by", "recorded_at"]
        read_only_fields = ["number", "recorded_at"]


class VillageDocumentSerializer(serializers.ModelSerializer):
    village = _VillageKey()
    versions = DocumentVersionSerializer(many=True, read_only=True)
    current_text = serializers.SerializerMethodField(help_text="the text of the highest version")
    created_by = serializers.StringRelatedField()

    class Meta:
        model = VillageDocument
        fields = [
            "id",
            "village",
            "kind",
            "title",
            "current_text",
            "versions",
            "created_by",
            "created_at",
            "updated_at",
            "archived_at",
        ]
        read_only_fields = ["created_at", "updated_at", "archived_at"]
        validators: list = []  # one active document per title: the model's message, from the service

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_current_text(self, doc: VillageDocument) -> str | None:
        versions = list(doc.versions.all())  # prefetched, highest number first
        return versions[0].text if versions else None


class DocumentViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The villages' rules (村规民约, 公约) with every adopted version, the current one first."""

    serializer_class = VillageDocumentSerializer
    filterset_fields = ["village", "kind"]
    queryset = VillageDocument.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VillageDocument.objects.none()
        return (
            VillageDocument.objects.visible_to(self.request.user)
            .select_related("created_by")
            .prefetch_related(
                Prefetch("versions", queryset=DocumentVersion.objects.select_related("recorded_by").order_by("-number"))
            )
            .order_by("kind", "title", "pk")
        )

    @extend_schema(parameters=[IDEMPOTENCY_HEADER])
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        document = VillageDocument(**serializer.validated_data)
        _keeper_or_403(self.request.user, document.village_id)
        services.document_save(by=self.request.user, document=document)
        serializer.instance = self.get_queryset().get(pk=document.pk)

    @extend_schema(request=DocumentVersionSerializer, responses={201: VillageDocumentSerializer})
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        """A newly adopted text: the next version; the earlier ones stay."""
        document = self.get_object()
        _keeper_or_403(request.user, document.village_id)
        payload = DocumentVersionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.document_adopt(by=request.user, document=document, version=DocumentVersion(**payload.validated_data))
        fresh = self.get_queryset().get(pk=document.pk)
        return Response(VillageDocumentSerializer(fresh, context=self.get_serializer_context()).data, status=201)
