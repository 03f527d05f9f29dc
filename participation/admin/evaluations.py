"""Back office of evaluations."""
