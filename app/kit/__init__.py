"""Common mechanisms every domain uses, and none owns.

Each module knows nothing of customers, sessions or recaps: reading an upload (`uploads`),
reading an uploaded table, CSV or text, row by row (`tables`), signed links (`signing`),
SVG charts (`charts`) and the base of request bodies (`schemas`).
A mechanism that two domains would otherwise write twice belongs here.
"""
