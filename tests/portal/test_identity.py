import logging

import pytest
from django.core.exceptions import ValidationError

from portal import identity


def test_valid_id_number_from_the_standard():
    assert identity.validate_id_number("11010519491231002X") == "11010519491231002X"
    assert identity.validate_id_number(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "id_check_character"),
        ("1101051949123100", "id_length"),
        ("11010519491331002X", "id_birth_date"),
        ("11010519491231002Y", "id_characters"),
        ("01010519491231002X", "id_characters"),
    ],
)
def test_invalid_id_numbers_say_what_is_wrong(value, code):
    with pytest.raises(ValidationError) as info:
        identity.validate_id_number(value)
    assert info.value.code == code
    assert "身份证" in str(info.value.messages[0])


def test_check_character_is_mod_11_2():
    assert identity.check_character("11010519491231002") == "X"
    assert identity.check_character("51011819800101001") in "0123456789X"


def test_masks():
    assert identity.mask_id_number("510118198001011234") == "510118********1234"
    assert identity.mask_name("张三") == "张*"
    assert identity.mask_name("欧阳修") == "欧**"
    assert identity.mask_phone("138 1234 5678") == "138****5678"


def test_phone_validation():
    assert identity.validate_phone("+86 138-1234-5678") == "13812345678"
    with pytest.raises(ValidationError) as info:
        identity.validate_phone("12345")
    assert "手机号码" in info.value.messages[0]


def test_keyed_hash_is_stable_and_separated_by_purpose(settings):
    a = identity.id_number_hash("11010519491231002x")
    assert a == identity.id_number_hash("11010519491231002X")
    assert a != identity.keyed_hash("11010519491231002X", purpose="other")
    settings.IDENTITY_HASH_KEY = "another-key"
    assert identity.id_number_hash("11010519491231002X") != a


def test_log_lines_are_scrubbed(caplog):
    from portal.logfilters import MaskPersonalDataFilter

    logger = logging.getLogger("portal.test")
    handler_filter = MaskPersonalDataFilter()
    record = logger.makeRecord(
        "portal.test",
        logging.INFO,
        __file__,
        1,
        "letter from %s id %s",
        ("13812345678", "11010519491231002X"),
        None,
    )
    handler_filter.filter(record)
    message = record.getMessage()
    assert "13812345678" not in message and "11010519491231002X" not in message
    assert "138****5678" in message and "110105********002X" in message
