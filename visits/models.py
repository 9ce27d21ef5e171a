"""Monthly visits, coverage and reminders. Uses residents, grids and disputes.

Arrows go one way (STYLE.md): this app imports only from the apps listed; never the other way.
"""
