"""Every command over a table of bad inputs: bad files (binary garbage, empty, nested 100,000
deep, a 5,000-digit number, NaN, a folder, ``/dev/zero``, a 3 MB line, Latin-1, NUL bytes),
bad dates, bad ids, huge and hostile arguments (control and bidi characters, lone surrogates,
bytes that are not UTF-8), bad config and keys. Each exits with the code a person expects
(2 for a usage or validation error, with an ``Error:`` sentence; 0 or 1 where the input is
odd but fine) and never 3 (a bug), never with a traceback, and never hangs.

In-process (click's runner) for speed; ``tests/cli/test_processes.py`` covers real processes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from dixa_tui.cli import main

pytestmark = pytest.mark.timeout(60)  # a hang (an endless read) fails its own case only

HUGE = "x" * 100_000
GARB = "\x01\x1b[31m\x7f\u202e\ud800\udcff"  # control, escape, DEL, bidi override, lone halves
BYTE = "a\udcffb"  # the byte 0xFF of a command-line argument, as Python keeps it
USER = "eba64c48-745b-5c86-9a75-e3cce144c401"
KEY = {"DIXA_API_KEY": "k" * 24}
DIGITS = "9" * 5000


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    exit: int = 2
    stdin: bytes | None = None
    env: dict[str, str] = field(default_factory=dict)


def demo(*args: str, exit: int = 2, stdin: bytes | None = None) -> Case:
    return Case(("--demo", *args), exit, stdin)


def files() -> dict[str, bytes]:
    rng = random.Random(16)
    return {
        "binary.bin": bytes(rng.randrange(256) for _ in range(4096)),
        "empty": b"",
        "deep.json": b"[" * 100_000,
        "deepobj.json": b'{"data":' * 50_000,
        "bignum.json": b'{"data": [' + b"1" * 5000 + b"]}",
        "nan.json": b'{"data": [NaN]}',
        "notjson.json": b"hello, world",
        "nodata.json": b'{"data": 5}',
        "latin1.csv": b"conversation,order_number\n10001,caf\xe9\n",
        "nul.csv": b"conversation,order_number\n10001,a\x00b\n",
        "huge_line.csv": b"conversation,order_number\n10001," + b"x" * 3_000_000 + b"\n",
        "wide.csv": b",".join(b"c%d" % i for i in range(20_000)) + b"\n",
        "surrogate.jsonl": b'{"conversation": 10001, "set": {"order_number": "a\\ud800"}}\n',
        "bad.jsonl": (b'{"conversation": 10001, "set": {"order_number": "x"}}\n{not json\n'
                      + b"[" * 50_000 + b"\n" + b'{"conversation": ' + b"9" * 5000 + b"}\n"),
        "plan_version.json": b'{"kind": "dixa-tui bulk plan", "version": 99}',
    }


FILE_CASES = ["binary.bin", "empty", "deep.json", "deepobj.json", "bignum.json", "nan.json",
              "notjson.json", "nodata.json", "adir", "missing.json", "/dev/zero"]

CASES: dict[str, Case] = {
    # definitions list / show / export
    "list: unknown entity": demo("definitions", "list", "--entity", "robots"),
    "show: empty": demo("definitions", "show", ""),
    "show: huge": demo("definitions", "show", HUGE),
    "show: garbage": demo("definitions", "show", GARB),
    "show: a path": demo("definitions", "show", "../../etc/passwd"),
    "show: unknown uuid": demo("definitions", "show", "11111111-2222-4333-8444-555555555555"),
    "export: unknown format": demo("definitions", "export", "--format", "xml"),
    "export: to a folder": demo("definitions", "export", "-o", "{D}/adir"),
    "export: to nowhere": demo("definitions", "export", "-o", "/proc/no/such/x.json"),
    # diff and lint over bad files
    **{f"diff: {name}": demo("definitions", "diff", name if name.startswith("/") else
                             f"{{D}}/{name}", "profile:demo") for name in FILE_CASES},
    **{f"lint: {name}": demo("definitions", "lint", name if name.startswith("/") else
                             f"{{D}}/{name}") for name in FILE_CASES},
    "diff: a 3 MB line": demo("definitions", "diff", "{D}/huge_line.csv", "profile:demo"),
    "diff: unknown profile": demo("definitions", "diff", "profile:nope", "profile:demo"),
    "diff: bad date": demo("definitions", "diff", "profile:demo@2026-13-45", "profile:demo"),
    "diff: year 99999": demo("definitions", "diff", "profile:demo@99999-01-01", "profile:demo"),
    "diff: garbage": demo("definitions", "diff", "profile:" + GARB, GARB),
    "diff: huge": demo("definitions", "diff", HUGE, "profile:demo"),
    # usage: dates, conditions, samples
    **{f"usage: --created-since {when[:12]}": demo(
        "definitions", "usage", "--created-since", when, "--sample", "1")
       for when in ["2026-02-30", "soon", "9" * 400 + "d", DIGITS + "d", "1e309d", "-5d", GARB,
                    "2026-11-01T25:00", HUGE]},
    "usage: deep where": demo("definitions", "usage", "--where", "[" * 30_000, "--sample", "1"),
    "usage: huge where": demo("definitions", "usage", "--where", HUGE, "--sample", "1"),
    "usage: unknown status": demo("definitions", "usage", "--status", "nope", "--sample", "1"),
    "usage: sample 0": demo("definitions", "usage", "--sample", "0"),
    "usage: garbage queue": demo("definitions", "usage", "--queue", GARB, "--sample", "1"),
    # get
    **{f"get conversation {ref[:12]!r}": demo("get", "conversation", ref)
       for ref in ["0", "-1", DIGITS, "99999999999999999999", "\uff11\uff12\uff13", GARB, ""]},
    **{f"get enduser {ref[:16]!r}": demo("get", "enduser", ref)
       for ref in ["not-a-uuid", "phone:" + GARB, "email:" + BYTE, "ext:" + GARB, "ext:", "",
                   "email:"]},
    # patch
    "patch: 5,000-digit number": demo("patch", "conversation", "10001", "--set-json",
                                      "order_number=" + "1" * 5000),
    "patch: [ x 30,000": demo("patch", "conversation", "10001", "--set-json",
                              "order_number=" + "[" * 30_000),
    "patch: {'a': x 30,000": demo("patch", "conversation", "10001", "--set-json",
                                  "order_number=" + '{"a":' * 30_000),
    "patch: NaN": demo("patch", "conversation", "10001", "--set-json", "order_number=NaN"),
    "patch: 1e999": demo("patch", "conversation", "10001", "--set-json", "order_number=1e999"),
    "patch: lone surrogate": demo("patch", "conversation", "10001", "--set-json",
                                  'order_number="\\ud800"'),
    "patch: lone surrogate, dry run": demo("patch", "conversation", "10001", "--set-json",
                                           'order_number="\\ud800"', "--dry-run"),
    "patch: lone surrogate, forced": demo("patch", "conversation", "10001", "--set-json",
                                          'order_number="\\ud800"', "--force", exit=0),
    "patch: byte 0xFF": demo("patch", "conversation", "10001", "--set", "order_number=" + BYTE),
    "patch: byte 0xFF, dry run": demo("patch", "conversation", "10001", "--set",
                                      "order_number=" + BYTE, "--dry-run"),
    "patch: byte 0xFF, forced": demo("patch", "conversation", "10001", "--set",
                                     "order_number=" + BYTE, "--force", exit=0),
    "patch: garbage value": demo("patch", "conversation", "10001", "--set",
                                 "order_number=" + GARB),
    "patch: garbage Select path": demo("patch", "conversation", "10001", "--set",
                                       "contact_reason=" + GARB),
    "patch: 20,000-step path": demo("patch", "conversation", "10001", "--set",
                                    "contact_reason=" + "/".join(["x"] * 20_000)),
    "patch: garbage ident": demo("patch", "conversation", "10001", "--set", GARB + "=x"),
    "patch: empty ident": demo("patch", "conversation", "10001", "--set", "=x"),
    "patch: no =": demo("patch", "conversation", "10001", "--set", "noequals"),
    "patch: clear nothing": demo("patch", "conversation", "10001", "--clear", ""),
    "patch: clear huge": demo("patch", "conversation", "10001", "--clear", HUGE),
    "patch: conversation 0": demo("patch", "conversation", "0", "--set", "order_number=x"),
    "patch: 5,000-digit conversation": demo("patch", "conversation", DIGITS, "--set",
                                            "order_number=x"),
    "patch: no such conversation": demo("patch", "conversation", "424242", "--set",
                                        "order_number=x", exit=1),
    "patch: email with a bad byte": demo("patch", "enduser", "email:" + BYTE, "--set",
                                         "customer_tier=gold"),
    "patch: nobody's email": demo("patch", "enduser", "nobody@example.com", "--set",
                                  "customer_tier=gold"),
    "patch: wrong entity": demo("patch", "conversation", "10001", "--set",
                                "customer_tier=gold"),
    # find
    **{f"find: --created-since {when[:12]}": demo(
        "find", "conversations", "--created-since", when, "--limit", "1")
       for when in ["2026-02-30", "soon", DIGITS + "d", GARB, "2026-11-01T08:00+99:00",
                    "99999-01-01"]},
    "find: deep where": demo("find", "conversations", "--where", "[" * 30_000, "--limit", "1"),
    "find: unclosed quote": demo("find", "conversations", "--where", 'order_number is "x',
                                 "--limit", "1"),
    "find: garbage where": demo("find", "conversations", "--where", GARB, "--limit", "1"),
    "find: garbage columns": demo("find", "conversations", "--columns", GARB, "--limit", "1"),
    "find: unknown saved": demo("find", "conversations", "--saved", "nope"),
    "find: empty save name": demo("find", "conversations", "--save", "", "--limit", "1"),
    "find: garbage save name": demo("find", "conversations", "--save", GARB, "--limit", "1"),
    "find: two formats": demo("find", "conversations", "--csv", "--json"),
    "find: limit 0": demo("find", "conversations", "--limit", "0"),
    "find: garbage channel": demo("find", "conversations", "--channel", GARB, "--limit", "1"),
    "find: garbage text": demo("find", "conversations", "--text", GARB, "--limit", "1", exit=0),
    # history and undo
    **{f"history --target {t[:12]!r}": demo("history", "--target", t)
       for t in ["conversation:abc", "enduser:nope", "#", GARB, HUGE, "conversation:" + DIGITS]},
    **{f"history --since {s[:12]!r}": demo("history", "--since", s)
       for s in ["2026-02-30", DIGITS + "d", "9" * 40 + "d", GARB, "someday",
                 "2026-01-01T99:99"]},
    "history --limit -1": demo("history", "--limit", "-1"),
    "history --batch garbage": demo("history", "--batch", GARB),
    **{f"undo {u[:12]!r}": demo("undo", u, "--dry-run")
       for u in ["0", "-1", DIGITS, "99999999999999999999", "b-nope", GARB, "", "last", HUGE]},
    # bulk
    **{f"bulk plan {name}": demo("bulk", "plan", name if name.startswith("/") else
                                 f"{{D}}/{name}", "-o", "{D}/out.plan.json")
       for name in ["binary.bin", "empty", "latin1.csv", "nul.csv", "huge_line.csv", "wide.csv",
                    "bad.jsonl", "deep.json", "adir", "missing.csv", "notjson.json",
                    "/dev/zero"]},
    # a plan is written with the warning; `bulk apply` then needs --force
    "bulk plan: a lone surrogate": demo("bulk", "plan", "{D}/surrogate.jsonl", "-o",
                                        "{D}/out.plan.json", exit=0),
    "bulk plan: garbage on stdin": demo("bulk", "plan", "-", "-o", "{D}/out.plan.json",
                                        stdin=b"\x00\xff\xfe" * 1000),
    "bulk plan: [ x 100,000 on stdin": demo("bulk", "plan", "-", "--format", "jsonl", "-o",
                                            "{D}/out.plan.json", stdin=b"[" * 100_000),
    "bulk plan: plan to a folder": demo("bulk", "plan", "{D}/binary.bin", "-o", "{D}/adir"),
    **{f"bulk apply {name}": demo("bulk", "apply", name if name.startswith("/") else
                                  f"{{D}}/{name}", "--yes")
       for name in [*FILE_CASES, "plan_version.json"]},
    # global options, the config, the key
    "--base-url port 99999": Case(("--base-url", "http://127.0.0.1:99999", "definitions",
                                   "list"), env=KEY),
    "--base-url with a password": Case(("--base-url", "http://user:s3cret@127.0.0.1:9",
                                        "definitions", "list"), env=KEY),
    "--base-url garbage": Case(("--base-url", GARB, "definitions", "list"), env=KEY),
    "--base-url ftp": Case(("--base-url", "ftp://x", "definitions", "list"), env=KEY),
    "--base-url unclosed [": Case(("--base-url", "http://[::1", "definitions", "list"),
                                  env=KEY),
    "--profile garbage": Case(("--profile", GARB, "definitions", "list"), env=KEY),
    "key with line breaks": Case(("definitions", "list"), env={"DIXA_API_KEY": "k\nk" * 10}),
    "key with bytes": Case(("definitions", "list"), env={"DIXA_API_KEY": "\udcff" * 20}),
    **{f"config {name}": Case(("definitions", "list"),
                              env={**KEY, "DIXA_TUI_CONFIG": name if name.startswith("/")
                                   else f"{{D}}/{name}"})
       for name in ["/dev/zero", "binary.bin", "adir", "huge_line.csv", "deep.json",
                    "latin1.csv"]},
    "auth set: binary": Case(("auth", "set"), stdin=b"\x00\xff" * 10),
    "auth set: nothing": Case(("auth", "set"), stdin=b""),
    "auth set: 100,000 characters": Case(("auth", "set"), stdin=b"k" * 100_000),
    "auth set: two lines": Case(("auth", "set"), stdin=b"abcdefghijkl\nmnopqrstuvwx\n"),
    "auth status: garbage profile": Case(("--profile", GARB, "auth", "status")),
    # the mock
    **{f"mock serve --org {name}": Case(("mock", "serve", "--port", "0", "--org",
                                         name if name.startswith("/") else f"{{D}}/{name}"))
       for name in ["binary.bin", "deep.json", "bignum.json", "nan.json", "adir", "/dev/zero",
                    "missing.json", "notjson.json"]},
    **{f"mock serve {option} {value}": Case(("mock", "serve", "--port", "0", option, value))
       for option, value in [("--latency", "nan"), ("--rate-limit", "inf"),
                             ("--failure-rate", "nan"), ("--hold-writes", "inf"),
                             ("--hold-writes", "1e300"), ("--latency", "-1")]},
    "mock serve --port 99999": Case(("mock", "serve", "--port", "99999")),
    "mock serve --host garbage": Case(("mock", "serve", "--port", "0", "--host", GARB)),
}


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("bad")
    for name, data in files().items():
        (folder / name).write_bytes(data)
    (folder / "adir").mkdir()
    yield folder


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_is_never_a_bug(case: Case, bad_files: Path) -> None:
    args = [arg.replace("{D}", str(bad_files)) for arg in case.args]
    env = {k: v.replace("{D}", str(bad_files)) for k, v in case.env.items()}
    result = CliRunner().invoke(main, args, input=case.stdin, env=env)
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in output and "a bug in dixa-tui" not in output, output[-500:]
    assert result.exit_code == case.exit, output[-800:]
    if case.exit == 2:  # a sentence says what is wrong (a warning stops a send too)
        assert "Error" in output or "Warning:" in output, output[-500:]


def test_the_table_covers_every_command() -> None:
    """A command added later gets its bad inputs here too."""
    import click

    def leaves(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                yield from leaves(command, (*prefix, name))
            else:
                yield (*prefix, name)

    def command_of(args: tuple[str, ...]) -> tuple[str, ...]:
        group: click.Command = main
        path: list[str] = []
        for word in args:  # options and their values are skipped
            if isinstance(group, click.Group) and word in group.commands:
                path.append(word)
                group = group.commands[word]
        return tuple(path)

    covered = {command_of(c.args) for c in CASES.values()}
    missing = {" ".join(c) for c in leaves(main)} - {" ".join(c) for c in covered}
    assert missing <= {"auth clear", "find saved"}, sorted(missing)  # no argument to spoil
