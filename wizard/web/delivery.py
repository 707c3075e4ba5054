"""The mail worker thread of a serving process: it handles « 1ère connexion » requests,
applies the directory queue and delivers the outbox, woken after each request that queued
mail."""

from __future__ import annotations

import threading

from flask import Flask, g

from wizard.activation import audit, first_login, outbox
from wizard.web.database import forget_thread_connection, thread_connection
from wizard.web.services import apply_directory_queue, clock, context

_START_LOCK = threading.Lock()

# The worker acts for whoever asked; its own actions are recorded as the system's.
WORKER = audit.Origin(actor="system")


def init_delivery(app: Flask) -> None:
    """Start the loop at the first request served; wake it when a request queued mail."""
    app.extensions["sesame.delivery"] = None

    @app.before_request
    def _start_delivery() -> None:
        # Started lazily in the process that serves requests (a gunicorn worker, the
        # reloader's child), never in CLI commands.
        start_delivery_loop(app)

    @app.after_request
    def _wake_delivery(response):
        # Only after a request that queued mail (compose() marks it): waking the loop after
        # every POST made it look at the outbox a dozen times per activation.
        if g.pop("sesame_mail_queued", False):
            loop = app.extensions.get("sesame.delivery")
            if loop is not None:
                loop.wake()
        return response


def deliver_once(app: Flask) -> outbox.DeliveryReport:
    """One pass of the mail worker: handle « 1ère connexion » requests, then deliver.

    Delivery through SMTP only with the smtp backend; with the outbox backend (demo) the
    mails stay in the outbox for the viewer.
    """
    config = app.config
    # This thread's connection, kept from one pass to the next as a request's is (a pass
    # runs after every activation, and twice a second when idle).
    connection = thread_connection(config["DATABASE"])
    try:
        with app.app_context():
            first_login.handle_link_requests(context(WORKER, db=connection, app=app))
            # The directory's writes without a secret (WIZARD_DIRECTORY=ldap).
            apply_directory_queue(connection, app)
        if config["MAIL_BACKEND"] != "smtp":
            return outbox.DeliveryReport()
        transport = outbox.SmtpTransport(outbox.SmtpSettings(
            host=config["SMTP_HOST"], port=config["SMTP_PORT"],
            security=config["SMTP_SECURITY"], username=config["SMTP_USERNAME"],
            password=config["SMTP_PASSWORD"], timeout=config["SMTP_TIMEOUT"]))
        return outbox.deliver_due(
            connection, transport, sender=config["MAIL_FROM"], domain=config["MAIL_DOMAIN"],
            retry_base=config["MAIL_RETRY_BASE_SECONDS"],
            retry_max=config["MAIL_RETRY_MAX_SECONDS"], keep_bodies=config["MAIL_VIEWER"],
            now=clock(app).now)
    except BaseException:
        forget_thread_connection()
        raise
    finally:
        if connection.conn.in_transaction:
            forget_thread_connection()


def start_delivery_loop(app: Flask) -> None:
    """Start this process's mail worker thread once (unless cron does the work)."""
    if app.extensions.get("sesame.delivery") is not None:
        return
    if not app.config["MAIL_DELIVERY_THREAD"]:
        return
    with _START_LOCK:
        if app.extensions.get("sesame.delivery") is None:
            loop = outbox.DeliveryLoop(lambda: deliver_once(app), app.config["MAIL_POLL_SECONDS"])
            app.extensions["sesame.delivery"] = loop
            loop.start()
