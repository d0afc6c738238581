"""The documentation a clone carries: nothing points outside the repository, every link resolves, and
the README's walk-through uses the demo data the way it says."""

from __future__ import annotations

import re
from pathlib import Path

from phonesvc.domain.groups import GROUP_PARAMS
from phonesvc.store import demo

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".git", ".venv", "node_modules", "__pycache__", "phonesvc-data", ".ruff_cache", ".pytest_cache"}
TEXT = {".md", ".py", ".yaml", ".yml", ".toml", ".sh", ".txt", ".xml", ".xsd", ".cfg", ".ini"}
# The project's working folder next to the checkout (design notes, manuals, references) that a clone lacks.
OUTSIDE = re.compile(r"\.\./" + "shared" + r"\b|\b" + "shared" + r"/(?:seeds|reference|DESIGN)")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def repo_files(suffixes: set[str]) -> list[Path]:
    return sorted(p for p in ROOT.rglob("*") if p.is_file() and p.suffix in suffixes
                  and not SKIP.intersection(p.relative_to(ROOT).parts)
                  and not any(part.endswith(".egg-info") for part in p.relative_to(ROOT).parts))


def test_no_file_points_outside_the_repository():
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in repo_files(TEXT)
             for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
             if OUTSIDE.search(line)]
    assert found == []


def test_every_relative_link_in_the_docs_resolves_inside_the_repository():
    broken = []
    for page in repo_files({".md"}):
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:|#", target):
                continue  # a web address or an anchor on the same page
            path = (page.parent / target.split("#")[0]).resolve()
            if not path.exists() or ROOT not in path.parents:
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert broken == []


def test_the_readme_routes_a_caller_who_is_on_no_vip_list():
    """The routing walk-through shows the plain call flow, which a VIP caller would not follow."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    manager_numbers = {"8973", "8974"}  # the demo groups' manager numbers (route points)
    routed = [caller for caller, called in re.findall(r"phonesvc sim call (\S+) (\S+)", readme)
              if called in manager_numbers]
    assert routed, "the README has no routed call"
    vip_numbers = {number for number, _description in demo.VIP_LIST}
    threshold = next(p.default for p in GROUP_PARAMS if p.column == "vip_threshold")
    users = {line: stars for _u, _f, _l, line, _d, stars in demo.PEOPLE}
    for caller in routed:
        assert caller not in vip_numbers, caller
        assert caller not in users or users[caller] < threshold, caller
