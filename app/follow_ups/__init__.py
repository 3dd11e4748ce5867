"""The storyteller hears back: follow-up letters drafted from the recap, and their replies."""
