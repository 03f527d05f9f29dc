"""Back office of funds: ledger."""
