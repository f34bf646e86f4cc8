"""``fake-api``: serve the bundled fake Admin API on loopback for demos and tests."""

from __future__ import annotations

import argparse

from ..core.errors import UsageError


def register(commands: argparse._SubParsersAction) -> None:
    from ..fake.faults import HELP

    parser = commands.add_parser("fake-api", help="serve the bundled fake Admin API on loopback",
                                 epilog=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port (default 8787; 0 picks a free one)")
    parser.add_argument("--seed", type=int, default=7, help="which fake organization (default 7)")
    parser.add_argument("--size", choices=("small", "demo", "large"), default="demo", help="how big an organization")
    parser.add_argument("--fault", metavar="SPEC", default="",
                        help="inject faults (kinds below), e.g. 'costs:429:retry-after=1:times=2,costs:500:after=3', "
                        "'projects:hostile:times=0', 'costs:drip:chunk=64:delay=1', 'costs:huge', 'costs:endless', "
                        "'costs:amount:value=1e400', 'costs:429:retry-after=999999999'")
    parser.add_argument("--reject-api-key-grouping", action="store_true",
                        help="answer group_by=api_key_id with 400, as some organizations do")
    parser.set_defaults(handler=cmd_fake_api)


def cmd_fake_api(args: argparse.Namespace) -> int:
    from ..core.base_url import is_loopback
    from ..fake.api import FakeAdminApi
    from ..fake.faults import FaultPlan
    from ..fake.org import FakeOrg
    from ..fake.server import serve_forever

    if not is_loopback(args.host):
        raise UsageError(f"--host {args.host} is not a loopback address; the fake API serves 127.0.0.1 or ::1 only")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number (0-65535)")
    try:
        faults = FaultPlan.parse(args.fault) if args.fault else None
    except ValueError as exc:
        raise UsageError(f"--fault: {exc}") from None
    api = FakeAdminApi(FakeOrg(args.seed, size=args.size), faults=faults,
                       reject_api_key_grouping=args.reject_api_key_grouping)

    def ready(base_url: str) -> None:
        print(f"Fake OpenAI Admin API (seed {args.seed}) at {base_url}", flush=True)
        print("Any sk-admin-... key works; sk-proj-... keys get 403. Ctrl+C stops.", flush=True)

    try:
        serve_forever(api, args.host, args.port, on_ready=ready)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        print("Stopped.")
    return 0
