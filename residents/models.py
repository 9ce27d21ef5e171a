"""Households, residents, key persons, key places. Uses grids.

Arrows go one way (STYLE.md): this app imports only from the apps listed; never the other way.
"""
