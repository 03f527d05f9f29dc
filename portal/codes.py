"""The codes people read off a receipt and type back (letters, proxy requests): a
tracking code that names the case and a query code that proves the reader holds the
receipt."""

from __future__ import annotations

import hmac
import random
import secrets

# No 0/O, 1/I/L: read aloud over the phone and typed by the elderly.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
DIGITS = "0123456789"


_SYSTEM = secrets.SystemRandom()


def new_code(
    length: int, alphabet: str = CODE_ALPHABET, *, rng: random.Random | None = None
) -> str:
    """A fresh code from the operating system's randomness; the demos pass their seeded
    `rng` so the same seed gives the same codes."""
    return "".join((rng or _SYSTEM).choice(alphabet) for _ in range(length))


def codes_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a stored code with what was typed. Text that is not
    ASCII (a code typed with a Chinese input method) is simply wrong, never an error."""
    given = (given or "").strip()
    return given.isascii() and hmac.compare_digest(expected, given)
