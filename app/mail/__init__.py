"""Outgoing email: every message is a Delivery row, composed and sent by the worker."""
