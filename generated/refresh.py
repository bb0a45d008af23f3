"""Regenerate the checked-in modules in generated/ from their specs in examples/.

    python generated/refresh.py           # rewrite every module
    python generated/refresh.py --check   # exit 1 if any module differs from what the generator writes today

tests/test_generated.py runs the same comparison.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from symbackprop.emission.module import generate_source
from symbackprop.files import write_atomic
from symbackprop.spec.load import load_spec

ROOT = Path(__file__).resolve().parent.parent
#: The reference specs (examples/NAME.toml -> generated/NAME.py).
REFERENCES = ("nielsen_ch1", "nielsen_ch3", "ufldl_qa", "blog", "softmax", "swish")


def expected() -> dict[Path, str]:
    """What each checked-in module should contain today."""
    return {
        ROOT / "generated" / f"{name}.py": generate_source(load_spec(ROOT / "examples" / f"{name}.toml"))
        for name in REFERENCES
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; write nothing")
    args = parser.parse_args()
    stale = []
    for path, text in expected().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            write_atomic(path, text)
            print(f"wrote {path.relative_to(ROOT)}")
    if args.check and stale:
        print("stale: " + ", ".join(str(p.relative_to(ROOT)) for p in stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
