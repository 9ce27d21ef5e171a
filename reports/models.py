"""Monthly reports and the town's review. Uses every app above it.

Arrows go one way (STYLE.md): this app imports only from the apps listed; never the other way.
"""
