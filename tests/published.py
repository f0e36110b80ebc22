"""The file set `pulumi policy publish` uploads for a Python pack, computed the way the CLI does.

pulumi/pulumi ``pkg/backend/httpstate/policypack.go`` ``Publish``: for a runtime other than
nodejs the tarball is ``archive.TGZ(pwd, "package", true)`` of the pack directory.
``sdk/go/common/util/archive/archive.go`` ``addDirectoryToTar``: walks every directory (a
directory itself is never skipped), adds each directory's ``.gitignore``, at the root also every
``.gitignore`` above it up to the filesystem root, and each directory's ``.git``; a regular file
(symlinks followed) is left out when any of those ignorers matches its full path. Each ignorer
(``ignorer_gitignore.go``) matches the path with its own directory trimmed off (``/sub/file``)
using sabhiram/go-gitignore (``ignore.go``), whose line-to-regex conversion is ported below as
it is, quirks included: it is what the CLI runs, not git. ``installRequiredPolicy`` then unpacks
``package/`` as the installed pack's directory.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

GITIGNORE = ".gitignore"
MAGIC_STAR = "#$~"


def _pattern(line: str) -> tuple[re.Pattern[str], bool] | None:
    """go-gitignore ``getPatternFromLine``: (regex, negated), or None for a blank or comment line."""
    line = line.rstrip("\r")
    if line.startswith("#"):
        return None
    line = line.strip(" ")
    if not line:
        return None
    negate = line[0] == "!"
    if negate:
        line = line[1:]
    if re.match(r"^(#|!)", line):
        line = line[1:]
    if re.search(r"([^/+])/.*\*\.", line) and line[0] != "/":
        line = "/" + line
    line = line.replace(".", r"\.")
    if line.startswith("/**/"):
        line = line[1:]
    line = line.replace("/**/", "(/|/.+/)")
    line = line.replace("**/", f"(|.{MAGIC_STAR}/)")
    line = line.replace("/**", f"(|/.{MAGIC_STAR})")
    line = line.replace(r"\*", "\\" + MAGIC_STAR)
    line = line.replace("*", "([^/]*)")
    line = line.replace("?", r"\?")
    line = line.replace(MAGIC_STAR, "*")
    expr = line + ("(|.*)$" if line.endswith("/") else "(|/.*)$")
    expr = "^(|/)" + expr[1:] if expr.startswith("/") else "^(|.*/)" + expr
    return re.compile(expr), negate


@dataclass(frozen=True)
class Ignorer:
    """One ``.gitignore``: its directory and its patterns (``gitIngoreIgnorer``)."""

    root: str
    patterns: tuple[tuple[re.Pattern[str], bool], ...]

    @classmethod
    def load(cls, path: Path) -> Ignorer:
        lines = path.read_text(encoding="utf-8").split("\n")
        return cls(str(path.parent), tuple(p for p in map(_pattern, lines) if p is not None))

    def ignores(self, full: str) -> bool:
        relative = full.removeprefix(self.root)  # strings.TrimPrefix: a plain prefix, as in Go
        matched = False
        for regex, negate in self.patterns:
            if regex.search(relative):  # Go's MatchString: the expression is anchored itself
                if not negate:
                    matched = True
                elif matched:
                    matched = False
        return matched


def published_files(pack: Path) -> list[str]:
    """The paths (relative to ``pack``, '/'-separated) `pulumi policy publish` would upload."""
    root = pack.resolve()
    ignorers: list[Ignorer] = []
    parent = root.parent
    while parent != parent.parent:  # every .gitignore above the pack, up to the filesystem root
        if (parent / GITIGNORE).is_file():
            ignorers.append(Ignorer.load(parent / GITIGNORE))
        parent = parent.parent
    found: list[str] = []
    _walk(root, root, ignorers, found)
    return sorted(found)


def _walk(root: Path, directory: Path, ignorers: list[Ignorer], found: list[str]) -> None:
    own = list(ignorers)
    if (directory / GITIGNORE).is_file():
        own.append(Ignorer.load(directory / GITIGNORE))
    git = directory / ".git"
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        full = os.path.join(directory, entry.name)
        if git.exists() and (full == str(git) or full.startswith(str(git) + os.sep)):
            continue  # the default exclusion of each directory's .git
        if not entry.is_dir(follow_symlinks=False) and any(i.ignores(full) for i in own):
            continue
        if entry.is_dir(follow_symlinks=True):
            _walk(root, Path(full), own, found)
        elif entry.is_file(follow_symlinks=True):
            found.append(Path(full).relative_to(root).as_posix())


def unpack(pack: Path, target: Path) -> list[str]:
    """Copy the published file set of ``pack`` to ``target``, as the CLI's install unpacks it."""
    files = published_files(pack)
    for name in files:
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(pack / name, destination)
    return files
