"""Back office of decisions."""
