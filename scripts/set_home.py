"""Set the book's public home: ``repository.url`` and ``repository.branch`` in _config.yml.

That one setting drives the repository button and every chapter's Binder link. The publishing
workflow runs this with the repository and default branch it runs in, so a copy of the book
published from any GitHub repository links to itself, not to the placeholder in the file:

    python3 scripts/set_home.py https://github.com/OWNER/NAME main

Only the two lines change; comments and everything else in the file stay as they are. Needs
nothing beyond Python's standard library, so it runs before the project's environment exists.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / "_config.yml"
GITHUB_HOME = re.compile(r"https://github\.com/[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9._-]+")
BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


def set_home(text: str, url: str, branch: str, source: str = "_config.yml") -> str:
    """Return the config text with the home's two values replaced, or say where it is wrong."""
    if not GITHUB_HOME.fullmatch(url):
        raise ValueError(f"{url!r} is not a GitHub repository address (https://github.com/OWNER/NAME)")
    if not BRANCH.fullmatch(branch):
        raise ValueError(f"{branch!r} is not a branch name")
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.rstrip() == "repository:"]
    if len(starts) != 1:
        raise ValueError(f"{source}: expected one top-level 'repository:' block, "
                         f"found {len(starts)}")
    wanted = {"url": url, "branch": branch}
    found: set[str] = set()
    for i in range(starts[0] + 1, len(lines)):
        if lines[i].strip() and not lines[i].startswith((" ", "#")):
            break  # the next top-level key ends the block
        key = re.match(r"(\s+)(url|branch):", lines[i])
        if key:
            indent, name = key.groups()
            lines[i] = f"{indent}{name}: {wanted[name]}\n"
            found.add(name)
    missing = sorted(set(wanted) - found)
    if missing:
        line = starts[0] + 1
        raise ValueError(f"{source}, line {line}: the repository block has no {', '.join(missing)}")
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="https://github.com/OWNER/NAME")
    parser.add_argument("branch", help="the branch Binder opens, usually the default branch")
    parser.add_argument("--config", type=Path, default=CONFIG)
    args = parser.parse_args(argv)
    try:
        updated = set_home(args.config.read_text(encoding="utf-8"), args.url, args.branch,
                           str(args.config))
    except ValueError as error:
        print(f"set_home: {error}", file=sys.stderr)
        return 2
    args.config.write_text(updated, encoding="utf-8")
    print(f"{args.config.name}: the book's home is {args.url} ({args.branch})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
