"""Screenshots of every step of the wizard, at a desktop and a phone width, for the README's
product tour.

Starts the wizard (gunicorn) on a free port with a throwaway database, walks a demo person
through the activation in Chromium, and writes docs/screenshots/<step>-<width>.png
(reduced to a small palette, so the files stay light).

Usage: .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WIDTHS = {"desktop": (1280, 800), "phone": (375, 740)}
DESKTOP_COLUMN = 900  # px kept around the centred 46rem column
SYSTEM_CHROMIUM = "/usr/bin/chromium"
# As in the browser tests: no sandbox (containers), no reaching out to the network.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"]
PASSPHRASE = "Cheval agrafe pile 42 lune"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Wizard:
    """The wizard served by gunicorn on a throwaway database; mail stays in the outbox."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = folder / "wizard.sqlite3"
        self.env = {**os.environ, "WIZARD_INSTANCE_PATH": str(folder / "instance"),
                    "WIZARD_DATABASE": str(self.database),
                    "WIZARD_SECRET_KEY": secrets.token_hex(32),
                    "WIZARD_BASE_URL": self.url, "WIZARD_MAIL_BACKEND": "outbox",
                    "WIZARD_MAIL_VIEWER": "1", "WIZARD_MAIL_POLL_SECONDS": "0.2",
                    "WIZARD_ARGON2_TIME_COST": "1", "WIZARD_ARGON2_MEMORY_KIB": "1024",
                    "WIZARD_ARGON2_PARALLELISM": "1"}
        self.log = open(folder / "server.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "1", "--threads", "4", "--no-control-socket",
             "--bind", f"127.0.0.1:{self.port}", "wizard:create_app()"],
            env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):
                    return
            except OSError as error:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the wizard did not start; see {folder / 'server.log'}"
                                     ) from error
                time.sleep(0.1)

    def command(self, *args: str) -> str:
        """Run a `wizard` operator command on the same database."""
        return subprocess.run([str(BIN / "wizard"), *args], env=self.env, cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout

    def last_mail(self, to: str) -> str:
        """The text of the latest mail to `to` (the demo outbox keeps bodies)."""
        for _ in range(50):
            with sqlite3.connect(self.database) as connection:
                row = connection.execute("SELECT body_text FROM outbox WHERE to_addr = ?"
                                         " ORDER BY id DESC LIMIT 1", [to]).fetchone()
            if row:
                return row[0]
            time.sleep(0.1)
        raise SystemExit(f"no mail to {to}")

    def stop(self) -> None:
        """Stop gunicorn."""
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


def shoot(page: Page, out: Path, name: str) -> None:
    """The current page at each width, as the screen shows it, in a small palette PNG.

    The desktop shot keeps the page's central column (the rest is background); the phone
    shot is the first screen, what a person sees on opening the page.
    """
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(150)
        png = page.screenshot(animations="disabled", caret="hide")
        image = Image.open(io.BytesIO(png)).convert("RGB")
        if label == "desktop":
            image = image.crop(((width - DESKTOP_COLUMN) // 2, 0,
                                (width + DESKTOP_COLUMN) // 2, height))
        image = image.quantize(colors=32, method=Image.Quantize.MEDIANCUT,
                               dither=Image.Dither.NONE)
        image.save(out / f"{name}-{label}.png", optimize=True)
    page.set_viewport_size({"width": WIDTHS["desktop"][0], "height": WIDTHS["desktop"][1]})
    print(f"  {name}")


def tour(page: Page, wizard: Wizard, out: Path) -> None:
    """Walk a demo person through the activation, shooting each step."""
    login = wizard.command("add-person", "--first-name", "Camille", "--last-name", "Lefèvre",
                           "--personal-email", "camille.lefevre@exemple.org").split()[0]
    wizard.command("invite", login)
    link = re.search(r"https?://\S+/activation/\S+", wizard.last_mail(
        "camille.lefevre@exemple.org")).group(0)
    heading = page.get_by_role("heading", level=1)

    page.goto(wizard.url)
    page.locator("summary").first.click()
    shoot(page, out, "01-accueil")
    page.goto(f"{wizard.url}/premiere-connexion")
    shoot(page, out, "02-premiere-connexion")
    page.goto(link)
    page.get_by_role("button", name="Commencer l'activation").click()
    heading.filter(has_text="Charte informatique").wait_for()
    shoot(page, out, "03-charte")
    page.get_by_label("J'ai lu la charte et je m'engage à la respecter").check()
    page.get_by_role("button", name="Suivant").click()
    heading.filter(has_text="Annuaire").wait_for()
    page.get_by_role("button", name="Suivant").click()
    page.get_by_role("alert").wait_for()
    shoot(page, out, "04-annuaire-erreur")
    page.get_by_label("Non, je m'inscris sur liste rouge").check()
    page.get_by_role("button", name="Suivant").click()
    heading.filter(has_text="Messagerie").wait_for()
    page.get_by_label("Rediriger mes messages vers une autre adresse").check()
    page.get_by_label("Adresse de redirection").fill("camille@ailleurs.example")
    shoot(page, out, "05-messagerie")
    page.get_by_role("button", name="Suivant").click()
    heading.filter(has_text="Vérifiez").wait_for()
    shoot(page, out, "06-verification")
    code = re.search(r"\b(\d{6})\b", wizard.last_mail("camille@ailleurs.example")).group(1)
    page.get_by_label("Code reçu par courriel").fill(code)
    page.get_by_role("button", name="Valider le code").click()
    heading.filter(has_text="Mot de passe").wait_for()
    page.wait_for_timeout(300)  # htmx has wired the new page's fields
    page.get_by_label("Nouveau mot de passe").press_sequentially("soleil2026", delay=20)
    page.locator("#force .strength-label").wait_for()
    shoot(page, out, "07-mot-de-passe")
    page.get_by_label("Nouveau mot de passe").fill(PASSPHRASE)
    page.get_by_label("Confirmation du mot de passe").fill(PASSPHRASE)
    page.get_by_role("button", name="Activer mon compte").click()
    heading.filter(has_text="Votre compte est activé").wait_for()
    shoot(page, out, "08-termine")


def english(page: Page, wizard: Wizard, out: Path) -> None:
    """The same wizard for someone whose browser asks for English."""
    login = wizard.command("add-person", "--first-name", "Alex", "--last-name", "Morgan",
                           "--personal-email", "alex.morgan@example.org").split()[0]
    wizard.command("invite", login)
    link = re.search(r"https?://\S+/activation/\S+", wizard.last_mail(
        "alex.morgan@example.org")).group(0)
    page.goto(link)
    page.get_by_role("button", name="Start the activation").click()
    page.get_by_role("heading", name="IT charter").wait_for()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("alert").wait_for()
    shoot(page, out, "09-english")


def main() -> None:
    """Start the wizard, take the screenshots, stop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        wizard = Wizard(Path(folder))
        try:
            with sync_playwright() as playwright:
                launch = {"args": CHROMIUM_FLAGS}
                if Path(SYSTEM_CHROMIUM).exists():
                    launch["executable_path"] = SYSTEM_CHROMIUM
                browser = playwright.chromium.launch(**launch)
                for locale, walk in (("fr-FR", tour), ("en-GB", english)):
                    context = browser.new_context(locale=locale, viewport={"width": 1280,
                                                                           "height": 800})
                    walk(context.new_page(), wizard, args.out)
                    context.close()
                browser.close()
        finally:
            wizard.stop()
    total = sum(p.stat().st_size for p in args.out.glob("*.png"))
    print(f"{len(list(args.out.glob('*.png')))} screenshots in {args.out} ({total // 1024} KiB)")


if __name__ == "__main__":
    main()
