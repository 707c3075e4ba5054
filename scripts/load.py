#!/usr/bin/env python3
"""Benchmark and load test: real gunicorn, complete activations, the physical floors.

Not a test (`make test` never runs it). Two modes share one driver:

    .venv/bin/python scripts/load.py bench [--out docs/performance.md]   # make bench
    .venv/bin/python scripts/load.py load --people 50 --seconds 60       # make load

Both create a fresh database of pending people in a temporary directory, issue their
activation links (the secrets exist only in a file the driver reads, never in the
database), start gunicorn on 127.0.0.1 with the production argon2 parameters and an SMTP
sink (a separate aiosmtpd process: the workers' delivery threads really send the
"account activated" notices), then drive simulated people through every request a
browser makes: the link's page and its button, each step's page and form (CSRF token
read from the page, cookies kept), three live strength checks while typing, the
password, the done page, and the CSS and scripts once per person.

`bench` also measures the floors on the same server and machine: N processes doing
nothing but argon2id hashes with the same parameters (N = workers), and /healthz; then
step-page GETs, the strength endpoint by input length, activations at 10 and 50
simultaneous people, each worker's peak RSS and the server log's errors. It prints the
ratios against their targets and, with --out, rewrites the results block of
docs/performance.md.

`load` runs N people for S seconds against W workers (the security issue's load test) and
reports requests, errors and "database is locked".

The client is a small HTTP/1.1 keep-alive client on asyncio streams rather than httpx:
client and server share the machine's cores, and httpx spent about 3.5 times more CPU per
request (483 against 1,726 /healthz a second on the reference machine), which measured
the client, not the wizard.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

# Targets of issue 7.
TARGET_ACTIVATION_RATIO = 0.7
TARGET_ACTIVATION_RATIO_LDAP = 0.65  # with the LDAP directory (issue 14)
TARGET_PAGE_RATIO = 0.5
TARGET_STRENGTH_P99_MS = 25.0
TARGET_RSS_MB = 120.0

STRENGTH_LENGTHS = [1, 8, 12, 16, 24, 32, 48, 64, 128, 1000]

WORDS = ["cerise", "tambour", "glacier", "boussole", "agrafe", "chevalet", "parapluie",
         "citrouille", "lanterne", "perroquet", "trompette", "moulin", "girafe", "hamac",
         "violon", "bourgeon", "cactus", "falaise", "grenier", "horloge", "igloo", "jonquille",
         "kayak", "luciole", "mandarine", "noisette", "origami", "pelouse", "quenouille",
         "radis", "sablier", "tortue", "ukulele", "vanille", "wagon", "xylophone", "yaourt",
         "zeppelin", "abricot", "banquise", "coquelicot", "dromadaire", "escargot", "fougere"]


# --- A small HTTP/1.1 client --------------------------------------------------------------


class HttpError(Exception):
    """The connection failed or the response could not be read."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def location(self) -> str:
        return urlsplit(self.headers.get("location", "")).path

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


_ADDRESSES = iter(range(1, 2**24))


def next_ip() -> str:
    """A fresh client address in 10.0.0.0/8: the server runs behind one trusted proxy
    (WIZARD_PROXY_FIX_HOPS=1), so rate limits count each simulated person apart, as they
    would count people behind a reverse proxy."""
    n = next(_ADDRESSES)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


