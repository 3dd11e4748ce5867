"""Common mechanisms every domain uses, and none owns.

Each module knows nothing of customers, sessions or recaps: reading an upload (`uploads`)
and an uploaded table row by row (`tables`), signed links (`signing`), SVG charts (`charts`),
the base of request bodies (`schemas`), the pager (`paging`), sortable columns (`sorting`),
a refused form shown again (`forms`), counts in words (`words`), amounts of money
(`money`), calendar quarters (`quarters`) and when a dated thing falls due (`due`).
A mechanism that two domains would otherwise write twice belongs here.
"""
