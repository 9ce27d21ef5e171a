"""API of the territory and of the caller: villages, grids, micro-grids (read), and ``me``."""

from __future__ import annotations

from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.rest import Conflict, IdField, form_data, form_valid_or_400, id_or_none

from . import access, credentials, services
from .auth import AssignmentEnded
from .forms import AssignmentForm, EndAssignmentForm, GridForm, MicroGridForm
from .models import Assignment, Grid, MicroGrid, User, Village
from .security import lockout_message


class VillageSerializer(serializers.ModelSerializer):
    town = serializers.StringRelatedField()

    class Meta:
        model = Village
        fields = ["id", "name", "code", "area_km2", "town", "archived_at"]


class GridSerializer(serializers.ModelSerializer):
    class Meta:
        model = Grid
        fields = ["id", "village", "number", "name", "note", "archived_at"]


class MicroGridSerializer(serializers.ModelSerializer):
    class Meta:
        model = MicroGrid
        fields = ["id", "grid", "number", "name", "archived_at"]


class GridWriteSerializer(serializers.Serializer):
    """For the schema: the fields the grid form takes."""

    village = IdField(help_text="on create only")
    number = serializers.IntegerField(min_value=0, max_value=32767)
    name = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True)


class MicroGridWriteSerializer(serializers.Serializer):
    grid = IdField()
    number = serializers.IntegerField(min_value=0, max_value=32767)
    name = serializers.CharField()


class FormWriteMixin:
    """Create / update through the page's form (same validation), archive through the service. The
    village's staff only; a read-only scope is a 403, another village a 404."""

    form_class = None
    write_serializer = None

    def _village_of(self, obj):
        raise NotImplementedError

    def _form(self, data, *, instance=None, village):
        return self.form_class(data, instance=instance, village=village)

    def _save(self, request, data, *, instance=None, village):
        access.require_manage(request.user, village)
        form = form_valid_or_400(self._form(data, instance=instance, village=village))
        obj = form.save()
        return Response(self.get_serializer(obj).data, status=201 if instance is None else 200)

    def update(self, request, *args, **kwargs):
        obj = self.get_object()
        # A partial change keeps the other fields as they are (the form wants them all).
        data = form_data(request.data, over=self.get_serializer(obj).data)
        return self._save(request, data, instance=obj, village=self._village_of(obj))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)


class VillageViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = VillageSerializer
    search_fields = ["name"]

    def get_queryset(self):
        return Village.objects.visible_to(self.request.user).select_related("town").order_by("pk")


