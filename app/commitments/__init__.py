"""Commitments: what a leader says they will do about what they heard, and whether they did.

Made behind a signed link from the recap (or recorded by an organizer), reminded when due,
closed from the reminder with a sentence, and shown on the session, the person and later recaps.
"""
