"""The sésame: its alphabet, its storage (argon2id hash and expiry only), and a check that
always costs one verification and records nothing."""

from datetime import UTC, date, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from harness import NOW, dump, rows

from wizard import db
from wizard.activation import audit, people, sesames
from wizard.passwords import hasher as make_hasher

pytestmark = pytest.mark.dates  # run again with the clock years ahead (make test)

CHEAP = {"time_cost": 1, "memory_kib": 8, "parallelism": 1}


class CountingHasher(PasswordHasher):
    """A cheap hasher that counts its verifications."""

    def __init__(self):
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verifications = 0

    def verify(self, hash, password):
        self.verifications += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher():
    return CountingHasher()


def add(store, login="mlegoff", personal=None, status="pending", **columns):
    with db.transaction(store):
        person = people.create(store, first_name="Marie", last_name="Le Goff", login=login,
                               institutional_email=f"{login}@univ-test.fr",
                               personal_email=personal, now=NOW)
        store.execute(f"UPDATE people SET status = ? {''.join(f', {c} = ?' for c in columns)}"
                      " WHERE id = ?", [status, *columns.values(), person.id])
    return person


def give(store, hasher, person, *, now=NOW, days=30):
    with db.transaction(store):
        return sesames.issue(store, hasher, person.id, now=now, valid_days=days,
                             timezone="Europe/Paris", origin=audit.CLI,
                             login_key_secret=b"test key")


def test_code_is_ten_characters_without_look_alikes():
    for _ in range(200):
        code = sesames.generate()
        assert len(code) == 10
        assert set(code) <= set(sesames.ALPHABET)
    assert not set("0O1IL") & set(sesames.ALPHABET)


def test_codes_differ():
    assert len({sesames.generate() for _ in range(500)}) == 500


def test_printed_in_two_groups():
    assert sesames.display("K7QF9M2XPA") == "K7QF9 M2XPA"


@pytest.mark.parametrize("typed", ["K7QF9M2XPA", "k7qf9 m2xpa", " K7QF9-M2XPA ", "k7Qf9\tM2xPa"])
def test_typed_code_is_normalised(typed):
    assert sesames.normalize(typed) == "K7QF9M2XPA"


def test_only_the_hash_and_expiry_are_stored(store, hasher):
    person = add(store)
    issued = give(store, hasher, person)
    (row,) = rows(store, "SELECT * FROM people")
    assert row["sesame_hash"].startswith("$argon2id$")
    assert row["sesame_expires_at"] == "2026-12-25T22:59:59.000000Z"  # 23:59 in Paris
    assert issued.expires_at == datetime(2026, 12, 25, 22, 59, 59, tzinfo=UTC)
    assert issued.code not in repr(dump(store))
    (entry,) = rows(store, "SELECT * FROM audit WHERE event = 'sesame_issued'")
    assert issued.code not in (entry["detail"] or "")


def test_validity_is_configurable(store, hasher):
    issued = give(store, hasher, add(store), days=7)
    assert issued.expires_at.date() == date(2026, 12, 2)


def test_right_code_finds_the_person(store, hasher):
    person = add(store)
    issued = give(store, hasher, person)
    found = sesames.check_sesame(store, hasher, "MLeGoff ", issued.printed.lower(), NOW)
    assert found is not None and found.id == person.id


def test_wrong_code_finds_nobody(store, hasher):
    give(store, hasher, add(store))
    assert sesames.check_sesame(store, hasher, "mlegoff", "AAAAAAAAAA", NOW) is None


def test_expired_code_finds_nobody(store, hasher):
    issued = give(store, hasher, add(store), days=1)
    later = issued.expires_at + timedelta(seconds=1)
    assert sesames.check_sesame(store, hasher, "mlegoff", issued.code, later) is None
    assert sesames.check_sesame(store, hasher, "mlegoff", issued.code,
                                issued.expires_at - timedelta(seconds=1)) is not None


