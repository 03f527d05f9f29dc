"""Back office of funds: projects."""
