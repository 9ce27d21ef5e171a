"""Cases: disputes with tiered mediation, hazards, requests. Uses residents and grids.

Arrows go one way (STYLE.md): this app imports only from the apps listed; never the other way.
"""