class GridViewSet(FormWriteMixin, viewsets.ModelViewSet):
    """Grids; the village's staff create, change and archive them (archive: when no micro-grid is left)."""

    serializer_class = GridSerializer
    filterset_fields = ["village"]
    form_class = GridForm
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return Grid.objects.visible_to(self.request.user).select_related("village").order_by("village", "number")

    def _village_of(self, grid):
        return grid.village

    @extend_schema(request=GridWriteSerializer, responses={201: GridSerializer})
    def create(self, request, *args, **kwargs):
        village = Village.objects.visible_to(request.user).filter(pk=id_or_none(request.data.get("village"))).first()
        if village is None:
            raise ValidationError({"village": [_("没有这个村。")]})
        return self._save(request, request.data, village=village)

    @extend_schema(request=GridWriteSerializer)
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    @extend_schema(request=None, responses=GridSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        grid = self.get_object()
        access.require_manage(request.user, grid.village)
        return Response(GridSerializer(services.grid_archive(grid=grid, by=request.user)).data)


class MicroGridViewSet(FormWriteMixin, viewsets.ModelViewSet):
    serializer_class = MicroGridSerializer
    filterset_fields = ["grid"]
    form_class = MicroGridForm
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return (
            MicroGrid.objects.visible_to(self.request.user).select_related("grid__village").order_by("grid", "number")
        )

    def _village_of(self, micro):
        return micro.grid.village

    @extend_schema(request=MicroGridWriteSerializer, responses={201: MicroGridSerializer})
    def create(self, request, *args, **kwargs):
        grid = Grid.objects.visible_to(request.user).filter(pk=id_or_none(request.data.get("grid"))).first()
        if grid is None:
            raise ValidationError({"grid": [_("没有这个网格。")]})
        return self._save(request, request.data, village=grid.village)

    @extend_schema(request=MicroGridWriteSerializer)
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    @extend_schema(request=None, responses=MicroGridSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        micro = self.get_object()
        access.require_manage(request.user, micro.grid.village)
        return Response(MicroGridSerializer(services.micro_grid_archive(micro_grid=micro, by=request.user)).data)


class AssignmentSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.__str__", read_only=True)
    place = serializers.CharField(source="place.__str__", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "user",
            "user_name",
            "role",
            "place",
            "town",
            "village",
            "grid",
            "micro_grid",
            "villager_group",
            "start",
            "end",
        ]


class AssignmentWriteSerializer(serializers.Serializer):
    """For the schema: the fields of the assignment form (the place field that matches the role)."""

    village = IdField()
    user = IdField()
    role = serializers.ChoiceField(choices=["village_staff", "grid_worker", "liaison", "info_officer"])
    grid = IdField(required=False)
    micro_grid = IdField(required=False)
    villager_group = IdField(required=False)
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True)


class EndSerializer(serializers.Serializer):
    end = serializers.DateField()


class AssignmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Who holds which place when. The village's staff assign people (a new holder of a grid takes over
    from the current one) and end assignments; nothing is deleted."""

    serializer_class = AssignmentSerializer
    filterset_fields = ["role", "village", "grid", "micro_grid", "user"]

    def get_queryset(self):
        return (
            Assignment.objects.visible_to(self.request.user)
            .select_related("user", "town", "village", "grid", "micro_grid", "villager_group")
            .order_by("-start", "pk")
        )

    @extend_schema(request=AssignmentWriteSerializer, responses={201: AssignmentSerializer})
    def create(self, request, *args, **kwargs):
        village = Village.objects.visible_to(request.user).filter(pk=id_or_none(request.data.get("village"))).first()
        if village is None:
            raise ValidationError({"village": [_("没有这个村。")]})
        access.require_manage(request.user, village)
        form = form_valid_or_400(AssignmentForm(request.data, village=village))
        assignment = services.assignment_create(
            by=request.user,
            user=form.cleaned_data["user"],
            role=form.cleaned_data["role"],
            place=form.place,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
        )
        return Response(AssignmentSerializer(assignment).data, status=201)

    @extend_schema(request=EndSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = self.get_object()
        if assignment.role == "town_office":
            raise PermissionDenied(_("镇综治办的岗位由系统管理员管理。"))
        access.require_manage(request.user, assignment.village_of_place)
        form = form_valid_or_400(EndAssignmentForm(request.data))
        try:
            services.assignment_end(assignment=assignment, on=form.cleaned_data["end"], by=request.user)
        except services.AssignmentAlreadyEnded as error:
            raise Conflict(error.messages[0], code="already_ended") from None
        assignment.refresh_from_db()
        return Response(AssignmentSerializer(assignment).data)


class LockedOut(exceptions.APIException):
    status_code = 429
    default_code = "locked_out"


# --- Token login ------------------------------------------------------------------------------------------------


class TokenView(APIView):
    """POST username + password → a token (the same one until it expires: every device of the user shares
    it); DELETE on the revoke URL ends it. A token expired is replaced by a new one."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={
            200: inline_serializer(
                "TokenResponse",
                {
                    "token": serializers.CharField(),
                    "expires_at": serializers.DateTimeField(help_text="API_TOKEN_TTL_DAYS after it was issued"),
                },
            )
        },
        auth=[],
    )
    def post(self, request):
        username = request.data.get("username") if hasattr(request.data, "get") else None
        password = request.data.get("password") if hasattr(request.data, "get") else None
        if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
            raise exceptions.ValidationError({"username": [_("请填写用户名和密码。")]})
        if len(username) > User._meta.get_field("username").max_length or "\x00" in username:
            # No account has such a name, and the lockout's record of it would fail in the database (a 500):
            # too long for its column, or a NUL character, which PostgreSQL's text cannot hold.
            raise exceptions.ValidationError({"non_field_errors": [_("用户名或密码不正确。")]})
        try:
            user = authenticate(request._request, username=username, password=password)
        except AxesBackendPermissionDenied:
            raise LockedOut(lockout_message()) from None
        if getattr(request._request, "axes_locked_out", False):
            raise LockedOut(lockout_message())
        if user is None or not user.is_active:
            raise exceptions.ValidationError({"non_field_errors": [_("用户名或密码不正确。")]})
        if user.must_change_password:
            raise exceptions.PermissionDenied(
                _("您的密码是由管理员设置的，请先在网页上登录并设置您自己的密码。"), code="password_change_required"
            )
        if credentials.assignments_over(user):
            raise exceptions.PermissionDenied(AssignmentEnded.default_detail, code=AssignmentEnded.default_code)
        token, _created = Token.objects.get_or_create(user=user)
        if credentials.token_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        expires_at = serializers.DateTimeField().to_representation(credentials.token_expires_at(token))
        return Response({"token": token.key, "expires_at": expires_at})


class TokenRevokeView(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
