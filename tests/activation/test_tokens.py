"""Link tokens and codes: stored as hashes only, one purpose, expire, used once, revoked."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from harness import rows

from wizard.activation import people, tokens
from wizard.activation.tokens import CodeCheck, Purpose, TokenState

pytestmark = pytest.mark.dates  # run again with the clock years ahead (make test)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=24)


@pytest.fixture
def person(store):
    return people.create(store, first_name="Jean", last_name="Dupont", login="jdupont",
                         institutional_email="jean.dupont@univ-test.fr",
                         personal_email="jean.dupont@exemple.org", now=NOW)


@pytest.fixture
def other(store):
    return people.create(store, first_name="Anne", last_name="Martin", login="amartin",
                         institutional_email="anne.martin@univ-test.fr",
                         personal_email="anne.martin@exemple.org", now=NOW)


def issue(store, person, purpose=Purpose.ACTIVATION, *, now=NOW, expires_at=LATER, **kw):
    return tokens.issue(store, person_id=person.id, purpose=purpose, now=now,
                        expires_at=expires_at, **kw)


def test_token_is_stored_as_its_sha256_only(store, person):
    issued = issue(store, person)
    (row,) = rows(store, "SELECT * FROM tokens")
    assert row["token_hash"] == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in {str(value) for value in row.values()}


def test_code_is_stored_as_a_hash_only(store, person):
    issued = issue(store, person, Purpose.VERIFY_ADDRESS, with_code=True)
    (row,) = rows(store, "SELECT * FROM tokens")
    assert issued.code is not None
    assert all(issued.code not in str(value) for value in row.values())
    assert len(row["code_hash"]) == 64


def test_secret_is_256_random_bits_url_safe(store, person):
    secrets = {issue(store, person).secret for _ in range(20)}
    assert len(secrets) == 20
    assert all(len(s) == 43 and s.replace("-", "").replace("_", "").isalnum() for s in secrets)


def test_code_is_six_digits(store, person):
    code = issue(store, person, Purpose.VERIFY_ADDRESS, with_code=True).code
    assert len(code) == 6 and code.isdigit()


def test_no_code_unless_asked(store, person):
    assert issue(store, person).code is None
    assert rows(store, "SELECT code_hash FROM tokens")[0]["code_hash"] is None


def test_find_returns_the_token_of_its_secret(store, person):
    issued = issue(store, person, target_address="jean.dupont@exemple.org")
    token = tokens.find(store, issued.secret, Purpose.ACTIVATION)
    assert token is not None
    assert (token.id, token.person_id, token.purpose) == (issued.id, person.id,
                                                          Purpose.ACTIVATION)
    assert token.target_address == "jean.dupont@exemple.org"
    assert token.state(NOW) is TokenState.VALID


def test_token_is_refused_for_another_purpose(store, person):
    issued = issue(store, person, Purpose.VERIFY_ADDRESS)
    assert tokens.find(store, issued.secret, Purpose.ACTIVATION) is None


@pytest.mark.parametrize("secret", ["", "nope", "x" * 201])
def test_unknown_secret_finds_nothing(store, person, secret):
    issue(store, person)
    assert tokens.find(store, secret, Purpose.ACTIVATION) is None


def test_token_expires_at_its_deadline(store, person):
    issued = issue(store, person)
    token = tokens.get(store, issued.id)
    assert token.state(LATER - timedelta(microseconds=1)) is TokenState.VALID
    assert token.state(LATER) is TokenState.EXPIRED


def test_consumed_token_is_used(store, person):
    issued = issue(store, person)
    assert tokens.consume(store, issued.id, NOW) is True
    assert tokens.get(store, issued.id).state(NOW) is TokenState.USED


def test_token_is_consumed_once(store, person):
    issued = issue(store, person)
    tokens.consume(store, issued.id, NOW)
    assert tokens.consume(store, issued.id, NOW + timedelta(minutes=1)) is False
    assert tokens.get(store, issued.id).used_at == NOW


def test_revoked_token_cannot_be_consumed(store, person):
    issued = issue(store, person)
    tokens.revoke(store, person_id=person.id, purpose=Purpose.ACTIVATION, now=NOW)
    assert tokens.get(store, issued.id).state(NOW) is TokenState.REVOKED
    assert tokens.consume(store, issued.id, NOW) is False


def test_used_wins_over_expired(store, person):
    issued = issue(store, person)
    tokens.consume(store, issued.id, NOW)
    assert tokens.get(store, issued.id).state(LATER + timedelta(days=1)) is TokenState.USED


def test_issuing_revokes_earlier_tokens_of_the_same_purpose(store, person):
    first = issue(store, person)
    second = issue(store, person, now=NOW + timedelta(minutes=5))
    assert tokens.get(store, first.id).state(NOW) is TokenState.REVOKED
    assert tokens.get(store, first.id).revoked_at == NOW + timedelta(minutes=5)
    assert tokens.get(store, second.id).state(NOW) is TokenState.VALID


def test_issuing_keeps_tokens_of_another_purpose(store, person):
    activation = issue(store, person)
    issue(store, person, Purpose.VERIFY_ADDRESS)
    assert tokens.get(store, activation.id).state(NOW) is TokenState.VALID


def test_issuing_keeps_other_peoples_tokens(store, person, other):
    theirs = issue(store, other)
    issue(store, person)
    assert tokens.get(store, theirs.id).state(NOW) is TokenState.VALID


def test_issuing_does_not_touch_a_used_token(store, person):
    first = issue(store, person)
    tokens.consume(store, first.id, NOW)
    issue(store, person)
    assert tokens.get(store, first.id).revoked_at is None


def test_revoke_counts_live_tokens_only(store, person):
    used = issue(store, person)
    tokens.consume(store, used.id, NOW)
    issue(store, person)
    assert tokens.revoke(store, person_id=person.id, purpose=Purpose.ACTIVATION, now=NOW) == 1


def test_latest_is_the_most_recent_of_the_purpose(store, person):
    issue(store, person, Purpose.VERIFY_ADDRESS)
    newest = issue(store, person, Purpose.VERIFY_ADDRESS)
    issue(store, person)
    assert tokens.latest(store, person.id, Purpose.VERIFY_ADDRESS).id == newest.id


def test_right_code_is_accepted(store, person):
    issued = issue(store, person, Purpose.VERIFY_ADDRESS, with_code=True)
    assert tokens.check_code(store, issued.id, issued.code, now=NOW, max_tries=5) \
        is CodeCheck.ACCEPTED


def test_code_typed_with_spaces_is_accepted(store, person):
    issued = issue(store, person, Purpose.VERIFY_ADDRESS, with_code=True)
    typed = f" {issued.code[:3]} {issued.code[3:]} "
    assert tokens.check_code(store, issued.id, typed, now=NOW, max_tries=5) \
        is CodeCheck.ACCEPTED


def _wrong(code: str) -> str:
    return "".join(str((int(ch) + 1) % 10) for ch in code)


def test_wrong_code_is_refused_and_counted(store, person):
    issued = issue(store, person, Purpose.VERIFY_ADDRESS, with_code=True)
    assert tokens.check_code(store, issued.id, _wrong(issued.code), now=NOW, max_tries=5) \
        is CodeCheck.WRONG
    assert tokens.get(store, issued.id).code_tries == 1


def test_code_dies_at_the_tries_limit(store, person):
    issued = issue(store, person, Purpose.VERIFY_ADDRESS, with_code=True)
    outcomes = [tokens.check_code(store, issued.id, _wrong(issued.code), now=NOW, max_tries=3)
                for _ in range(3)]
    assert outcomes == [CodeCheck.WRONG, CodeCheck.WRONG, CodeCheck.DEAD]


def test_dead_code_refuses_even_the_right_code(store, person):
    issued = issue(store, person, Purpose.VERIFY_ADDRESS, with_code=True)
    for _ in range(3):
        tokens.check_code(store, issued.id, _wrong(issued.code), now=NOW, max_tries=3)
    assert tokens.check_code(store, issued.id, issued.code, now=NOW, max_tries=3) \
        is CodeCheck.DEAD


def test_dead_code_stops_counting(store, person):
    issued = issue(store, person, Purpose.VERIFY_ADDRESS, with_code=True)
    for _ in range(5):
        tokens.check_code(store, issued.id, _wrong(issued.code), now=NOW, max_tries=3)
    assert tokens.get(store, issued.id).code_tries == 3


def test_code_of_an_expired_token_is_dead(store, person):
    issued = issue(store, person, Purpose.VERIFY_ADDRESS, with_code=True)
    assert tokens.check_code(store, issued.id, issued.code, now=LATER, max_tries=5) \
        is CodeCheck.DEAD


def test_code_of_a_revoked_token_is_dead(store, person):
    issued = issue(store, person, Purpose.VERIFY_ADDRESS, with_code=True)
    issue(store, person, Purpose.VERIFY_ADDRESS, with_code=True)
    assert tokens.check_code(store, issued.id, issued.code, now=NOW, max_tries=5) \
        is CodeCheck.DEAD


def test_code_of_a_used_token_is_dead(store, person):
    issued = issue(store, person, Purpose.VERIFY_ADDRESS, with_code=True)
    tokens.consume(store, issued.id, NOW)
    assert tokens.check_code(store, issued.id, issued.code, now=NOW, max_tries=5) \
        is CodeCheck.DEAD


def test_token_without_a_code_accepts_no_code(store, person):
    issued = issue(store, person)
    assert tokens.check_code(store, issued.id, "123456", now=NOW, max_tries=5) \
        is CodeCheck.DEAD


def test_code_of_one_token_does_not_open_another(store, person, other):
    mine = issue(store, person, Purpose.VERIFY_ADDRESS, with_code=True)
    theirs = issue(store, other, Purpose.VERIFY_ADDRESS, with_code=True)
    if mine.code == theirs.code:
        pytest.skip("two random codes happened to be equal")
    assert tokens.check_code(store, theirs.id, mine.code, now=NOW, max_tries=5) \
        is CodeCheck.WRONG


def test_equal_codes_of_two_tokens_hash_differently(store, person, other):
    first = issue(store, person, Purpose.VERIFY_ADDRESS)
    second = issue(store, other, Purpose.VERIFY_ADDRESS)
    key = b"k"
    assert tokens._hash_code(first.id, "123456", key) != tokens._hash_code(second.id,
                                                                         "123456", key)


def test_code_hash_depends_on_the_server_key(store, person):
    """Without the key (kept out of the database) a stolen hash cannot be brute-forced."""
    issued = tokens.issue(store, person_id=person.id, purpose=Purpose.VERIFY_ADDRESS,
                          now=NOW, expires_at=NOW + timedelta(hours=1), with_code=True,
                          code_key=b"server key")
    (row,) = store.query("SELECT code_hash FROM tokens WHERE id = ?", [issued.id])
    assert row["code_hash"] != tokens._hash_code(issued.id, issued.code, b"")
    assert tokens.check_code(store, issued.id, issued.code, now=NOW, max_tries=5,
                             code_key=b"other key") is tokens.CodeCheck.WRONG
    assert tokens.check_code(store, issued.id, issued.code, now=NOW, max_tries=5,
                             code_key=b"server key") is tokens.CodeCheck.ACCEPTED
