"""Signing in: wrong-password lockouts (throttle), the second factor (totp), the two-step
login pages and token endpoint (views), and the limit in front of every public POST
(middleware)."""
