"""Recaps: authoring, versions, the recap document and its PDF."""
