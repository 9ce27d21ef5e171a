import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture
def api(personas):
    """An API client per persona, authenticated with that persona's token (and one for anonymous)."""

    def client_for(persona: str) -> APIClient:
        client = APIClient()
        if persona != "anonymous":
            token, _created = Token.objects.get_or_create(user=personas[persona])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for
