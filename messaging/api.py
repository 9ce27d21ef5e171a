"""The caller over the API: who they are (``me``) and their inbox."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from grids import access
from grids.models import Assignment

from .models import Notice
from .services import notice_read


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


class NoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notice
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]


class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's inbox, newest first; ``?unread=true`` for the unread ones; ``read`` marks one read."""

    serializer_class = NoticeSerializer

    def get_queryset(self):
        qs = Notice.objects.visible_to(self.request.user)
        if self.request.query_params.get("unread") in {"true", "1"}:
            qs = qs.unread()
        return qs

    @extend_schema(request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notice = self.get_object()
        notice_read(notice=notice)
        notice.refresh_from_db()
        return Response(NoticeSerializer(notice).data)
