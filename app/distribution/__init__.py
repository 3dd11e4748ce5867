"""Distribution: executive lists, sending recaps and digests, reminders, delivery status."""
