"""Scripts that print speed and memory figures (see each module's docstring)."""
