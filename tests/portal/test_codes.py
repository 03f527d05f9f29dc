"""Receipt codes: readable alphabet, and what was typed compared safely."""

from portal.codes import CODE_ALPHABET, DIGITS, codes_match, new_code


def test_new_codes_use_only_the_readable_alphabet():
    codes = {new_code(10) for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 10 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("01OIL") & set(CODE_ALPHABET)
    assert set(new_code(6, DIGITS)) <= set(DIGITS)


def test_codes_match_trims_and_refuses_anything_else():
    assert codes_match("482913", " 482913 ")
    assert not codes_match("482913", "482914")
    assert not codes_match("482913", "")
    assert not codes_match("482913", None)
    # A code typed with a Chinese input method is wrong, not an error.
    assert not codes_match("482913", "４８２９１３")
    assert not codes_match("482913", "查询码")
