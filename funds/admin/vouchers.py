"""Back office of funds: vouchers."""
