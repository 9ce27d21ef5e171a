"""Tooling: the demo town (``seed_demo``), the county generator (``generate_scale``), the benchmark (``bench``)
and backup / restore. The top floor of the apps: it may import every other app; no app imports it."""
