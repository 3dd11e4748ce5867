"""Invitations: iCalendar invites, RSVPs, calendar feeds and session reminders."""
