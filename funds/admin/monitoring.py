"""Back office of funds: monitoring."""
