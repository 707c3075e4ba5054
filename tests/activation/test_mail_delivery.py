"""The outbox and its delivery through a real SMTP server (aiosmtpd)."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from harness import People, Visitor, mails, rows

from wizard import db
from wizard.activation import outbox
from wizard.clock import to_iso

pytestmark = pytest.mark.dates  # run again with the clock years ahead (make test)

T = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SENDER = "Sésame <ne-pas-repondre@univ-test.fr>"
RENDERED = outbox.Rendered(subject="Activez votre compte – Université de Test",
                         text="Bonjour Jean,\n\nVotre lien : https://sesame.univ-test.fr/a/x\n",
                         html="<p>Bonjour Jean,</p><p><a href='https://x'>Activer</a></p>")


def queue(store, to="jean.dupont@exemple.org", *, now=T, kind="activation"):
    return outbox.queue(store, kind=kind, to=to, rendered=RENDERED, now=now)


def deliver(store, relay, *, at=T, keep_bodies=False, base=5.0, maximum=600.0):
    transport = outbox.SmtpTransport(outbox.SmtpSettings(host="127.0.0.1", port=relay.port,
                                                     timeout=5))
    return outbox.deliver_due(store, transport, sender=SENDER, domain="univ-test.fr",
                            retry_base=base, retry_max=maximum, keep_bodies=keep_bodies,
                            now=lambda: at)


def row(store, message_id):
    return rows(store, "SELECT * FROM outbox WHERE id = ?", [message_id])[0]


def test_queued_message_waits_unsent(store):
    message_id = queue(store)
    queued = row(store, message_id)
    assert queued["sent_at"] is None
    assert queued["attempts"] == 0
    assert queued["next_attempt_at"] == to_iso(T)


def test_relay_down_leaves_the_message_queued_with_the_error(store, relay):
    message_id = queue(store)
    report = deliver(store, relay)
    assert (report.sent, report.failed) == (0, 1)
    failed = row(store, message_id)
    assert failed["sent_at"] is None
    assert failed["attempts"] == 1
    assert failed["next_attempt_at"] == to_iso(T + timedelta(seconds=5))
    assert "ConnectionRefusedError" in failed["last_error"]
    assert failed["claimed_until"] is None
    assert failed["body_text"] == RENDERED.text


def test_relay_down_stops_the_pass_after_the_first_failure(store, relay):
    first, second = queue(store), queue(store, "anne.martin@exemple.org")
    deliver(store, relay)
    assert row(store, first)["attempts"] == 1
    assert row(store, second)["attempts"] == 0


def test_failed_message_is_not_retried_before_its_time(store, relay):
    message_id = queue(store)
    deliver(store, relay)
    relay.up()
    report = deliver(store, relay, at=T + timedelta(seconds=4))
    assert report.sent == 0
    assert relay.received == []
    assert row(store, message_id)["sent_at"] is None


def test_failed_message_is_sent_once_the_relay_is_back(store, relay):
    message_id = queue(store)
    deliver(store, relay)
    relay.up()
    report = deliver(store, relay, at=T + timedelta(seconds=5))
    assert report.sent == 1
    assert len(relay.received) == 1
    sent = row(store, message_id)
    assert sent["sent_at"] == to_iso(T + timedelta(seconds=5))
    assert sent["attempts"] == 2
    assert sent["last_error"] is None


def test_retry_waits_double_after_each_failure(store, relay):
    message_id = queue(store)
    at, waits = T, []
    for _ in range(4):
        deliver(store, relay, at=at)
        due = row(store, message_id)["next_attempt_at"]
        waits.append(round((datetime.strptime(due, "%Y-%m-%dT%H:%M:%S.%fZ")
                            .replace(tzinfo=UTC) - at).total_seconds()))
        at = at + timedelta(seconds=waits[-1])
    assert waits == [5, 10, 20, 40]
    assert row(store, message_id)["attempts"] == 4


def test_retry_wait_is_capped(store, relay):
    message_id = queue(store)
    for hour in range(5):
        last = T + timedelta(hours=hour)
        deliver(store, relay, at=last, base=5.0, maximum=12.0)
    assert row(store, message_id)["next_attempt_at"] == to_iso(last + timedelta(seconds=12))


@pytest.mark.parametrize(("attempts", "wait"), [
    (0, 5.0), (1, 5.0), (2, 10.0), (3, 20.0), (4, 40.0), (8, 600.0), (30, 600.0)])
def test_backoff(attempts, wait):
    assert outbox.backoff(attempts, base=5.0, maximum=600.0) == wait


def test_relay_refusing_the_message_leaves_it_queued(store, relay):
    relay.refuse_with = "451 4.3.0 Mailbox temporarily unavailable"
    relay.up()
    message_id = queue(store)
    report = deliver(store, relay)
    assert report.failed == 1
    refused = row(store, message_id)
    assert refused["sent_at"] is None
    assert "451" in refused["last_error"]


def test_refused_recipient_does_not_hold_up_the_others(store, relay):
    relay.unknown_users.add("inconnu@exemple.org")
    relay.up()
    refused = queue(store, "inconnu@exemple.org")
    fine = queue(store, "anne.martin@exemple.org")
    deliver(store, relay)
    deliver(store, relay)
    assert [m["To"] for m in relay.received] == ["anne.martin@exemple.org"]
    assert row(store, fine)["sent_at"] is not None
    assert row(store, refused)["sent_at"] is None
    assert "550" in row(store, refused)["last_error"]


@pytest.mark.parametrize("refusal", ["unknown user", "554 at DATA"])
def test_a_permanent_refusal_gives_the_message_up_and_erases_its_body(store, relay,
                                                                      refusal):
    """Before, a 5xx was retried forever and the body (link, code) kept."""
    if refusal == "unknown user":
        relay.unknown_users.add("inconnu@exemple.org")
    else:
        relay.refuse_with = "554 5.7.1 Message refused"
    relay.up()
    message_id = queue(store, "inconnu@exemple.org")
    assert deliver(store, relay).failed == 1
    given_up = row(store, message_id)
    assert given_up["failed_at"] is not None and given_up["sent_at"] is None
    assert given_up["body_text"] == given_up["body_html"] == ""
    assert "55" in given_up["last_error"]
    relay.unknown_users.clear()
    relay.refuse_with = None
    assert deliver(store, relay, at=T + timedelta(days=1)).failed == 0  # never tried again
    assert relay.received == []


def test_a_message_failing_too_often_is_given_up(store, relay):
    message_id = queue(store)  # the relay stays down
    store.execute("UPDATE outbox SET attempts = ?", [outbox.MAX_ATTEMPTS - 1])
    deliver(store, relay)
    assert row(store, message_id)["failed_at"] is not None
    assert row(store, message_id)["body_text"] == ""


def test_relay_up_sends_the_message_exactly_once(store, relay):
    relay.up()
    message_id = queue(store)
    report = deliver(store, relay)
    assert (report.sent, report.failed) == (1, 0)
    assert len(relay.received) == 1
    sent = row(store, message_id)
    assert sent["sent_at"] == to_iso(T)
    assert sent["attempts"] == 1


def test_second_pass_sends_nothing_again(store, relay):
    relay.up()
    queue(store)
    deliver(store, relay)
    report = deliver(store, relay, at=T + timedelta(hours=1))
    assert report.sent == 0
    assert len(relay.received) == 1


def test_one_pass_sends_every_due_message_in_order(store, relay):
    relay.up()
    for n in range(3):
        queue(store, f"personne{n}@exemple.org")
    queue(store, "plus.tard@exemple.org", now=T + timedelta(minutes=1))
    report = deliver(store, relay)
    assert report.sent == 3
    assert [m["To"] for m in relay.received] == [f"personne{n}@exemple.org" for n in range(3)]


def test_two_workers_at_once_never_send_a_message_twice(store, relay, tmp_path):
    relay.up()
    ids = [queue(store, f"personne{n}@exemple.org") for n in range(12)]
    path = rows(store, "PRAGMA database_list")[0]["file"]
    start = threading.Barrier(2)

    def worker():
        connection = db.connect(path)
        try:
            start.wait()
            deliver(connection, relay)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    recipients = sorted(m["To"] for m in relay.received)
    assert recipients == sorted(f"personne{n}@exemple.org" for n in range(12))
    assert all(row(store, i)["sent_at"] is not None for i in ids)


def test_message_claimed_by_another_worker_is_left_alone(store, relay):
    relay.up()
    queue(store)
    assert outbox._claim(store, T) is not None  # another worker took it and is sending
    report = deliver(store, relay, at=T + timedelta(seconds=1))
    assert report.sent == 0
    assert relay.received == []


def test_message_of_a_worker_that_died_is_offered_again(store, relay):
    relay.up()
    queue(store)
    outbox._claim(store, T)
    report = deliver(store, relay, at=T + timedelta(seconds=outbox.CLAIM_SECONDS))
    assert report.sent == 1


def test_bodies_are_scrubbed_once_sent(store, relay):
    relay.up()
    message_id = queue(store)
    deliver(store, relay)
    sent = row(store, message_id)
    assert (sent["body_text"], sent["body_html"]) == ("", "")
    assert sent["subject"] == RENDERED.subject


def test_bodies_are_kept_when_asked(store, relay):
    relay.up()
    message_id = queue(store)
    deliver(store, relay, keep_bodies=True)
    sent = row(store, message_id)
    assert (sent["body_text"], sent["body_html"]) == (RENDERED.text, RENDERED.html)


def test_bodies_are_kept_while_unsent(store, relay):
    message_id = queue(store)
    deliver(store, relay)
    assert row(store, message_id)["body_html"] == RENDERED.html


def test_received_message_has_headers_and_both_bodies(store, relay):
    relay.up()
    queue(store)
    deliver(store, relay)
    (received,) = relay.received
    assert received["From"] == SENDER
    assert received["To"] == "jean.dupont@exemple.org"
    assert received["Subject"] == RENDERED.subject
    assert _lines(received.get_body(("plain",)).get_content()) == _lines(RENDERED.text)
    assert _lines(received.get_body(("html",)).get_content()) == _lines(RENDERED.html)


def _lines(text):
    return text.replace("\r\n", "\n").strip()


def _outbox_row(store):
    return row(store, queue(store))


def test_built_message_is_text_with_an_html_alternative(store):
    message = outbox.build_message(_outbox_row(store), sender=SENDER, domain="univ-test.fr")
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert message.get_body(("plain",)).get_content() == RENDERED.text
    assert message.get_body(("html",)).get_content().strip() == RENDERED.html


def test_built_message_headers(store):
    outbox_row = _outbox_row(store)
    message = outbox.build_message(outbox_row, sender=SENDER, domain="univ-test.fr")
    assert message["From"] == SENDER
    assert message["To"] == outbox_row["to_addr"]
    assert message["Subject"] == RENDERED.subject
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@univ-test.fr>")
    assert message["Message-ID"].startswith(f"<sesame.{outbox_row['id']}.")


def test_built_message_id_is_stable_for_a_row(store):
    outbox_row = _outbox_row(store)
    first = outbox.build_message(outbox_row, sender=SENDER, domain="univ-test.fr")
    second = outbox.build_message(outbox_row, sender=SENDER, domain="univ-test.fr")
    assert first["Message-ID"] == second["Message-ID"]  # a retry is the same message
    other = outbox.build_message({**outbox_row, "id": outbox_row["id"] + 1}, sender=SENDER,
                                 domain="univ-test.fr")
    assert other["Message-ID"] != first["Message-ID"]


def test_only_the_top_of_the_message_says_its_mime_version(store):
    message = outbox.build_message(_outbox_row(store), sender=SENDER, domain="univ-test.fr")
    assert message["MIME-Version"] == "1.0"
    assert [part["MIME-Version"] for part in message.iter_parts()] == [None, None]
    assert b"MIME-Version" not in b"".join(part.as_bytes().split(b"\n\n")[0]
                                            for part in message.iter_parts())


def test_a_retried_message_arrives_with_the_id_of_its_first_attempt(store, relay):
    message_id = queue(store)
    built = outbox.build_message(row(store, message_id), sender=SENDER, domain="univ-test.fr")
    deliver(store, relay)  # the relay is down: a failed attempt
    relay.up()
    deliver(store, relay, at=T + timedelta(hours=1))
    (received,) = relay.received
    assert received["Message-ID"] == built["Message-ID"]


def test_delivery_thread_sends_what_a_request_queued(make_app, relay):
    relay.up()
    app = make_app(MAIL_BACKEND="smtp", MAIL_DELIVERY_THREAD=True, SMTP_HOST="127.0.0.1",
                   SMTP_PORT=relay.port, MAIL_POLL_SECONDS=0.05)
    connection = db.connect(app.config["DATABASE"])
    try:
        People(app, connection).add()
        Visitor(app.test_client()).post("/premiere-connexion", {"identifier": "jdupont"})
        deadline = time.monotonic() + 10

        def sent() -> bool:
            marked = rows(connection, "SELECT sent_at FROM outbox WHERE sent_at IS NOT NULL")
            return bool(relay.received and marked)

        while not sent() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [m["To"] for m in relay.received] == ["jean.dupont@exemple.org"]
        assert rows(connection, "SELECT sent_at FROM outbox")[0]["sent_at"] is not None
    finally:
        loop = app.extensions["sesame.delivery"]
        if loop is not None:
            loop.stop()
            loop.join(5)
        connection.close()


def test_no_worker_thread_when_cron_does_the_work(app, client):
    assert app.config["MAIL_DELIVERY_THREAD"] is False
    client.get("/")
    assert app.extensions["sesame.delivery"] is None


def test_worker_thread_handles_link_requests_with_the_outbox_backend(make_app):
    """In demo (outbox backend) the worker still turns « 1ère connexion » into a link."""
    app = make_app(MAIL_BACKEND="outbox", MAIL_DELIVERY_THREAD=True, MAIL_POLL_SECONDS=0.05)
    connection = db.connect(app.config["DATABASE"])
    try:
        People(app, connection).add()
        Visitor(app.test_client()).post("/premiere-connexion", {"identifier": "jdupont"})
        deadline = time.monotonic() + 10
        while not rows(connection, "SELECT * FROM outbox") and time.monotonic() < deadline:
            time.sleep(0.02)
        (queued,) = rows(connection, "SELECT kind, sent_at FROM outbox")
        assert queued == {"kind": "activation", "sent_at": None}  # kept for the viewer
    finally:
        loop = app.extensions["sesame.delivery"]
        if loop is not None:
            loop.stop()
            loop.join(5)
        connection.close()


def test_the_signature_separator_is_dash_dash_space(app, staff, database):
    staff.link(staff.add())
    (sent,) = mails(database, "activation")
    assert "\n-- \n" in sent["body_text"]
