"""What the UI benchmarks share: start-up (local server, `streamlit run`, Chromium), the page probe, raw
boto3, statistics and the report every bench prints (and writes as JSON for run_all.py).

Page side, browser clock. Every page time is `performance.now()` of the app's top document: the probe
(bench/_probe.js) stamps the click on Send Request (a capture listener in the actions iframe) and, with a
MutationObserver, the first DOM mutation at which the NEW card shows what a person waits for: the card at
all, a status, the expected output text. Frame readiness (bench/_frames.js, an init script in every frame)
is stamped on the shared clock `performance.timeOrigin + performance.now()`. Python only waits for the probe
(bounded timeouts) and reads the numbers afterwards: Playwright's round trips are outside every figure.

Raw side, benchmark process. boto3's `sagemaker-runtime` client, built the way the app builds it, on the
same endpoint with the same body, interleaved with the page runs (alternating which goes first) so a busy
machine slows both alike. The expected text comes from the raw call: the demo classifier is deterministic,
the generator is greedy at temperature 0, and streams are decoded with the project's own TokenDecoder.

Processes (local server, `streamlit run` of --app-dir, Chromium) are stopped by their handles on exit,
errors, Ctrl+C and SIGTERM alike.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.real_app import CHROMIUM, CHROMIUM_ARGS, stop, streamlit_process  # noqa: E402

BENCH = Path(__file__).resolve().parent
PROBE_JS = (BENCH / "_probe.js").read_text()
FRAMES_JS = (BENCH / "_frames.js").read_text()
NOT_STALE = ':not([data-stale="true"] *)'
EDITOR_IFRAME = '.st-key-request-editor iframe[title="streamlit_ace.streamlit_ace"]'
ACTIONS_IFRAME = 'iframe[title="components.request_actions.request_actions"]'
EDITOR_FRAME, ACTIONS_FRAME = EDITOR_IFRAME + NOT_STALE, ACTIONS_IFRAME + NOT_STALE
# Both component iframes usable (bench/_frames.js stamps): their stamps and the navigation start, or null.
USABLE_JS = """() => {
  const fresh = (f) => !f.closest('[data-stale="true"]');
  const pick = (sel) => [...document.querySelectorAll(sel)].filter(fresh).pop();
  const ace = pick(EDITOR), act = pick(ACTIONS);
  const aw = ace && ace.contentWindow, sw = act && act.contentWindow;
  if (!aw || !sw || !aw.__benchReady || !sw.__benchReady) return null;
  const send = act.contentDocument.getElementById("send");
  if (!send || send.disabled) return null;
  return { ace: aw.__benchReady, send: sw.__benchReady, origin: performance.timeOrigin };
}""".replace("EDITOR", json.dumps(EDITOR_IFRAME)).replace("ACTIONS", json.dumps(ACTIONS_IFRAME))

CLASSIFIER = "demo-text-classifier"
GENERATOR = "demo-tgi-generator"
CLASSIFIER_BODY = '{"features": ["This is great!"]}'
# Greedy from this prompt the first token is " silver": a word no card shows unless the answer does.
PROMPT = "the sea is grey and"


def generator_body(tokens: int, prompt: str = PROMPT) -> str:
    """A streamed, greedy, fixed-length request: every run streams exactly the same answer."""
    parameters = {"max_new_tokens": tokens, "temperature": 0, "ignore_eos_token": True}
    return json.dumps({"inputs": prompt, "parameters": parameters, "stream": True})


# -- arguments, statistics, the report ---------------------------------------------------------------------


def arguments(doc: str, runs: int, warmup: int = 1) -> argparse.ArgumentParser:
    """The options every UI bench takes; a bench adds its own."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="checkout whose app.py is served")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--runs", type=int, default=runs, help="timed runs per side")
    parser.add_argument("--warmup", type=int, default=warmup, help="untimed runs per side first")
    return parser


