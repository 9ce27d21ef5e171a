"""API of the registry: households and residents (read; write where the pages let the caller), key
persons and key places (read). ID numbers are masked unless the caller may see them in full; a full
number is given only by ``POST residents/{id}/reveal-id-number/``, and every such view is recorded."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from audit import trail
from audit.models import AuditAction
from core.rest import IdField, ScopedPrimaryKey, form_data, form_valid_or_400, id_or_none
from grids import access
from grids.models import MicroGrid, NaturalVillage, VillagerGroup

from . import disclosure, services
from .filters import HouseholdFilter, KeyPersonFilter, KeyPlaceFilter, ResidentFilter
from .models import Household, KeyPerson, KeyPlace, Resident


class MoveHouseholdSerializer(serializers.Serializer):
    micro_grid = IdField(help_text="the micro-grid of the same village to move to")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MoveResidentSerializer(serializers.Serializer):
    household = IdField(required=False, allow_null=True, help_text="null: out of any household")
    relation = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class HouseholdSerializer(serializers.ModelSerializer):
    micro_grid = ScopedPrimaryKey(model=MicroGrid)
    villager_group = ScopedPrimaryKey(model=VillagerGroup)
    natural_village = ScopedPrimaryKey(model=NaturalVillage, required=False, allow_null=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "village",
            "grid",
            "micro_grid",
            "villager_group",
            "natural_village",
            "number",
            "address",
            "phone",
            "living_status",
            "note",
            "archived_at",
            "updated_at",
        ]
        read_only_fields = ["village", "grid", "archived_at", "updated_at"]

    STRUCTURE = ("micro_grid", "villager_group", "natural_village", "number")

    def get_fields(self):
        """A grid worker corrects phone, living status, address and note (as on the phone page); where a
        household sits and its number are the village staff's."""
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not _keeps_any_village(request.user):
            for name in self.STRUCTURE:
                fields[name].read_only = True
        return fields

    def validate(self, attrs):
        micro = attrs.get("micro_grid") or getattr(self.instance, "micro_grid", None)
        group = attrs.get("villager_group") or getattr(self.instance, "villager_group", None)
        if micro and group and micro.grid.village_id != group.village_id:
            raise serializers.ValidationError({"villager_group": [_("村民小组必须与微网格属于同一个村。")]})
        if (
            micro
            and Household.objects.filter(village=micro.grid.village_id, number=attrs.get("number", ""))
            .exclude(pk=getattr(self.instance, "pk", None))
            .exists()
        ):
            raise serializers.ValidationError({"number": [_("本村已有该户编号。")]})
        return attrs


class HouseholdViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Households. Village staff create and change them; a grid worker corrects those of their grids."""

    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter

    def get_queryset(self):
        return Household.objects.visible_to(self.request.user).order_by("village_id", "number")

    def perform_create(self, serializer):
        micro = serializer.validated_data.get("micro_grid")
        if micro is None or not access.can_manage_village(self.request.user, micro.grid.village):
            raise PermissionDenied(_("只有本村村干部可以新建户。"))
        household = Household(**serializer.validated_data)
        serializer.instance = services.household_save(by=self.request.user, household=household)

    def perform_update(self, serializer):
        if not Household.objects.changeable_by(self.request.user).filter(pk=serializer.instance.pk).exists():
            raise PermissionDenied(_("您可以查看，但不能修改这一户。"))
        household = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(household, field, value)
        serializer.instance = services.household_save(by=self.request.user, household=household)

    def _for_staff(self) -> Household:
        household = self.get_object()
        if not access.can_manage_village(self.request.user, household.village):
            raise PermissionDenied(_("只有本村村干部可以迁移、归档或恢复户。"))
        return household

    def _answer(self, household):
        return Response(HouseholdSerializer(household, context=self.get_serializer_context()).data)

    @extend_schema(request=MoveHouseholdSerializer, responses=HouseholdSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        household = self._for_staff()
        payload = MoveHouseholdSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        to = MicroGrid.objects.visible_to(request.user).filter(pk=payload.validated_data["micro_grid"]).first()
        if to is None:
            raise serializers.ValidationError({"micro_grid": [_("没有这个微网格。")]})
        moved = services.household_move(
            by=request.user, household=household, to=to, note=payload.validated_data["note"]
        )
        return self._answer(moved)

    @extend_schema(request=None, responses=HouseholdSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._answer(services.household_archive(by=request.user, household=self._for_staff()))

    @extend_schema(request=None, responses=HouseholdSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        return self._answer(services.household_restore(by=request.user, household=self._for_staff()))


def _keeps_any_village(user) -> bool:
    scope = access.scope_for(user)
    return scope.is_admin or bool(scope.village_ids)


class _ShownToCaller(serializers.Field):
    """A resident's value as the caller may see it (residents/disclosure.py)."""

    shown = None

    def __init__(self, source="*", **kwargs):
        super().__init__(read_only=True, source=source, **kwargs)

    def to_representation(self, resident):
        return type(self).shown(self.context["request"].user, resident)