class Browser:
    """One person's browser: one keep-alive connection and a cookie jar."""

    def __init__(self, host: str, port: int, timeout: float = 60.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.ip = next_ip()  # each person is somewhere else (X-Forwarded-For)
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(self, method: str, path: str, form: dict | None = None,
                      headers: dict | None = None) -> Response:
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 "User-Agent: sesame-load/1", "Accept-Encoding: identity",
                 f"X-Forwarded-For: {self.ip}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded",
                      f"Content-Length: {len(body)}"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        for attempt in (1, 2):
            reused = self.writer is not None
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection(self.host,
                                                                             self.port)
                self.writer.write(raw)
                response = await asyncio.wait_for(self._read(), self.timeout)
                break
            except (OSError, asyncio.IncompleteReadError, HttpError) as error:
                await self.close()
                # A kept-alive connection the server closed meanwhile: retry once, fresh.
                if not reused or attempt == 2:
                    raise HttpError(f"{type(error).__name__}: {error}") from error
            except TimeoutError as error:
                await self.close()
                raise HttpError("timeout") from error
        if response.headers.get("connection", "").lower() == "close":
            await self.close()
        return response

    async def _read(self) -> Response:
        assert self.reader is not None
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise HttpError(f"bad status line {status_line!r}")
        headers: dict[str, str] = {}
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._set_cookie(value)
            headers[name] = value
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            body = b"".join(chunks)
        elif int(parts[1]) in (204, 304) or 100 <= int(parts[1]) < 200:
            body = b""
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        return Response(int(parts[1]), headers, body)

    def _set_cookie(self, value: str) -> None:
        pair, *attributes = value.split(";")
        name, _, content = pair.strip().partition("=")
        expired = any(a.strip().lower() in ("max-age=0",) or
                      a.strip().lower().startswith("expires=thu, 01 jan 1970")
                      for a in attributes)
        if expired or not content:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = content


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_of(response: Response) -> str:
    found = CSRF.search(response.text)
    if not found:
        raise Unexpected("no CSRF token on the page")
    return found.group(1) or found.group(2)


# --- Measurements ---------------------------------------------------------------------------


class Unexpected(Exception):
    """A response a browser would not have expected: counted as an error."""


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass
class Stats:
    """Latencies by step, errors, completions."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    strength_by_length: dict[int, list[float]] = field(
        default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    completions: list[float] = field(default_factory=list)
    requests: int = 0
    refused_passwords: int = 0

    def error(self, what: str, detail: str) -> None:
        self.errors[what] += 1
        if len(self.error_samples) < 10:
            self.error_samples.append(f"{what}: {detail[:300]}")


STEP_ORDER = ["GET /activation/<t>", "POST /activation/<t>",
              "GET charte", "POST charte", "GET annuaire", "POST annuaire", "GET messagerie",
              "POST messagerie", "GET mot-de-passe", "POST mot-de-passe/force",
              "POST mot-de-passe", "GET termine", "GET static"]


ASSETS = re.compile(r'<link[^>]+rel="stylesheet"[^>]+href="(/[^"]+)"'
                    r'|<(?:script|img)[^>]+src="(/[^"]+)"')


def assets_of(response: Response) -> list[str]:
    """The stylesheets, scripts and images a browser fetches for a page (same site only)."""
    return list(dict.fromkeys((a or b).replace("&amp;", "&")
                              for a, b in ASSETS.findall(response.text)))


class Person:
    """A simulated person: one browser, one link, every request of the flow."""

    def __init__(self, browser: Browser, stats: Stats, rng: random.Random):
        self.b, self.stats, self.rng = browser, stats, rng

    async def call(self, step: str, method: str, path: str, *, expect: int,
                   to: str | None = None, form: dict | None = None,
                   headers: dict | None = None) -> Response:
        started = time.perf_counter()
        try:
            response = await self.b.request(method, path, form, headers)
        except HttpError as error:
            self.stats.requests += 1
            raise Unexpected(f"{step}: {error}") from error
        elapsed = (time.perf_counter() - started) * 1000
        self.stats.requests += 1
        self.stats.latencies[step].append(elapsed)
        if response.status != expect or (to is not None and response.location != to):
            raise Unexpected(f"{step}: {response.status} {response.location!r} "
                             f"(expected {expect} {to or ''}) {response.text[:200]!r}")
        return response

    async def page(self, step: str, path: str) -> str:
        return csrf_of(await self.call(step, "GET", path, expect=200))

    async def to_password_step(self, link: str) -> str:
        """Open the link and answer the steps before the password; return its CSRF."""
        first = await self.call("GET /activation/<t>", "GET", link, expect=200)
        token = csrf_of(first)
        # A new browser: the stylesheets, scripts and logo once, then from its cache.
        for path in assets_of(first):
            await self.call("GET static", "GET", path, expect=200)
        await self.call("POST /activation/<t>", "POST", link, form={"csrf_token": token},
                        expect=303, to="/etapes/charte")
        token = await self.page("GET charte", "/etapes/charte")
        await self.call("POST charte", "POST", "/etapes/charte",
                        form={"csrf_token": token, "accept": "y"}, expect=303,
                        to="/etapes/annuaire")
        token = await self.page("GET annuaire", "/etapes/annuaire")
        await self.call("POST annuaire", "POST", "/etapes/annuaire",
                        form={"csrf_token": token, "listed": self.rng.choice(["oui", "non"])},
                        expect=303, to="/etapes/messagerie")
        token = await self.page("GET messagerie", "/etapes/messagerie")
        await self.call("POST messagerie", "POST", "/etapes/messagerie",
                        form={"csrf_token": token, "keep_copy": "y"}, expect=303,
                        to="/etapes/mot-de-passe")
        return await self.page("GET mot-de-passe", "/etapes/mot-de-passe")

    async def strength(self, token: str, password: str, confirmation: str = "") -> float:
        started = time.perf_counter()
        await self.call("POST mot-de-passe/force", "POST", "/etapes/mot-de-passe/force",
                        form={"csrf_token": token, "password": password,
                              "confirmation": confirmation},
                        headers={"HX-Request": "true", "HX-Target": "force",
                                 "HX-Current-URL": "/etapes/mot-de-passe"},
                        expect=200)
        elapsed = (time.perf_counter() - started) * 1000
        self.stats.strength_by_length[len(password)].append(elapsed)
        return elapsed

    async def activate(self, link: str) -> None:
        """The whole flow, from the mail's link to the done page."""
        token = await self.to_password_step(link)
        for _attempt in range(3):
            password = self.password()
            # Debounced typing: a third, two thirds, then the whole with its confirmation.
            for cut in (len(password) // 3, 2 * len(password) // 3):
                await self.strength(token, password[:cut])
            await self.strength(token, password, password)
            refusal = await self._try_password(token, password)
            if refusal is None:
                break
            self.stats.refused_passwords += 1
            token = csrf_of(refusal)
        else:
            raise Unexpected("POST mot-de-passe: three passphrases refused")
        await self.call("GET termine", "GET", "/etapes/termine", expect=200)
        self.stats.completions.append(time.monotonic())

    async def _try_password(self, token: str, password: str) -> Response | None:
        """Submit the password: None when accepted, the page when judged too weak."""
        started = time.perf_counter()
        try:
            response = await self.b.request("POST", "/etapes/mot-de-passe",
                                            {"csrf_token": token, "password": password,
                                             "confirmation": password})
        except HttpError as error:
            self.stats.requests += 1
            raise Unexpected(f"POST mot-de-passe: {error}") from error
        self.stats.requests += 1
        self.stats.latencies["POST mot-de-passe"].append((time.perf_counter() - started) * 1000)
        if response.status == 303 and response.location == "/etapes/termine":
            return None
        if response.status == 422:  # the random passphrase was judged too weak: retry
            return response
        raise Unexpected(f"POST mot-de-passe: {response.status} {response.text[:200]!r}")

    def password(self) -> str:
        words = self.rng.sample(WORDS, 4)
        return (f"{words[0].capitalize()} {words[1]} {words[2]} "
                f"{self.rng.randint(10, 99)} {words[3]}")


# --- The driver -------------------------------------------------------------------------


class Links:
    """The pool of activation links written by the seeding step."""

    def __init__(self, path: Path):
        self.links = [json.loads(line)["link"] for line in path.read_text().splitlines()]
        self.next = 0

    def take(self) -> str | None:
        if self.next >= len(self.links):
            return None
        self.next += 1
        return self.links[self.next - 1]

    @property
    def left(self) -> int:
        return len(self.links) - self.next


@dataclass
class Run:
    """One run of simulated people."""

    people: int
    stats: Stats
    rate: float  # activations a second, after the ramp
    server_cpu_ms: float  # workers' CPU per activation (whole run)
    client_cpu_ms: float  # this driver's CPU per activation


async def run_people(server: Server, links: Links, *, people: int, seconds: float,
                     warmup: float, seed: int) -> Run:
    """`people` closed-loop people activating one link after another for `seconds`.

    The rate counts the activations completed after the warm-up (the ramp, when everyone
    starts at once), over the time after it.
    """
    stats = Stats()
    started = time.monotonic()
    stop = started + seconds
    server_cpu, client_cpu = server.cpu(), time.process_time()

    async def one(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        while time.monotonic() < stop:
            link = links.take()
            if link is None:
                stats.error("no link left", "seed more people (--pending)")
                return
            browser = Browser("127.0.0.1", server.port)
            try:
                await Person(browser, stats, rng).activate(link)
            except Unexpected as error:
                stats.error(str(error).split(":")[0], str(error))
            finally:
                await browser.close()

    await asyncio.gather(*(one(i) for i in range(people)))
    done = max(1, len(stats.completions))
    counted = [t for t in stats.completions if started + warmup <= t <= stop]
    return Run(people, stats, len(counted) / (seconds - warmup),
               1000 * (server.cpu() - server_cpu) / done,
               1000 * (time.process_time() - client_cpu) / done)


async def park(host: str, port: int, links: Links, count: int, seed: int,
               stats: Stats) -> list[tuple[Person, str]]:
    """`count` people brought to the password step, their browsers kept open."""
    parked: list[tuple[Person, str]] = []

    async def one(index: int) -> None:
        link = links.take()
        assert link is not None, "no link left"
        person = Person(Browser(host, port), stats, random.Random(seed + index))
        parked.append((person, await person.to_password_step(link)))

    # In batches of 10: parking is also the server's warm-up.
    for start in range(0, count, 10):
        await asyncio.gather(*(one(i) for i in range(start, min(count, start + 10))))
    return parked


@dataclass
class Throughput:
    rate: float  # requests a second
    errors: int
    server_cpu_ms: float  # workers' CPU per request
    client_cpu_ms: float  # this driver's CPU per request


async def hammer(server: Server, browsers: list[Browser], paths: list[str],
                 seconds: float) -> Throughput:
    """Each browser GETs `paths` in turn for `seconds`, as fast as the server answers."""
    stop = time.monotonic() + seconds
    done = errors = 0

    async def one(index: int, browser: Browser) -> None:
        nonlocal done, errors
        i = index
        while time.monotonic() < stop:
            try:
                response = await browser.request("GET", paths[i % len(paths)])
                if response.status != 200:
                    errors += 1
            except HttpError:
                errors += 1
            done += 1
            i += 1

    started, server_cpu, client_cpu = time.monotonic(), server.cpu(), time.process_time()
    await asyncio.gather(*(one(i, b) for i, b in enumerate(browsers)))
    return Throughput(done / (time.monotonic() - started), errors,
                      1000 * (server.cpu() - server_cpu) / max(1, done),
                      1000 * (time.process_time() - client_cpu) / max(1, done))


def strength_inputs(length: int, rng: random.Random) -> list[str]:
    """Inputs of one length, ordinary and hostile."""
    words = ""
    while len(words) < length:
        words += rng.choice(WORDS) + rng.choice(["", " ", "-", "1", "!"])
    kinds = [
        "".join(rng.choice(string.printable[:95]) for _ in range(length)),
        words[:length],
        "".join(rng.choice("4@8(3{[<691!|70$5+7%2aeilost") for _ in range(length)),
        ("azertyuiopqsdfghjklmwxcvbn" * (length // 26 + 1))[:length],
        ("12031985" * (length // 8 + 1))[:length],
        "".join(rng.choice("éèàçùœâêîôûëïü") for _ in range(length)),
    ]
    return kinds


async def strength_by_length(server: Server, parked: list[tuple[Person, str]], samples: int,
                             typists: int, seed: int) -> dict[int, tuple[list[float], float]]:
    """`typists` people type inputs of each length at once, nothing else on the server.

    For each length: the latencies (ms) and the workers' CPU per request (ms).
    """
    rng = random.Random(seed)
    results: dict[int, tuple[list[float], float]] = {}
    for length in STRENGTH_LENGTHS:
        inputs = [text for _ in range(max(1, samples // 6)) for text in
                  strength_inputs(length, rng)]
        timings: list[float] = []

        async def one(person: Person, token: str, mine: list[str], into: list[float]) -> None:
            for text in mine:
                # Hundreds of checks a minute: more than one person types (rate limits).
                person.b.ip = next_ip()
                into.append(await person.strength(token, text))

        cpu = server.cpu()
        await asyncio.gather(*(one(person, token, inputs[i::typists], timings)
                               for i, (person, token) in enumerate(parked[:typists])))
        results[length] = (timings, 1000 * (server.cpu() - cpu) / len(timings))
    return results


# --- argon2 floor -------------------------------------------------------------------------


def _hash_for(seconds: float, time_cost: int, memory_kib: int,
              parallelism: int) -> tuple[int, float, float]:
    from argon2 import PasswordHasher

    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib,
                            parallelism=parallelism)
    hasher.hash("warm up")
    count = 0
    started, cpu = time.monotonic(), time.process_time()
    while time.monotonic() < started + seconds:
        hasher.hash(f"Cheval agrafe pile {count} lune")
        count += 1
    return count, time.monotonic() - started, time.process_time() - cpu


@dataclass
class Floor:
    rate: float  # hashes a second, all processes together
    cpu_ms: float  # CPU per hash


def argon2_floor(processes: int, seconds: float, params: tuple[int, int, int]) -> Floor:
    """Hashes a second by `processes` processes doing nothing else."""
    with ProcessPoolExecutor(processes) as pool:
        results = list(pool.map(_hash_for, *zip(*[(seconds, *params)] * processes,
                                                 strict=True)))
    hashes = sum(count for count, _, _ in results)
    return Floor(rate=sum(count / elapsed for count, elapsed, _ in results),
                 cpu_ms=1000 * sum(cpu for _, _, cpu in results) / hashes)


# --- Seeding, servers ---------------------------------------------------------------------


def seed_people(env: dict[str, str], count: int, links_path: Path) -> float:
    """Create `count` pending people and issue their links; write the links to a file.

    Runs in a child process with the server's environment (the same database, the same
    base URL). The invitation mails are then marked sent (and their bodies erased, as the
    delivery loop does): the announcement went out before the rush.
    """
    started = time.monotonic()
    subprocess.run([sys.executable, __file__, "_seed", "--count", str(count), "--links",
                    str(links_path)], env=env, check=True, cwd=ROOT)
    return time.monotonic() - started


def _seed_main(count: int, links_path: Path) -> None:
    from wizard import create_app, db
    from wizard.activation import first_login, people
    from wizard.activation.audit import CLI
    from wizard.clock import to_iso, utcnow
    from wizard.web.services import app_services, compose

    app = create_app()
    firsts = _names(ROOT / "wizard/passwords/data/fr_first_names_frequent.txt")
    lasts = _names(ROOT / "wizard/passwords/data/fr_surnames_frequent.txt")
    rng = random.Random(7)
    database = db.connect(app.config["DATABASE"])
    now = utcnow()
    with app.test_request_context(), db.transaction(database), links_path.open("w") as out:
        allocator = people.identity_allocator(database, domain=app.config["MAIL_DOMAIN"],
                                              rule=app.config["LOGIN_RULE"],
                                              max_length=app.config["LOGIN_MAX_LENGTH"])
        service_settings = app_services().settings
        for i in range(count):
            first, last = rng.choice(firsts).title(), rng.choice(lasts).title()
            login, address = allocator.allocate(first, last)
            person = people.create(database, first_name=first, last_name=last, login=login,
                                   institutional_email=address,
                                   personal_email=f"{login}.{i}@perso.example.org", now=now)
            issued = first_login.send_activation_link(database, service_settings, compose,
                                                      person, now=now, origin=CLI,
                                                      reason="bench")
            out.write(json.dumps({"login": login,
                                  "link": f"/activation/{issued.secret}"}) + "\n")
        database.execute("UPDATE outbox SET sent_at = ?, attempts = 1, body_text = '',"
                         " body_html = '' WHERE sent_at IS NULL", [to_iso(now)])
    database.close()


def _names(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    log_path: Path
    port: int

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def cpu(self) -> float:
        """CPU seconds used so far by the workers (every thread), from /proc."""
        return sum(process_cpu_seconds(pid) for pid in self.workers())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def gunicorn_command(workers: int, threads: int, port: int, preload: bool) -> list[str]:
    """The server as the README's production section starts it."""
    return [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
            *(["--preload"] if preload else []), "--no-control-socket",
            "--bind", f"127.0.0.1:{port}", "wizard:create_app()"]


def start_server(env: dict[str, str], command: list[str], port: int,
                 log_path: Path) -> Server:
    workers = int(command[command.index("--workers") + 1])
    log = log_path.open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                               cwd=ROOT)
    server = Server(process, log_path, port)
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if probe.recv(64).startswith(b"HTTP/1.1 200"):
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise SystemExit(f"gunicorn did not start:\n{server.log()}")
        time.sleep(0.1)
    # Every worker up (each answers /healthz only once booted).
    deadline = time.monotonic() + 30
    while len(server.workers()) < workers and time.monotonic() < deadline:
        time.sleep(0.1)
    return server


def start_smtp_sink(port: int) -> subprocess.Popen:
    """aiosmtpd's Sink handler in its own process: accepts and drops every message."""
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
         "-l", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("the SMTP sink did not start")


def start_profiles(directory: Path | None, server: Server, people: int,
                   seconds: float) -> list[subprocess.Popen]:
    """py-spy on each worker for the run: where the Python time goes (GIL holder only, so
    argon2id, which runs without the GIL, is left out)."""
    if directory is None:
        return []
    directory.mkdir(parents=True, exist_ok=True)
    return [subprocess.Popen([str(BIN / "py-spy"), "record", "--pid", str(pid), "--gil",
                              "--nonblocking", "--rate", "200", "--duration",
                              str(int(seconds)), "--output",
                              str(directory / f"{people}-people-{pid}.svg")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for pid in server.workers()]


def memory_of(pid: int) -> dict[str, float]:
    """Peak and current RSS of a process, and its proportional share (PSS), in MB."""
    values = {}
    for source in (f"/proc/{pid}/status", f"/proc/{pid}/smaps_rollup"):
        try:
            lines = Path(source).read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            name, _, value = line.partition(":")
            if name in ("VmHWM", "VmRSS", "Pss"):
                values[name] = int(value.split()[0]) / 1024
    return values


def argon2_parameters() -> tuple[int, int, int]:
    from wizard.config import DEFAULTS, from_environment

    config = {**DEFAULTS, **from_environment()}
    return (config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_KIB"],
            config["ARGON2_PARALLELISM"])


@dataclass
class Setup:
    command: list[str]
    env: dict[str, str]
    links: Links
    server: Server
    sink: subprocess.Popen | None
    seeded_in: float
    directory: tempfile.TemporaryDirectory
    slapd: object | None = None  # tests/slapd_server.Slapd with --directory ldap


def set_up(args) -> Setup:
    directory = tempfile.TemporaryDirectory(prefix="sesame-load-")
    tmp = Path(directory.name)
    port = free_port()
    env = {**os.environ,
           "WIZARD_INSTANCE_PATH": str(tmp / "instance"),
           "WIZARD_DATABASE": str(tmp / "wizard.sqlite3"),
           "WIZARD_SECRET_KEY": secrets.token_hex(32),
           "WIZARD_BASE_URL": f"http://127.0.0.1:{port}",
           "WIZARD_MAIL_DOMAIN": "univ-bench.fr",
           "WIZARD_PROXY_FIX_HOPS": "1",
           # As the README's production section starts gunicorn: two malloc arenas per
           # worker process rather than one per thread (~2 MB less per worker).
           "MALLOC_ARENA_MAX": "2",
           # The strength measurement sends hundreds of checks a minute from two sessions:
           # lift the per-session limit for it (the per-IP one is met by rotating addresses).
           "WIZARD_RATELIMIT_STRENGTH_PER_SESSION": "100000 per minute"}
    for name in ("WIZARD_ARGON2_TIME_COST", "WIZARD_ARGON2_MEMORY_KIB",
                 "WIZARD_ARGON2_PARALLELISM", "WIZARD_DEMO", "WIZARD_MAIL_VIEWER"):
        env.pop(name, None)  # the production argon2 parameters, no demo
    sink = None
    if args.mail == "smtp":
        smtp_port = free_port()
        sink = start_smtp_sink(smtp_port)
        env.update({"WIZARD_MAIL_BACKEND": "smtp", "WIZARD_SMTP_HOST": "127.0.0.1",
                    "WIZARD_SMTP_PORT": str(smtp_port)})
    else:
        env["WIZARD_MAIL_BACKEND"] = "outbox"
    slapd = None
    if args.directory == "ldap":
        slapd = start_slapd(tmp / "slapd")
        env.update(ldap_environment(slapd, args.ldap_password_method))
        print(f"slapd on {slapd.url} (entries created at activation, password by "
              f"{args.ldap_password_method})", flush=True)
    print(f"Seeding {args.pending} pending people and their links…", flush=True)
    seeded_in = seed_people(env, args.pending, tmp / "links.jsonl")
    print(f"  done in {seeded_in:.1f} s", flush=True)
    command = gunicorn_command(args.workers, args.threads, port, args.preload)
    server = start_server(env, command, port, tmp / "server.log")
    print(f"gunicorn on 127.0.0.1:{port}: {args.workers} workers × {args.threads} threads, "
          f"pids {server.workers()}", flush=True)
    return Setup(command, env, Links(tmp / "links.jsonl"), server, sink, seeded_in, directory,
                 slapd)


def start_slapd(folder: Path):
    """The tests' throw-away slapd (tests/slapd_server.py: mdb, argon2, ppolicy, SupAnn)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from slapd_server import Slapd, unavailable_reason

    reason = unavailable_reason()
    if reason:
        raise SystemExit(f"--directory ldap: {reason}")
    return Slapd(folder).start()


def ldap_environment(slapd, method: str) -> dict[str, str]:
    return {"WIZARD_DIRECTORY": "ldap", "WIZARD_LDAP_URL": slapd.url,
            "WIZARD_LDAP_BIND_DN": slapd.service_dn,
            "WIZARD_LDAP_BIND_PASSWORD": slapd.service_password,
            "WIZARD_LDAP_BASE_DN": slapd.base, "WIZARD_LDAP_PEOPLE_DN": slapd.people,
            "WIZARD_LDAP_ENTRIES": "created", "WIZARD_LDAP_PASSWORD_METHOD": method,
            "WIZARD_LDAP_OBJECT_CLASSES": json.dumps(
                ["inetOrgPerson", "eduPerson", "supannPerson", "sesameAccount"])}


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def directory_round_trips(setup: Setup, count: int = 100) -> tuple[float, float]:
    """Wall-clock ms of what one activation asks of the directory, measured alone: find +
    create the entry + set the password (the password step), then the queued write."""
    from wizard.config import DEFAULTS
    from wizard.directory import AccountRecord
    from wizard.directory.ldap import LdapDirectory, settings_from_config

    config = {**DEFAULTS, **{k[len("WIZARD_"):]: v for k, v in setup.env.items()
                             if k.startswith("WIZARD_LDAP_") or k == "WIZARD_MAIL_DOMAIN"}}
    config["LDAP_OBJECT_CLASSES"] = json.loads(config["LDAP_OBJECT_CLASSES"])
    settings = settings_from_config(config)
    from wizard import passwords

    cheap = passwords.hasher(time_cost=1, memory_kib=8, parallelism=1)  # the hash is not timed
    password_ms, queued_ms = [], []
    for i in range(count):
        directory = LdapDirectory(None, settings)
        password = f"Cheval agrafe pile {i} lune"
        hashed = (passwords.hash_password(cheap, password) if directory.needs_hash else "")
        record = AccountRecord(person_id=i, login=f"zzbench{i}", email=f"b{i}@univ-bench.fr",
                               listed=False, forward_to=None, keep_copy=None,
                               password_hash=hashed, first_name="Bench", last_name=f"N{i}",
                               password=password)
        started = time.perf_counter()
        directory.write_account(record, datetime.now(UTC))
        password_ms.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        directory.apply(record.login, None, {"liste_rouge": True, "recovery": "a@b.org"},
                        datetime.now(UTC))
        directory.close()
        queued_ms.append(1000 * (time.perf_counter() - started))
    return statistics.median(password_ms), statistics.median(queued_ms)


def server_line(setup: Setup) -> str:
    """The server command as a person would type it."""
    command = [f"MALLOC_ARENA_MAX={setup.env['MALLOC_ARENA_MAX']}", "gunicorn",
               *setup.command[1:]]
    return " ".join(f"'{part}'" if "(" in part else part for part in command).replace(
        f"127.0.0.1:{setup.server.port}", "127.0.0.1:PORT")


def tear_down(setup: Setup) -> None:
    setup.server.stop()
    if setup.slapd is not None:
        setup.slapd.stop()
    if setup.sink is not None:
        setup.sink.terminate()
        setup.sink.wait(timeout=10)
    setup.directory.cleanup()


def server_problems(log: str) -> dict[str, int]:
    return {"database is locked": log.count("database is locked"),
            "tracebacks": log.count("Traceback"),
            "worker timeouts": log.count("WORKER TIMEOUT")}


def mail_counts(env: dict[str, str]) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(env["WIZARD_DATABASE"]) as conn:
        rows = conn.execute("SELECT kind, count(*), count(sent_at) FROM outbox"
                            " WHERE kind != 'activation' GROUP BY kind").fetchall()
    return {f"{kind} queued": total for kind, total, _ in rows} | {
        f"{kind} sent": sent for kind, _, sent in rows}


def machine() -> str:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


# --- Reports ------------------------------------------------------------------------------


def fmt(value: float, digits: int = 1) -> str:
    return "–" if value != value else f"{value:,.{digits}f}".replace(",", " ")


def step_table(stats: Stats) -> list[str]:
    lines = ["| Request | n | p50 ms | p95 ms | p99 ms | max ms |", "|---|--:|--:|--:|--:|--:|"]
    for step in STEP_ORDER:
        values = stats.latencies.get(step, [])
        if values:
            lines.append(f"| {step} | {len(values)} | {fmt(percentile(values, 50))} | "
                         f"{fmt(percentile(values, 95))} | {fmt(percentile(values, 99))} | "
                         f"{fmt(max(values))} |")
    return lines


def verdict(value: float, target: float, higher_is_better: bool = True) -> str:
    ok = value >= target if higher_is_better else value <= target
    return "✅" if ok else "❌"


async def bench(args) -> str:
    params = argon2_parameters()
    setup = set_up(args)
    server = setup.server
    try:
        load_before = os.getloadavg()
        print(f"argon2id floor: {args.workers} processes, t={params[0]}, m={params[1]} KiB, "
              f"p={params[2]}…", flush=True)
        floor_1 = argon2_floor(args.workers, args.floor_seconds, params)
        print(f"  {floor_1.rate:.2f} hashes/s, {floor_1.cpu_ms:.0f} ms CPU a hash", flush=True)

        parked = await park("127.0.0.1", server.port, setup.links, args.page_clients,
                            args.seed, Stats())
        browsers = [person.b for person, _ in parked]
        pages = ["/etapes/charte", "/etapes/annuaire", "/etapes/messagerie",
                 "/etapes/mot-de-passe"]
        # healthz, pages, healthz, pages: the machine's other load weighs on both alike.
        healthz, steps = [], []
        for _ in range(2):
            healthz.append(await hammer(server, browsers, ["/healthz"], args.page_seconds))
            steps.append(await hammer(server, browsers, pages, args.page_seconds))
            print(f"/healthz {healthz[-1].rate:.0f} req/s, step pages {steps[-1].rate:.0f} "
                  f"GET/s ({args.page_clients} clients)", flush=True)

        strength = await strength_by_length(server, parked, args.strength_samples,
                                            args.typists, args.seed)
        for person, _ in parked:
            await person.b.close()
        print("strength p99 by length: " + ", ".join(
            f"{n}: {percentile(v, 99):.1f}" for n, (v, _) in strength.items()), flush=True)

        runs = []
        slapd_cpu: list[float] = []
        for people in args.concurrency:
            if setup.slapd is not None:
                slapd_cpu.append(process_cpu_seconds(setup.slapd.pid))
            print(f"activations with {people} people for {args.seconds:.0f} s…", flush=True)
            spies = start_profiles(args.profile, server, people, args.seconds)
            runs.append(await run_people(server, setup.links, people=people,
                                         seconds=args.seconds, warmup=args.warmup,
                                         seed=args.seed + people))
            for spy in spies:
                spy.wait(timeout=60)
            print(f"  {runs[-1].rate:.2f} activations/s, "
                  f"{sum(runs[-1].stats.errors.values())} errors", flush=True)
            if setup.slapd is not None:
                slapd_cpu[-1] = process_cpu_seconds(setup.slapd.pid) - slapd_cpu[-1]
        directory_lines = []
        if setup.slapd is not None:
            time.sleep(2)  # the workers' passes apply the last queued writes
            password_ms, queued_ms = directory_round_trips(setup)
            directory_lines = directory_report(setup, runs, slapd_cpu, password_ms, queued_ms)

        print("argon2id floor again…", flush=True)
        floor_2 = argon2_floor(args.workers, args.floor_seconds, params)
        print(f"  {floor_2.rate:.2f} hashes/s", flush=True)
        load_after = os.getloadavg()
        memory = {pid: memory_of(pid) for pid in server.workers()}
        master = memory_of(server.process.pid)
        time.sleep(1.5)  # let the delivery threads send the last notices
        mails = mail_counts(setup.env)
    finally:
        log = server.log()
        tear_down(setup)
    problems = server_problems(log)

    floor = (floor_1.rate + floor_2.rate) / 2
    hash_cpu = (floor_1.cpu_ms + floor_2.cpu_ms) / 2
    healthz_rate = statistics.fmean(t.rate for t in healthz)
    steps_rate = statistics.fmean(t.rate for t in steps)
    healthz_cpu = statistics.fmean(t.server_cpu_ms for t in healthz)
    steps_cpu = statistics.fmean(t.server_cpu_ms for t in steps)
    page_ratio = steps_rate / healthz_rate
    page_cpu_ratio = (
        (healthz_cpu + statistics.fmean(t.client_cpu_ms for t in healthz))
        / (steps_cpu + statistics.fmean(t.client_cpu_ms for t in steps)))
    worst_rss = max(m["VmHWM"] for m in memory.values())
    strength_p99 = {n: percentile(v, 99) for n, (v, _) in strength.items()}
    worst_strength = max(strength_p99.values())
    errors = (sum(sum(run.stats.errors.values()) for run in runs)
              + sum(t.errors for t in healthz + steps))
    locked = problems["database is locked"]
    when = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    out = [
        f"Run of {when} on {machine()}; argon2id t={params[0]}, m={params[1] // 1024} MiB, "
        f"p={params[2]}; {args.pending} pending people (seeded in {setup.seeded_in:.1f} s); "
        f"mail {args.mail}; load average {load_before[0]:.2f} before (other work on the "
        f"machine), {load_after[0]:.2f} at the end (the benchmark's own processes and "
        "threads count in it).",
        "",
        f"Server: `{server_line(setup)}`",
        "",
        "| Measure | Result | Target | |",
        "|---|--:|--:|:-:|",
        f"| argon2id floor: {args.workers} processes hashing, hashes/s | {fmt(floor, 2)} "
        f"({fmt(floor_1.rate, 2)} before, {fmt(floor_2.rate, 2)} after) | | |",
    ]
    target = TARGET_ACTIVATION_RATIO if setup.slapd is None else TARGET_ACTIVATION_RATIO_LDAP
    for run in runs:
        ratio = run.rate / floor
        out.append(f"| Activations/s, {run.people} people at once | {fmt(run.rate, 2)} | | |")
        out.append(f"| **Activations/s ÷ argon2id hashes/s, {run.people} people** | "
                   f"**{ratio:.3f}** | ≥ {target} | {verdict(ratio, target)} |")
        cpu_ratio = hash_cpu / (run.server_cpu_ms + run.client_cpu_ms)
        out.append(f"| the same from CPU time: one hash ÷ an activation (workers + driver), "
                   f"{run.people} people | {cpu_ratio:.3f} | ≥ {target} | "
                   f"{verdict(cpu_ratio, target)} |")
    out += directory_lines
    out += [
        f"| /healthz, req/s ({args.page_clients} clients) | {fmt(healthz_rate, 0)} | | |",
        f"| Step-page GETs/s ({args.page_clients} clients: charte, annuaire, messagerie, "
        f"mot-de-passe) | {fmt(steps_rate, 0)} | | |",
        f"| **Step-page GETs/s ÷ /healthz/s** | **{page_ratio:.3f}** | ≥ {TARGET_PAGE_RATIO} "
        f"| {verdict(page_ratio, TARGET_PAGE_RATIO)} |",
        f"| the same from CPU time: a /healthz ÷ a step page (workers + driver) | "
        f"{page_cpu_ratio:.3f} | ≥ {TARGET_PAGE_RATIO} | "
        f"{verdict(page_cpu_ratio, TARGET_PAGE_RATIO)} |",
        f"| **Strength endpoint p99, worst length** ({args.typists} typists) | "
        f"**{worst_strength:.1f} ms** | ≤ {TARGET_STRENGTH_P99_MS:.0f} ms | "
        f"{verdict(worst_strength, TARGET_STRENGTH_P99_MS, False)} |",
        f"| **Peak RSS per worker** | **{worst_rss:.1f} MB** | ≤ {TARGET_RSS_MB:.0f} MB | "
        f"{verdict(worst_rss, TARGET_RSS_MB, False)} |",
        f"| **Errors** | **{errors}** | 0 | {verdict(errors, 0, False)} |",
        f"| **\"database is locked\"** | **{locked}** | 0 | {verdict(locked, 0, False)} |",
        "",
    ]
    if load_before[0] > (os.cpu_count() or 2) / 2:
        out += ["Other work kept the machine busy before this run (load average above half "
                f"its {os.cpu_count()} cores): the rates, and the ratios of rates, are unreliable "
                "(a floor measured while the machine was busier than during the activations "
                "gives a ratio above 1); the ratios from CPU time are not.", ""]
    out += [
        "Where the CPU goes (the same ratios from CPU time, which the machine's other load "
        "disturbs much less than throughput):",
        "",
        "| CPU | ms | |",
        "|---|--:|---|",
        f"| argon2id, one hash | {hash_cpu:.0f} | the floor processes |",
    ]
    for run in runs:
        out.append(f"| workers, one activation ({run.people} people) | "
                   f"{run.server_cpu_ms:.0f} | argon2id is {hash_cpu / run.server_cpu_ms:.0%}"
                   f"; the driver spent {run.client_cpu_ms:.0f} ms more |")
    out += [
        f"| workers, one /healthz | {healthz_cpu:.2f} | |",
        f"| workers, one step page | {steps_cpu:.2f} | {healthz_cpu / steps_cpu:.2f} × "
        "/healthz's cost |",
        "",
        "Strength endpoint (POST /etapes/mot-de-passe/force) by input length, "
        f"{args.typists} typists at once, nothing else running; inputs random, words, l33t, "
        "keyboard, dates, accents:",
        "",
        "| Length | n | p50 ms | p95 ms | p99 ms | max ms | workers' CPU a request, ms |",
        "|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for n, (values, cpu_ms) in strength.items():
        out.append(f"| {n} | {len(values)} | {fmt(percentile(values, 50))} | "
                   f"{fmt(percentile(values, 95))} | {fmt(percentile(values, 99))} | "
                   f"{fmt(max(values))} | {fmt(cpu_ms)} |")
    for run in runs:
        stats = run.stats
        out += ["", f"Activations with {run.people} people at once for {args.seconds:.0f} s "
                f"(no pause between requests; the rate is counted after a {args.warmup:.0f} s "
                f"ramp): {len(stats.completions)} activations, {stats.requests} requests, "
                f"{sum(stats.errors.values())} errors, {stats.refused_passwords} passphrases "
                "judged too weak and typed again.", ""]
        out += step_table(stats)
        if stats.error_samples:
            out += ["", "Errors: " + "; ".join(stats.error_samples)]
    out += ["", "| Process | peak RSS (MB) | RSS at the end (MB) | PSS at the end (MB) |",
            "|---|--:|--:|--:|"]
    for pid, values in memory.items():
        out.append(f"| worker {pid} | {values['VmHWM']:.0f} | {values['VmRSS']:.0f} | "
                   f"{values.get('Pss', float('nan')):.0f} |")
    out.append(f"| master | {master['VmHWM']:.0f} | {master['VmRSS']:.0f} | "
               f"{master.get('Pss', float('nan')):.0f} |")
    out += ["", "Server log: " + ", ".join(f"{k} {v}" for k, v in problems.items())
            + "; mail: " + (", ".join(f"{k} {v}" for k, v in sorted(mails.items()))
                            or "none") + "."]
    return "\n".join(out)


def directory_report(setup: Setup, runs, slapd_cpu: list[float], password_ms: float,
                     queued_ms: float) -> list[str]:
    """The directory's rows of the benchmark's table."""
    import sqlite3

    with sqlite3.connect(setup.env["WIZARD_DATABASE"]) as conn:
        applied, pending = conn.execute(
            "SELECT count(applied_at), count(*) - count(applied_at) FROM directory_writes"
        ).fetchone()
    lines = []
    for run, cpu in zip(runs, slapd_cpu, strict=True):
        done = len(run.stats.completions)
        lines.append(f"| slapd CPU per activation ({run.people} people; its own argon2 "
                     f"hashing included) | {1000 * cpu / max(done, 1):.1f} ms | | |")
    lines += [
        f"| Directory at the password step, alone (connect and bind, find, create the "
        f"entry, write the password), median | {password_ms:.1f} ms | a few ms | |",
        f"| Directory, the queued write (liste rouge, recovery address), median | "
        f"{queued_ms:.1f} ms | | |",
        f"| Directory writes applied / still queued at the end | {applied} / {pending} | "
        f"… / 0 | {verdict(pending, 0, False)} |",
    ]
    return lines


async def load(args) -> str:
    setup = set_up(args)
    server = setup.server
    try:
        load_before = os.getloadavg()
        print(f"{args.people} people for {args.seconds:.0f} s…", flush=True)
        run = await run_people(server, setup.links, people=args.people,
                               seconds=args.seconds,
                               warmup=min(args.warmup, args.seconds / 2), seed=args.seed)
        memory = {pid: memory_of(pid) for pid in server.workers()}
        time.sleep(1.5)
        mails = mail_counts(setup.env)
    finally:
        log = server.log()
        tear_down(setup)
    stats = run.stats
    problems = server_problems(log)
    errors = sum(stats.errors.values())
    locked = problems["database is locked"]
    when = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    out = [
        f"Run of {when} on {machine()}; production argon2id; {args.people} people at once "
        f"for {args.seconds:.0f} s, no pause between requests; mail {args.mail}; load "
        f"average {load_before[0]:.2f} before.",
        "",
        f"Server: `{server_line(setup)}`",
        "",
        "| Measure | Result | Target | |",
        "|---|--:|--:|:-:|",
        f"| Requests | {stats.requests} ({stats.requests / args.seconds:.0f}/s) | | |",
        f"| Activations completed | {len(stats.completions)} ({run.rate:.2f}/s) | | |",
        f"| **Errors** | **{errors}** | 0 | {verdict(errors, 0, False)} |",
        f"| **\"database is locked\"** | **{locked}** | 0 | {verdict(locked, 0, False)} |",
        f"| Tracebacks in the server log | {problems['tracebacks']} | 0 | "
        f"{verdict(problems['tracebacks'], 0, False)} |",
        f"| Peak RSS per worker | {max(m['VmHWM'] for m in memory.values()):.0f} MB | | |",
        "",
    ]
    out += step_table(stats)
    if stats.error_samples:
        out += ["", "Errors: " + "; ".join(stats.error_samples)]
    out += ["", "Mail: " + (", ".join(f"{k} {v}" for k, v in sorted(mails.items())) or "none")
            + "."]
    return "\n".join(out)


def write_block(path: Path, name: str, text: str, command: str) -> None:
    """Replace the block between <!-- NAME:start --> and <!-- NAME:end --> in `path`."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n<!-- written by `{command}`: do not edit by hand -->\n{text}\n{end}"
    content = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in content and end in content:
        before, rest = content.split(start, 1)
        _, after = rest.split(end, 1)
        content = before + block + after
    else:
        content = content.rstrip("\n") + ("\n\n" if content else "") + block + "\n"
    path.write_text(content, encoding="utf-8")
    print(f"Results written to {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--preload", action="store_true",
                        help="gunicorn --preload: the app is loaded once, before the "
                             "workers fork, and its memory shared")
    common.add_argument("--threads", type=int, default=4,
                        help="threads per worker (default 4, as in the README)")
    common.add_argument("--pending", type=int, default=2000,
                        help="pending people seeded, each with a link (default 2000)")
    common.add_argument("--mail", choices=["smtp", "outbox"], default="smtp",
                        help="smtp: the workers' delivery threads send to a local sink "
                             "(default); outbox: mail stays in the database")
    common.add_argument("--warmup", type=float, default=8.0,
                        help="seconds of ramp not counted in activations/s")
    common.add_argument("--seed", type=int, default=1)
    common.add_argument("--out", type=Path, help="write the results into this Markdown file")
    common.add_argument("--directory", choices=["sqlite", "ldap"], default="sqlite",
                        help="where accounts are written: sqlite (default) or ldap, a "
                             "throw-away slapd (tests/slapd_server.py) with entries created "
                             "at activation")
    common.add_argument("--ldap-password-method", default="password_modify",
                        choices=["password_modify", "argon2"],
                        help="with --directory ldap: RFC 3062 (slapd hashes) or {ARGON2} "
                             "(the wizard's argon2id hash)")

    b = sub.add_parser("bench", parents=[common], help="the benchmark against the floors")
    b.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                   help="gunicorn workers (default: the number of cores)")
    b.add_argument("--profile", type=Path, metavar="DIR",
                   help="record each worker with py-spy (pip install '.[bench]') during the "
                        "activation runs: DIR/<people>-<pid>.svg")
    b.add_argument("--concurrency", type=lambda s: [int(x) for x in s.split(",")],
                   default=[10, 50], help="people at once, comma-separated (default 10,50)")
    b.add_argument("--seconds", type=float, default=40.0,
                   help="length of each activation run")
    b.add_argument("--floor-seconds", type=float, default=8.0)
    b.add_argument("--page-seconds", type=float, default=6.0)
    b.add_argument("--page-clients", type=int, default=50)
    b.add_argument("--typists", type=int, default=2)
    b.add_argument("--strength-samples", type=int, default=120,
                   help="strength requests per input length")

    lo = sub.add_parser("load", parents=[common], help="N people for S seconds")
    lo.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    lo.add_argument("--people", type=int, default=50)
    lo.add_argument("--seconds", type=float, default=60.0)

    s = sub.add_parser("_seed")  # internal: run in a child process with the server's env
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--links", type=Path, required=True)

    args = parser.parse_args(argv)
    if args.mode == "_seed":
        _seed_main(args.count, args.links)
        return 0
    command = "make bench" if args.mode == "bench" else "make load"
    text = asyncio.run(bench(args) if args.mode == "bench" else load(args))
    print()
    print(text)
    if args.out:
        block = args.mode
        if args.directory == "ldap":
            block += "-ldap" + ("" if args.ldap_password_method == "password_modify"
                                else "-argon2")
            command += " with --directory ldap" + (
                "" if args.ldap_password_method == "password_modify"
                else " --ldap-password-method argon2")
        write_block(args.out, block, text, command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