def app_dir_in_argv() -> Path:
    """--app-dir from the command line, read before argparse runs: the non-UI benches put that checkout
    first on sys.path, so the `services` they measure are the checkout's."""
    argv = sys.argv[1:]
    for index, arg in enumerate(argv):
        if arg == "--app-dir" and index + 1 < len(argv):
            return Path(argv[index + 1]).resolve()
        if arg.startswith("--app-dir="):
            return Path(arg.split("=", 1)[1]).resolve()
    return ROOT


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else values[0]


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} ms"


def spread(values: list[float]) -> str:
    """`median 123 ms (p90 150, n 10)`."""
    if not values:
        return "— (n 0)"
    return f"{ms(median(values))} (p90 {p90(values):,.0f}, n {len(values)})"


def interleave(runs: int, raw: Any, page: Any) -> None:
    """Call raw() and page() `runs` times each, alternating which goes first."""
    for index in range(runs):
        first, second = (raw, page) if index % 2 == 0 else (page, raw)
        first()
        second()


@dataclass
class Row:
    """One figure: what is measured, the moment it stops at, raw boto3, the app, the target, met or not."""

    moment: str
    measure: str
    stops_at: str
    raw: str
    app: str
    target: str
    met: bool | None  # None: reported, no target
    numbers: dict[str, Any] = field(default_factory=dict)


class Report:
    """A bench's rows; `finish()` prints the verdict, writes the JSON and gives the exit code."""

    def __init__(self, bench: str, args: argparse.Namespace) -> None:
        self.bench = bench
        self.args = args
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.load_start = load_average()
        self.started = time.monotonic()
        cores = os.cpu_count()
        print(f"{bench}: app {args.app_dir}, load average at start {self.load_start} ({cores} cores)")

    def row(self, *args: Any, **kwargs: Any) -> Row:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        verdict = "" if row.met is None else ("  MET" if row.met else "  NOT MET")
        print(f"[{row.moment}] {row.measure} (stops at: {row.stops_at})")
        print(f"      raw boto3: {row.raw}\n      app:       {row.app}")
        print(f"      target:    {row.target}{verdict}")
        return row

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"note: {text}")

    def finish(self, error: str | None = None) -> int:
        met = error is None and all(row.met is not False for row in self.rows)
        load_end = load_average()
        seconds = time.monotonic() - self.started
        if error:
            print(f"ERROR: {error}")
        print(f"load average at end {load_end}; {seconds:.0f} s")
        print(f"{self.bench}:", "MET" if met else "NOT MET")
        if self.args.json:
            data = {
                "bench": self.bench,
                "app_dir": str(self.args.app_dir),
                "load_start": self.load_start,
                "load_end": load_end,
                "seconds": round(seconds),
                "met": met,
                "error": error,
                "notes": self.notes,
                "rows": [asdict(row) for row in self.rows],
            }
            self.args.json.write_text(json.dumps(data, indent=2))
        return 0 if met else 1


def run(bench: str, args: argparse.Namespace, measure: Any) -> int:
    """Run `measure(report)`; a SystemExit with a message (a failed check) still writes the report."""
    report = Report(bench, args)
    try:
        measure(report)
    except SystemExit as exc:
        if isinstance(exc.code, str):
            return report.finish(error=exc.code)
        raise
    return report.finish()


# -- the local server and raw boto3 ------------------------------------------------------------------------


