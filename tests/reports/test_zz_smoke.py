from django.urls import reverse


def test_smoke(client, world, staff, town):
    client.force_login(staff)
    r = client.get(reverse("reports:scorecard", args=[world.village.pk]) + "?period=2026")
    assert r.status_code == 200, r.content[:3000]
    print(r.content.decode()[:200])
    client.force_login(town)
    r = client.get(reverse("reports:town-scorecards") + "?period=2026-Q4")
    assert r.status_code == 200
    r = client.get(reverse("reports:town-scorecards-export") + "?period=2026-11")
    assert r.status_code == 200
    r = client.get(reverse("reports:town-scorecards") + "?period=20x")
    assert r.status_code == 400
