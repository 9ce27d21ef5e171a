"""API of the territory and of the caller: villages, grids, micro-grids (read), and ``me``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from . import access
from .models import Assignment, Grid, MicroGrid, Notice, Village


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


class VillageViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = VillageSerializer
    search_fields = ["name"]

    def get_queryset(self):
        return Village.objects.visible_to(self.request.user).select_related("town").order_by("pk")


class GridViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GridSerializer
    filterset_fields = ["village"]

    def get_queryset(self):
        return Grid.objects.visible_to(self.request.user).order_by("village", "number")


class MicroGridViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MicroGridSerializer
    filterset_fields = ["grid"]

    def get_queryset(self):
        return MicroGrid.objects.visible_to(self.request.user).order_by("grid", "number")


class MeView(APIView):
    """The caller: who they are, their current roles and places, their unread inbox count."""

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "name": serializers.CharField(),
                "is_system_admin": serializers.BooleanField(),
                "roles": serializers.ListField(child=serializers.DictField()),
                "unread_notices": serializers.IntegerField(),
            },
        )
    )
    def get(self, request):
        user = request.user
        roles = [
            {
                "role": a.role,
                "role_label": a.get_role_display(),
                "place": str(a.place),
                "place_id": a.place.pk,
                "since": a.start.isoformat(),
            }
            for a in Assignment.objects.current()
            .filter(user=user)
            .select_related("town", "village", "grid", "micro_grid", "villager_group")
        ]
        access.scope_for(user)
        return Response(
            {
                "id": user.pk,
                "username": user.username,
                "name": str(user),
                "is_system_admin": user.is_superuser,
                "roles": roles,
                "unread_notices": Notice.objects.visible_to(user).unread().count(),
            }
        )
