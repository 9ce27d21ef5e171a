"""The REST API under /api/v1/: the router and the URLs. Each app's ``api.py`` holds its serializers and
viewsets; what every endpoint shares (paging, scoped filtering, one error format, idempotent creation) is in
``core.rest``, token login in ``grids.api`` (docs/architecture.md).

Errors: every 4xx body is ``{"code": "...", "message": "...", "fields": {...}}`` — a machine code, a
message in the request's language (Accept-Language), and per-field messages for invalid input.
"""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from civility.api import ActivityViewSet, ModelSelectionViewSet, PointsAccountViewSet, VolunteerTeamViewSet
from cogovernance.api import DeliberationViewSet, DocumentViewSet, ProjectViewSet
from disputes.api import CaseViewSet, MediatorViewSet
from grids.api import AssignmentViewSet, GridViewSet, MicroGridViewSet, TokenRevokeView, TokenView, VillageViewSet
from messaging.api import MeView, NoticeViewSet
from party.api import MeetingViewSet, MemberViewSet, OrganisationViewSet
from reports.api import ReportViewSet, ScorecardViewSet
from residents.api import HouseholdViewSet, KeyPersonViewSet, KeyPlaceViewSet, ResidentViewSet
from towntasks.api import TownTaskViewSet
from visits.api import VisitViewSet, WorkListView


def _router() -> DefaultRouter:
    router = DefaultRouter()
    router.register("villages", VillageViewSet, basename="village")
    router.register("grids", GridViewSet, basename="grid")
    router.register("micro-grids", MicroGridViewSet, basename="micro-grid")
    router.register("assignments", AssignmentViewSet, basename="assignment")
    router.register("notices", NoticeViewSet, basename="notice")
    router.register("households", HouseholdViewSet, basename="household")
    router.register("residents", ResidentViewSet, basename="resident")
    router.register("key-persons", KeyPersonViewSet, basename="key-person")
    router.register("key-places", KeyPlaceViewSet, basename="key-place")
    router.register("visits", VisitViewSet, basename="visit")
    router.register("cases", CaseViewSet, basename="case")
    router.register("mediators", MediatorViewSet, basename="mediator")
    router.register("party-organisations", OrganisationViewSet, basename="party-organisation")
    router.register("party-members", MemberViewSet, basename="party-member")
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("deliberations", DeliberationViewSet, basename="deliberation")
    router.register("projects", ProjectViewSet, basename="project")
    router.register("village-documents", DocumentViewSet, basename="village-document")
    router.register("activities", ActivityViewSet, basename="activity")
    router.register("volunteer-teams", VolunteerTeamViewSet, basename="volunteer-team")
    router.register("model-households", ModelSelectionViewSet, basename="model-household")
    router.register("points", PointsAccountViewSet, basename="points-account")
    router.register("reports", ReportViewSet, basename="report")
    router.register("scorecards", ScorecardViewSet, basename="scorecard")
    router.register("town-tasks", TownTaskViewSet, basename="town-task")
    return router


def urls():
    return [
        path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
        path("api/v1/auth/token/revoke/", TokenRevokeView.as_view(), name="api-token-revoke"),
        path("api/v1/me/", MeView.as_view(), name="api-me"),
        path("api/v1/me/work-list/", WorkListView.as_view(), name="api-work-list"),
        path("api/v1/", include((_router().urls, "api"), namespace="api")),
        path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
        path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    ]