def test_a_new_sesame_replaces_the_old(store, hasher):
    person = add(store)
    old = give(store, hasher, person)
    new = give(store, hasher, person)
    assert sesames.check_sesame(store, hasher, "mlegoff", old.code, NOW) is None
    assert sesames.check_sesame(store, hasher, "mlegoff", new.code, NOW) is not None


@pytest.mark.parametrize(("status", "columns"), [
    ("active", {}), ("disabled", {}), ("locked", {}),
    ("pending", {"locked_at": "2026-11-25T09:00:00.000000Z"}),
    ("pending", {"disabled_at": "2026-11-25T09:00:00.000000Z"}),
])
def test_only_a_pending_unlocked_person_gets_in(store, hasher, status, columns):
    person = add(store)
    issued = give(store, hasher, person)
    store.execute(f"UPDATE people SET status = ? {''.join(f', {c} = ?' for c in columns)}",
                  [status, *columns.values()])
    assert sesames.check_sesame(store, hasher, "mlegoff", issued.code, NOW) is None


def test_no_sesame_is_stored_for_someone_no_longer_pending(store, hasher):
    person = add(store, status="active")
    assert give(store, hasher, person) is None
    assert rows(store, "SELECT sesame_hash FROM people") == [{"sesame_hash": None}]


@pytest.mark.parametrize("case", ["right", "wrong", "unknown login", "no sésame", "expired",
                                  "not pending", "empty", "huge", "not text"])
def test_always_exactly_one_verification(store, hasher, case):
    person = add(store)
    add(store, login="jdupont")  # pending, never given a sésame
    issued = give(store, hasher, person, days=1)
    login, code, now = "mlegoff", issued.code, NOW
    if case == "wrong":
        code = "AAAAAAAAAA"
    elif case == "unknown login":
        login = "personne"
    elif case == "no sésame":
        login = "jdupont"
    elif case == "expired":
        now = NOW + timedelta(days=3)
    elif case == "not pending":
        store.execute("UPDATE people SET status = 'active' WHERE id = ?", [person.id])
    elif case == "empty":
        login, code = "", ""
    elif case == "huge":
        login, code = "x" * 10_000, "A" * 10_000
    elif case == "not text":
        login, code = None, None
    hasher.verifications = 0
    sesames.check_sesame(store, hasher, login, code, now)
    assert hasher.verifications == 1


def test_unknown_login_is_checked_against_a_hash_of_the_same_cost(store):
    real = make_hasher(time_cost=2, memory_kib=16, parallelism=1)
    dummy = sesames._dummy_hash(real)
    assert dummy.startswith("$argon2id$v=19$m=16,t=2,p=1$")
    assert sesames._dummy_hash(real) == dummy  # computed once


def test_a_check_records_nothing(store, hasher):
    person = add(store)
    give(store, hasher, person)
    before = dump(store)
    for login in ("mlegoff", "personne"):
        for _ in range(3):
            sesames.check_sesame(store, hasher, login, "AAAAAAAAAA", NOW)
    assert dump(store) == before


def test_revoke_forgets_the_sesame(store, hasher):
    person = add(store)
    issued = give(store, hasher, person)
    assert sesames.revoke(store, person.id)
    assert not sesames.revoke(store, person.id)
    assert sesames.check_sesame(store, hasher, "mlegoff", issued.code, NOW) is None


def test_candidates_are_pending_without_address_nor_live_sesame(store, hasher):
    waiting = add(store, login="attend")
    add(store, login="adresse", personal="a@exemple.org")
    add(store, login="actif", status="active")
    add(store, login="verrou", locked_at="2026-11-25T09:00:00.000000Z")
    add(store, login="parti", departure_date="2026-10-31")
    future = add(store, login="partira", departure_date="2027-06-30")
    served = add(store, login="servi")
    give(store, hasher, served)
    expired = add(store, login="expire")
    give(store, hasher, expired, now=NOW - timedelta(days=40))
    found = [row["login"] for row in sesames.candidates(store, NOW, date(2026, 11, 25))]
    assert sorted(found) == sorted([waiting.login, future.login, expired.login])
