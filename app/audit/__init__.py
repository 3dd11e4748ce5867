"""The audit log: who created, changed, approved, sent or deleted what, and when."""
