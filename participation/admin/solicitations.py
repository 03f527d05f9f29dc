"""Back office of solicitations."""
