"""Storyroom: customer-story sessions, attendance by level, recaps to executives."""
