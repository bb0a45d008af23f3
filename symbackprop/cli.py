"""The command line: ``symbackprop verify|derive|build``.

Exit codes: 0 every applicable closed form holds, 1 one fails (with a
counterexample), 2 bad input (one line naming the file, field and fix).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from symbackprop.errors import SymbackpropError
from symbackprop.files import OutputFolder
from symbackprop.formulas import derived_formulas
from symbackprop.notation import NOTATIONS
from symbackprop.spec import Spec, load_spec, spec_from_dict
from symbackprop.text import derivation_text, verification_table
from symbackprop.verification import EXACT_LIMIT, EXAMPLES, METHODS, verify


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symbackprop",
        description="Derive, verify and teach backpropagation for a fully-connected network.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser, spec_optional: bool = False) -> None:
        if spec_optional:
            p.add_argument("spec", nargs="?", help="the network spec (TOML); default: the built-in network")
        else:
            p.add_argument("spec", help="the network spec (TOML)")
        p.add_argument("--notation", choices=sorted(NOTATIONS), help="verify/write in this notation")

    p = sub.add_parser("verify", help="derive and check BP1-BP4 and the input gradient")
    common(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--methods", nargs="+", choices=METHODS, help="methods to run (default: all that fit)")
    p.add_argument("--examples", type=int, default=EXAMPLES, help=f"examples in the batch (default {EXAMPLES})")
    p.add_argument(
        "--exact-limit",
        type=int,
        default=EXACT_LIMIT,
        help=f"skip the exact method above this many parameters x examples (default {EXACT_LIMIT})",
    )

    p = sub.add_parser("derive", help="print the derived gradients")
    common(p)

    p = sub.add_parser("build", help="the main job: derive and verify into a folder")
    common(p, spec_optional=True)
    p.add_argument("-o", "--output", default="symbackprop-build", help="folder to write into")
    p.add_argument("--force", action="store_true", help="overwrite files even if they were edited")
    return parser


def _load(path: str | None) -> Spec:
    if path is None:
        from symbackprop.defaults import DEFAULT_SPEC

        return spec_from_dict(DEFAULT_SPEC, source="<built-in default>")
    return load_spec(path)


def _verify(args) -> int:
    spec = _load(args.spec)
    if args.examples < 1:
        raise SystemExit(_fail("--examples: must be a positive integer"))
    report = verify(
        spec, notation=args.notation, methods=args.methods, examples=args.examples, exact_limit=args.exact_limit
    )
    print(report.to_json() if args.json else verification_table(report))
    return 0 if report.ok else 1


def _derive(args) -> int:
    spec = _load(args.spec)
    notation = args.notation or spec.notation
    print(derivation_text(spec, derived_formulas(spec, notation), notation))
    return 0


def _build(args) -> int:
    spec = _load(args.spec)
    notation = args.notation or spec.notation
    out = OutputFolder(args.output, force=args.force)
    names = ["spec.json", "derivation.txt", "verification.txt", "verification.json"]
    for name in names:
        out.check(name)  # refuse before doing any work
    timings = {}
    start = time.perf_counter()
    text = derivation_text(spec, derived_formulas(spec, notation), notation)
    timings["derive"] = time.perf_counter() - start
    start = time.perf_counter()
    report = verify(spec, notation=notation)
    timings["verify"] = time.perf_counter() - start
    written = [
        out.write("spec.json", json.dumps(spec.to_dict(), indent=2) + "\n"),
        out.write("derivation.txt", text + "\n"),
        out.write("verification.txt", verification_table(report) + "\n"),
        out.write("verification.json", report.to_json() + "\n"),
    ]
    print(text)
    print()
    print(verification_table(report))
    print()
    print(f"build: {spec.name} ({spec.source}) into {out.folder}/")
    for stage, seconds in timings.items():
        print(f"  {stage:<8} {seconds:6.2f} s")
    for path in written:
        print(f"  wrote {path}")
    print("  every applicable closed form holds" if report.ok else "  SOME CHECKS FAIL: see verification.txt")
    return 0 if report.ok else 1


def _fail(message: str) -> int:
    print(f"symbackprop: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = {"verify": _verify, "derive": _derive, "build": _build}[args.command]
    try:
        return command(args)
    except SymbackpropError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return _fail("interrupted; files written so far are complete")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
