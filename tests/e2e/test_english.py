"""A member of staff whose browser asks for English: every page, error, fragment and mail in
English, dates said the English way, from « 1ère connexion » to the done page."""

from __future__ import annotations

import re

from a11y import assert_accessible
from playwright.sync_api import expect
from smtp_mailbox import code_in, link_in, text_of

PASSPHRASE = "Cheval agrafe pile 42 lune"
DEADLINE = re.compile(r"\w+day \d{1,2} \w+ 20\d\d at 11:59 pm")


def test_english_end_to_end(browser, server, mailbox):
    context = browser.new_context(locale="en-GB")
    try:
        walk_through_in_english(context, server, mailbox)
    finally:
        context.close()


def walk_through_in_english(context, server, mailbox):
    context.set_default_timeout(10_000)
    page = context.new_page()
    heading = page.get_by_role("heading", level=1)
    login = server.add_person("Alex", "Morgan", "alex.morgan@example.org")

    page.goto(server.url)
    expect(heading).to_have_text("Activate your computer account")
    assert page.get_attribute("html", "lang") == "en"
    page.get_by_role("link", name=re.compile("get a new link")).click()
    page.get_by_role("button", name="Get a new link").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter your personal address, your university address or your login")
    page.get_by_label("Personal address, university address or login").fill(login)
    page.get_by_role("button", name="Get a new link").click()
    expect(heading).to_have_text("Request recorded")

    # The request was made in English: so is the mail, and its deadline.
    message = mailbox.wait_for("alex.morgan@example.org", "Activate your computer account")
    assert DEADLINE.search(text_of(message)), text_of(message)
    page.goto(link_in(message, "/activation/"))
    expect(heading).to_have_text("Welcome, Alex Morgan")
    expect(page.locator("main")).to_contain_text(DEADLINE)
    assert_accessible(page, "activation link, English")
    page.get_by_role("button", name="Start the activation").click()

    expect(heading).to_have_text("IT charter")
    expect(page.get_by_role("navigation", name="Activation steps")).to_contain_text("Step 1 of 5")
    page.get_by_label("I have read the charter and undertake to abide by it").check()
    page.get_by_role("button", name="Next").click()
    expect(heading).to_have_text("Directory")
    page.get_by_label("No, keep me unlisted (liste rouge)").check()
    page.get_by_role("button", name="Next").click()

    expect(heading).to_have_text("Mail")
    page.get_by_label("Forward my messages to another address").check()
    page.get_by_label("Forwarding address").fill("alex@elsewhere.example")
    page.get_by_role("button", name="Next").click()
    expect(heading).to_have_text("Verify your forwarding address")
    verification = mailbox.wait_for("alex@elsewhere.example", "Confirm your forwarding address")
    assert "or type this code on the activation page:" in text_of(verification)
    page.get_by_label("Code received by mail").fill("000000")
    page.get_by_role("button", name="Check the code").click()
    expect(page.get_by_role("alert")).to_contain_text("This code does not match")
    page.get_by_label("Code received by mail").fill(code_in(verification))
    page.get_by_role("button", name="Check the code").click()

    expect(heading).to_have_text("Password")
    page.get_by_label("New password", exact=True).press_sequentially("sunshine", delay=20)
    expect(page.locator("#force")).to_contain_text(re.compile(r"Strength:\s*(very )?weak"))
    expect(page.locator("#force")).to_contain_text("At least 12 characters")
    assert_accessible(page, "password with feedback, English")
    page.get_by_label("New password", exact=True).fill(PASSPHRASE)
    page.get_by_label("Confirm the password").fill(PASSPHRASE)
    page.get_by_role("button", name="Activate my account").click()

    expect(heading).to_have_text("Your account is activated")
    expect(page.get_by_text("To alex@elsewhere.example, with a copy kept")).to_be_visible()
    expect(page.get_by_role("heading", name="Your services")).to_be_visible()
    assert_accessible(page, "done, English")
    notice = mailbox.wait_for("alex.morgan@example.org", "Your account has been activated")
    assert login in text_of(notice) and "Public directory:" in text_of(notice)

    page.goto(f"{server.url}/nowhere")
    expect(heading).to_have_text("Page not found")
