"""Back office of votes."""
