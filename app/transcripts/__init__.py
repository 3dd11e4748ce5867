"""Transcripts and chat: what was said in a session, who said it, and what a recap takes from it."""