@extend_schema_field(OpenApiTypes.STR)
class MaskedIdField(_ShownToCaller):
    shown = staticmethod(disclosure.masked_id)


@extend_schema_field({"type": "string", "format": "date", "nullable": True})
class BirthDateField(_ShownToCaller):
    shown = staticmethod(disclosure.birth_date)


@extend_schema_field(OpenApiTypes.INT)
class AgeField(_ShownToCaller):
    shown = staticmethod(disclosure.age)


class ResidentSerializer(serializers.ModelSerializer):
    household = ScopedPrimaryKey(model=Household, required=False, allow_null=True)
    id_number = serializers.CharField(write_only=True, required=False, help_text="18 位身份证号（GB 11643）")
    id_number_masked = MaskedIdField(
        help_text="masked: the first and last four characters for the village's staff, the first two for others"
    )
    birth_date = BirthDateField(help_text="null for those who may not see the village's full ID numbers")
    age = AgeField(help_text="full years for the village's staff; for others this year minus the year of birth")

    class Meta:
        model = Resident
        fields = [
            "id",
            "village",
            "household",
            "relation",
            "name",
            "id_number",
            "id_number_masked",
            "gender",
            "birth_date",
            "age",
            "phone",
            "ethnicity",
            "political",
            "marriage",
            "education",
            "occupation",
            "registration",
            "lives_here",
            "away_place",
            "archived_at",
            "updated_at",
        ]
        read_only_fields = ["village", "gender", "archived_at", "updated_at"]

    def validate(self, attrs):
        if self.instance is None and not attrs.get("id_number"):
            raise serializers.ValidationError({"id_number": [_("请填写身份证号。")]})
        if self.instance is None and not attrs.get("household"):
            raise serializers.ValidationError({"household": [_("请指定所在户。")]})
        return attrs


class ResidentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Residents; ID numbers masked. Village staff register and change them."""

    serializer_class = ResidentSerializer
    filterset_class = ResidentFilter

    def get_queryset(self):
        # By village id, not the village's own order (town, name): that joined every row of a town to its
        # village and town and sorted all 71,000 for each page, 170 ms at a million; now an incremental sort
        # of the first villages only, 5 ms for page 1 and 77 ms for page 1,400 (EXPLAIN ANALYZE at a million residents).
        return Resident.objects.visible_to(self.request.user).order_by("village_id", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        number = data.pop("id_number")
        household = data["household"]
        if not access.can_manage_village(self.request.user, household.village):
            raise PermissionDenied(_("只有本村村干部可以登记居民。"))
        resident = Resident(village=household.village, **data)
        serializer.instance = services.resident_save(by=self.request.user, resident=resident, id_number=number)

    def perform_update(self, serializer):
        resident = serializer.instance
        if not access.can_manage_village(self.request.user, resident.village):
            raise PermissionDenied(_("只有本村村干部可以修改居民信息。"))
        data = dict(serializer.validated_data)
        number = data.pop("id_number", None)
        household = data.get("household")
        if household is not None and household.village_id != resident.village_id:
            raise PermissionDenied(_("换到外村请用迁移。"))
        for field, value in data.items():
            setattr(resident, field, value)
        serializer.instance = services.resident_save(by=self.request.user, resident=resident, id_number=number)

    def _for_staff(self) -> Resident:
        resident = self.get_object()
        if not access.can_manage_village(self.request.user, resident.village):
            raise PermissionDenied(_("只有本村村干部可以迁移、归档或恢复居民。"))
        return resident

    def _answer(self, resident):
        return Response(ResidentSerializer(resident, context=self.get_serializer_context()).data)

    @extend_schema(request=MoveResidentSerializer, responses=ResidentSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        resident = self._for_staff()
        payload = MoveResidentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        to = None
        if data.get("household"):
            to = Household.objects.visible_to(request.user).filter(pk=data["household"]).first()
            if to is None:
                raise serializers.ValidationError({"household": [_("没有这一户。")]})
        moved = services.resident_move(
            by=request.user, resident=resident, to=to, relation=data["relation"], note=data["note"]
        )
        return self._answer(moved)

    @extend_schema(request=None, responses=ResidentSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._answer(services.resident_archive(by=request.user, resident=self._for_staff()))

    @extend_schema(request=None, responses=ResidentSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        return self._answer(services.resident_restore(by=request.user, resident=self._for_staff()))

    @extend_schema(request=None, responses=inline_serializer("FullIdNumber", {"id_number": serializers.CharField()}))
    @action(detail=True, methods=["post"], url_path="reveal-id-number")
    def reveal_id_number(self, request, pk=None):
        """The full ID number, for those who may see it (village staff); the view is recorded."""
        resident = self.get_object()
        try:
            number = services.id_number_reveal(
                viewer=request.user, resident=resident, address=trail.client_address(request), purpose="api"
            )
        except PermissionError:
            raise PermissionDenied(_("您不能查看完整身份证号。")) from None
        return Response({"id_number": number})


class KeyPersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="resident.name", read_only=True)
    id_number_masked = MaskedIdField(source="resident")

    class Meta:
        model = KeyPerson
        fields = [
            "id",
            "resident",
            "name",
            "id_number_masked",
            "category",
            "attention",
            "risk_level",
            "listed_from",
            "listed_until",
            "guardian_name",
            "guardian_phone",
        ]


class ResponsibleSerializer(serializers.Serializer):
    role = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField(required=False, allow_blank=True)


class KeyPersonWriteSerializer(serializers.Serializer):
    """For the schema: the fields of the key-person form, and the people responsible (四帮一)."""

    resident = IdField(help_text="on create only")
    category = serializers.CharField()
    attention = serializers.CharField(required=False)
    listed_from = serializers.DateField()
    listed_until = serializers.DateField(required=False, allow_null=True)
    risk_level = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=5)
    guardian_name = serializers.CharField(required=False, allow_blank=True)
    guardian_phone = serializers.CharField(required=False, allow_blank=True)
    responsibles = ResponsibleSerializer(many=True, required=False, help_text="replaces the list when given")


class KeyPersonViewSet(viewsets.ModelViewSet):
    """Key persons: only the village's staff, the grid's worker and the people responsible (PIPL). The
    village's staff list and change them with their people responsible (the page's form and formset: a
    level ≥ 3 patient needs the whole 四帮一 team)."""

    serializer_class = KeyPersonSerializer
    filterset_class = KeyPersonFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return KeyPerson.objects.visible_to(self.request.user).select_related("resident").order_by("pk")

    def retrieve(self, request, *args, **kwargs):
        key_person = self.get_object()
        trail.record(AuditAction.VIEW, key_person, note="api")
        return Response(self.get_serializer(key_person).data)

    def _save(self, request, data, *, resident, key_person=None):
        from django.db import transaction

        from .forms import KeyPersonForm, ResponsibleFormSet

        if not access.can_manage_village(request.user, resident.village):
            raise PermissionDenied(_("您可以查看，但只有本村村干部可以修改。"))
        form = form_valid_or_400(KeyPersonForm(data, instance=key_person, resident=resident))
        people = data.get("responsibles")
        formset = None
        if people is not None or key_person is None:
            people = list(people or [])
            prefix = "responsible"
            fs_data = {f"{prefix}-TOTAL_FORMS": str(len(people)), f"{prefix}-INITIAL_FORMS": "0"}
            for i, person in enumerate(people):
                for field in ("role", "name", "phone"):
                    fs_data[f"{prefix}-{i}-{field}"] = (person or {}).get(field, "") if isinstance(person, dict) else ""
            # Validated against a fresh listing: the given list replaces the old one.
            formset = ResponsibleFormSet(
                fs_data,
                instance=KeyPerson(resident=resident),
                prefix=prefix,
                risk_level=form.cleaned_data.get("risk_level"),
                category=form.cleaned_data.get("category"),
            )
            if not formset.is_valid():
                errors = list(formset.non_form_errors()) + [
                    f"{i + 1}: {field} {msg}"
                    for i, f in enumerate(formset.errors)
                    for field, msgs in f.items()
                    for msg in msgs
                ]
                raise serializers.ValidationError({"responsibles": errors})
        with transaction.atomic():
            saved = form.save()
            if formset is not None:
                saved.responsibles.all().delete()
                formset.instance = saved
                formset.save()
        return Response(
            KeyPersonSerializer(saved, context=self.get_serializer_context()).data,
            status=201 if key_person is None else 200,
        )

    @extend_schema(request=KeyPersonWriteSerializer, responses={201: KeyPersonSerializer})
    def create(self, request, *args, **kwargs):
        resident = Resident.objects.visible_to(request.user).filter(pk=id_or_none(request.data.get("resident"))).first()
        if resident is None:
            raise serializers.ValidationError({"resident": [_("没有这位居民。")]})
        return self._save(request, request.data, resident=resident)

    @extend_schema(request=KeyPersonWriteSerializer)
    def update(self, request, *args, **kwargs):
        key_person = self.get_object()
        current = {
            field: getattr(key_person, field)
            for field in (
                "category",
                "attention",
                "listed_from",
                "listed_until",
                "risk_level",
                "guardian_name",
                "guardian_phone",
                "incident_history",
                "treatment",
                "correction_type",
                "correction_start",
                "correction_end",
                "supervision_gap",
                "release_date",
                "resettlement",
                "health",
                "difficulties",
                "note",
            )
        }
        data = form_data(request.data, over={k: ("" if v is None else v) for k, v in current.items()})
        return self._save(request, data, resident=key_person.resident, key_person=key_person)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)


class KeyPlaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyPlace
        fields = [
            "id",
            "village",
            "grid",
            "micro_grid",
            "type",
            "name",
            "address",
            "person_in_charge",
            "phone",
            "hazards",
            "archived_at",
        ]


class KeyPlaceWriteSerializer(serializers.Serializer):
    """For the schema: the fields the key-place form takes."""

    village = IdField(help_text="on create only")
    type = serializers.CharField()
    name = serializers.CharField()
    grid = IdField()
    micro_grid = IdField(required=False, allow_null=True)
    address = serializers.CharField()
    person_in_charge = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    hazards = serializers.CharField(required=False, allow_blank=True)
    owner_id_number = serializers.CharField(required=False, allow_blank=True, help_text="出租房屋：房东身份证号")
    tenant_id_numbers = serializers.CharField(required=False, allow_blank=True, help_text="租住人员身份证号，每行一个")


class KeyPlaceViewSet(viewsets.ModelViewSet):
    """Key places; the village's staff create, change, archive and restore them (through the page's form)."""

    serializer_class = KeyPlaceSerializer
    filterset_class = KeyPlaceFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return KeyPlace.objects.visible_to(self.request.user).select_related("village").order_by("village", "name")

    def _save(self, request, data, *, instance=None, village):
        from .forms import KeyPlaceForm

        access.require_manage(request.user, village)
        form = form_valid_or_400(KeyPlaceForm(data, instance=instance, village=village))
        place = form.save()
        return Response(KeyPlaceSerializer(place).data, status=201 if instance is None else 200)

    @extend_schema(request=KeyPlaceWriteSerializer, responses={201: KeyPlaceSerializer})
    def create(self, request, *args, **kwargs):
        from grids.models import Village

        village = Village.objects.visible_to(request.user).filter(pk=id_or_none(request.data.get("village"))).first()
        if village is None:
            raise serializers.ValidationError({"village": [_("没有这个村。")]})
        return self._save(request, request.data, village=village)

    @extend_schema(request=KeyPlaceWriteSerializer)
    def update(self, request, *args, **kwargs):
        place = self.get_object()
        if place.is_archived:
            raise PermissionDenied(_("该场所已归档，请先恢复。"))
        # A partial change keeps the other fields as they are (the form wants them all).
        data = form_data(request.data, over=KeyPlaceSerializer(place).data)
        return self._save(request, data, instance=place, village=place.village)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def _set_archived(self, request, archived: bool):
        place = self.get_object()
        access.require_manage(request.user, place.village)
        return Response(KeyPlaceSerializer(services.key_place_set_archived(place=place, archived=archived)).data)

    @extend_schema(request=None, responses=KeyPlaceSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._set_archived(request, True)

    @extend_schema(request=None, responses=KeyPlaceSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        return self._set_archived(request, False)
