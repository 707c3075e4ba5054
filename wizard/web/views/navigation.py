"""Where each step's page is, and how a view sends the browser there (303, or HX-Redirect
for an htmx fragment request)."""

from __future__ import annotations

from flask import Flask, Response, make_response, redirect, request, url_for

from wizard.activation.steps import WAITING_PAGES, Step

ENDPOINTS = {
    Step.BIRTH_DATE: "steps.birth_date",
    Step.CHARTER: "steps.charter",
    Step.DIRECTORY: "steps.directory",
    Step.RECOVERY: "steps.recovery",
    Step.RECOVERY_VERIFICATION: "steps.recovery_verification",
    Step.MAIL: "steps.mail",
    Step.MAIL_VERIFICATION: "steps.verification",
    Step.PASSWORD: "steps.password",
    Step.DONE: "steps.done",
}


def init_navigation(app: Flask) -> None:
    """The templates' names for the steps and their pages."""
    app.jinja_env.globals.update(Step=Step, WAITING_PAGES=WAITING_PAGES,
                                 STEP_ENDPOINTS=ENDPOINTS)


def step_url(step: Step) -> str:
    """The URL of a step's page."""
    return url_for(ENDPOINTS[step])


def is_htmx() -> bool:
    """Whether the request is an htmx fragment request."""
    return request.headers.get("HX-Request") == "true"


def go(url: str) -> Response:
    """Navigate: a 303 for the browser, an HX-Redirect for an htmx fragment request."""
    if is_htmx() and request.headers.get("HX-Boosted") != "true":
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)