class LocalServer:
    """`python -m local_endpoints` in its own process, and its test controls (README "Test controls")."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> None:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def fault(self, endpoint: str, **fault: Any) -> None:
        self._call("PUT", f"/_local/faults/{endpoint}", fault)

    def clear_faults(self) -> None:
        self._call("DELETE", "/_local/faults")

    def token_delay(self, seconds: float) -> None:
        self._call("PUT", "/_local/settings", {"token_delay": seconds})


@contextlib.contextmanager
def local_server(token_delay: float) -> Iterator[LocalServer]:
    """The server on a free port, in its own process (in the bench process its threads would compete with
    the raw baseline for the GIL), from this repository's root."""
    process = subprocess.Popen(
        [sys.executable, "-m", "local_endpoints", "--port", "0", "--token-delay", str(token_delay)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if "listening on " not in line:
            raise SystemExit(f"the local server did not start: {line!r}")
        yield LocalServer(line.rsplit("listening on ", 1)[1].split()[0])
    finally:
        stop(process)


@dataclass
class RawStream:
    """One raw boto3 stream. Times in ms from the call: first PayloadPart, first non-empty token, end."""

    total_ms: float
    first_part_ms: float
    first_token_ms: float
    text: str
    first_token: str
    tokens: int
    parts: int
    cpu_s: float  # this process's CPU time for the call and the read

    @property
    def rate(self) -> float:
        """Tokens per second the way the app defines it: (tokens - 1) / (end - first token)."""
        return (self.tokens - 1) / ((self.total_ms - self.first_token_ms) / 1000.0)


class Raw:
    """Raw boto3: the sagemaker-runtime client the app itself would build for this server."""

    def __init__(self, server_url: str) -> None:
        from services.connection import Connection, build_clients

        connection = Connection(kind="local", region="us-east-1", local_url=server_url)
        clients = build_clients(connection)
        self.client, self.control = clients.runtime, clients.sagemaker

    def describe(self, endpoint: str) -> float:
        """ms for the control-plane calls the page makes to offer an endpoint: list, describe, its config."""
        started = time.perf_counter()
        self.control.list_endpoints(MaxResults=100)
        config = self.control.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
        self.control.describe_endpoint_config(EndpointConfigName=config)
        return (time.perf_counter() - started) * 1000.0

    def invoke(self, endpoint: str, body: str) -> tuple[float, bytes]:
        """(ms from the call to the end of Body.read(), the body)."""
        started = time.perf_counter()
        response = self.client.invoke_endpoint(
            EndpointName=endpoint, Body=body.encode(), ContentType="application/json"
        )
        data = response["Body"].read()
        return (time.perf_counter() - started) * 1000.0, data

    def stream(self, endpoint: str, body: str) -> RawStream:
        """Read a whole stream. Parts are decoded (TokenDecoder) only until the first token while timing."""
        from services.streaming import TokenDecoder

        cpu = time.process_time()
        started = time.perf_counter()
        response = self.client.invoke_endpoint_with_response_stream(
            EndpointName=endpoint, Body=body.encode(), ContentType="application/json"
        )
        parts: list[bytes] = []
        first_part = first_token = None
        probe = TokenDecoder()
        for event in response["Body"]:
            if "PayloadPart" not in event:
                continue
            part = event["PayloadPart"]["Bytes"]
            parts.append(part)
            if first_token is None:
                now = time.perf_counter()
                first_part = first_part or now
                if any(probe.decode(part)):
                    first_token = now
        ended = time.perf_counter()
        cpu = time.process_time() - cpu
        if first_token is None or first_part is None:
            raise SystemExit("the raw stream had no token")
        decoder = TokenDecoder()
        pieces = [piece for part in parts for piece in decoder.decode(part)] + decoder.flush()
        return RawStream(
            total_ms=(ended - started) * 1000.0,
            first_part_ms=(first_part - started) * 1000.0,
            first_token_ms=(first_token - started) * 1000.0,
            text=decoder.text,
            first_token=next(piece for piece in pieces if piece),
            tokens=decoder.token_count,
            parts=len(parts),
            cpu_s=cpu,
        )

    def stop_ms(self, endpoint: str, body: str, after_s: float) -> float:
        """Read a paced stream for `after_s`, then time closing it (raw boto3's 'Stop')."""
        response = self.client.invoke_endpoint_with_response_stream(
            EndpointName=endpoint, Body=body.encode(), ContentType="application/json"
        )
        stream = response["Body"]
        started = time.monotonic()
        for _event in stream:
            if time.monotonic() - started >= after_s:
                break
        before = time.perf_counter()
        stream.close()
        return (time.perf_counter() - before) * 1000.0


# -- what a card must show ----------------------------------------------------------------------------------


def want_json(body: bytes) -> dict[str, Any]:
    """The probe's target for a JSON answer: its text, whitespace ignored (the page may pretty-print it)."""
    compact = json.dumps(json.loads(body), ensure_ascii=False, separators=(",", ":"))
    return {"compact": re.sub(r"\s+", "", compact)}


def want_stream(expected: RawStream) -> dict[str, Any]:
    """The probe's targets for a streamed answer: its first token, and the whole text (first 24 characters,
    last 60, length)."""
    text = expected.text.strip()
    needle = expected.first_token.strip()
    return {"needle": needle, "head": text[:24], "tail": text[-60:], "length": len(text)}


# -- the app and the browser -----------------------------------------------------------------------------


@dataclass
class Times:
    """One Send Request on the page, in ms after the click (None: not seen). See bench/_probe.js."""

    card: float | None
    pending: float | None
    instant: float | None  # the browser's own Pending card (shown at the click, before any run)
    stopped: float | None
    final: float | None
    output: float | None
    first: float | None
    full: float | None
    stop_click: float | None
    status: str | None
    card_id: str | None
    growth: list[tuple[float, int]]  # (ms after the click, visible text length) at each visible update

    def updates_per_second(self) -> float | None:
        """Visible text updates per second while the text grows (first to last growth)."""
        if len(self.growth) < 2:
            return None
        span = self.growth[-1][0] - self.growth[0][0]
        return None if span <= 0 else (len(self.growth) - 1) / (span / 1000.0)


class AppPage:
    """The Test inference page in its own browser context (a brand-new tab), with the probe installed."""

    def __init__(self, browser: Any, url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1500, "height": 1300})
        self.context.add_init_script(FRAMES_JS)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.page.goto(url)
        self.ready = self.wait_usable()
        self.page.evaluate(PROBE_JS)

    def close(self) -> None:
        self.context.close()

    def wait_usable(self, timeout_s: float = 60.0) -> dict[str, float]:
        """Wait until the editor shows text and Send Request is enabled (in the current, non-stale frames);
        returns their readiness stamps and the top document's navigation start (epoch ms)."""
        handle = self.page.wait_for_function(USABLE_JS, timeout=timeout_s * 1000, polling=20)
        return dict(handle.json_value())

    def idle(self, seconds: float) -> None:
        self.page.wait_for_timeout(seconds * 1000)

    def endpoint(self) -> str:
        picker = self.page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first
        return str(picker.locator("input").input_value())

    def pick_endpoint(self, name: str) -> None:
        """Choose an endpoint (the sample for it loads into a new editor), then wait until usable again."""
        if self.endpoint().startswith(name):
            return
        picker = self.page.get_by_test_id("stMain").get_by_test_id("stSelectbox").first
        picker.click()
        self.page.keyboard.type(name)
        self.page.keyboard.press("Enter")
        self.idle(1.5)
        if not self.endpoint().startswith(name):
            raise SystemExit(f"the endpoint picker shows {self.endpoint()!r}, not {name}")
        self.wait_usable()

    def type_body(self, text: str) -> None:
        """Type a request into Ace as a person would paste it (click, select all, insert)."""
        self.page.frame_locator(EDITOR_FRAME).locator(".ace_content").click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.insert_text(text)
        shown = (
            self.page.frame_locator(EDITOR_FRAME)
            .locator(".ace_editor")
            .evaluate("(el) => el.env.editor.getValue()")
        )
        if shown != text:
            raise SystemExit(f"the editor does not hold the request: {shown!r}")

    def stream_switch(self) -> bool | None:
        switch = self.page.get_by_role("switch", name="Stream", exact=True)
        return bool(switch.is_checked()) if switch.count() == 1 else None

    def clear_results(self) -> None:
        button = self.page.locator(".st-key-clear-results button" + NOT_STALE)
        if button.count():
            button.first.click()
            self.page.locator(".st-key-no-results").wait_for(timeout=20_000)

    def send(self, want: dict[str, Any], until: str, timeout_s: float = 30.0) -> Times:
        """Arm the probe, click Send Request, wait until `until` (JS on the probe `b`) holds."""
        self.page.evaluate("(w) => window.__bench.arm(w)", want)
        self.page.frame_locator(ACTIONS_FRAME).locator("#send").click()
        self.wait(until, timeout_s)
        return self.times()

    def wait(self, until: str, timeout_s: float) -> None:
        try:
            self.page.wait_for_function(
                f"() => {{ const b = window.__bench; return {until}; }}", timeout=timeout_s * 1000, polling=50
            )
        except Exception as exc:
            raise SystemExit(f"not seen within {timeout_s:.0f} s: {until}; probe: {self.state()}") from exc

    def state(self) -> dict[str, Any]:
        return dict(self.page.evaluate("() => window.__bench.state()"))

    def times(self) -> Times:
        state = self.state()
        stamps = state["t"]
        click = stamps.get("click")
        if click is None:
            raise SystemExit("the probe did not see the click on Send Request")

        def after(name: str) -> float | None:
            value = stamps.get(name)
            return None if value is None else float(value) - float(click)

        growth = self.page.evaluate("() => window.__bench.growth")
        return Times(
            card=after("card"),
            pending=after("pending"),
            instant=after("instant"),
            stopped=after("stopped"),
            final=after("final"),
            output=after("output"),
            first=after("first"),
            full=after("full"),
            stop_click=after("stopClick"),
            status=state["status"],
            card_id=state["cardId"],
            growth=[(float(t) - float(click), int(n)) for t, n in growth],
        )

    def disarm(self) -> None:
        self.page.evaluate("() => window.__bench.disarm()")

    def click_stop(self, card_id: str) -> None:
        self.page.locator(f".st-key-stop-{card_id} button{NOT_STALE}").first.click()

    def field(self, label: str) -> str | None:
        """The value under `label` in the measured card's field tables."""
        value = self.page.evaluate("(label) => window.__bench.field(label)", label)
        return None if value is None else str(value)

    def number(self, label: str) -> float | None:
        """A field as a number ("3,012" -> 3012.0); None when absent or not a number ("—")."""
        value = (self.field(label) or "").replace(",", "").strip()
        try:
            return float(value)
        except ValueError:
            return None

    def out_text(self) -> str:
        return str(self.page.evaluate("() => window.__bench.outText()"))

    def card_text(self) -> str:
        return str(self.page.evaluate("() => window.__bench.cardText()"))

    def card_count(self) -> int:
        """Result cards on the page (not counting leftovers of an earlier run)."""
        return int(self.page.locator(f'[class*="st-key-result-card-"]{NOT_STALE}').count())


class App:
    """A running app: its local server, the `streamlit run` process, Chromium."""

    def __init__(self, server: LocalServer, url: str, process: subprocess.Popen[Any], browser: Any) -> None:
        self.server, self.url, self.process, self.browser = server, url, process, browser
        self.raw = Raw(server.url)

    def new_page(self) -> AppPage:
        return AppPage(self.browser, self.url)


@contextlib.contextmanager
def running_app(app_dir: Path, token_delay: float) -> Iterator[App]:
    """Local server + `streamlit run app.py` of `app_dir` (history in a temporary file) + Chromium."""
    from playwright.sync_api import sync_playwright

    # SIGTERM (a timeout, kill PID) ends the run through the context managers: every child process stops.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not Path(CHROMIUM).exists():
        raise SystemExit("Debian's chromium is not installed (scripts/test.sh installs it)")
    if not (app_dir / "app.py").exists():
        raise SystemExit(f"no app.py in {app_dir}")
    with (
        local_server(token_delay) as server,
        tempfile.TemporaryDirectory(prefix="bench-ui-") as scratch,
        streamlit_process(server.url, Path(scratch) / "history.sqlite3", app_dir.resolve()) as (url, process),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield App(server, url, process, browser)
        finally:
            browser.close()


# -- CPU time of a process tree -----------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the 3rd on (state, ppid, ...)


def cpu_seconds(pid: int) -> float:
    """utime + stime of `pid` and of all its live descendants (ppid walk over /proc), plus the CPU time of
    children already reaped (cutime + cstime), in seconds."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = int(fields[1])
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent and child not in tree]
        tree.update(children)
        frontier.extend(children)
    ticks = 0
    for member in tree:
        fields = _stat(member)
        if fields is not None:  # utime, stime, cutime, cstime are fields 14-17 (index 11-14 here)
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / _TICK
