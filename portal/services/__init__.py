"""Every write of the core goes through a function here (see STYLE.md)."""
