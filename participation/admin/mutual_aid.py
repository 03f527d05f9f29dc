"""Back office of mutual aid."""
