"""The house's layers point one way: handlers/ use bot/; features never talk to Slack."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FEATURES = (
    "accounts", "contacts", "promises", "cases", "digest", "transfer", "story", "assessment",
    "home",
)
SLACK = ("slack_sdk", "slack_bolt", "bot.gateway", "bot.directory", "bot.steward", "handlers")
ENTRY = ("bot/cli.py", "bot/serve.py")  # `steward serve` builds the app: handlers/app.py
LINES = 420  # "fits in a head": about 400 lines a module


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at any depth (lazy imports inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def module_path(name: str) -> Path | None:
    """Our module's file for a dotted name, or None when it is not ours (or not a module)."""
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def reachable(path: Path) -> set[str]:
    """Every module `path` imports, and everything our own modules among them import, on."""
    seen: set[str] = set()
    todo = [path]
    done: set[Path] = set()
    while todo:
        current = todo.pop()
        if current in done:
            continue
        done.add(current)
        for name in imports(current):
            seen.add(name)
            found = module_path(name)
            if found is not None:
                todo.append(found)
    return seen


def modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def reaches(names: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == b or n.startswith(b + ".") for b in banned))


def feature_modules() -> list[Path]:
    return [p for f in FEATURES if (ROOT / "bot" / f).is_dir() for p in modules(f"bot/{f}")]


@pytest.mark.parametrize("path", feature_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_features_import_nothing_from_slack(path: Path) -> None:
    """Not directly, nor through any module of ours they import."""
    assert reaches(reachable(path), SLACK) == []


@pytest.mark.parametrize("path", modules("bot"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_domain_never_imports_handlers_or_dev_tooling(path: Path) -> None:
    relative = path.relative_to(ROOT).as_posix()
    if relative.startswith("bot/dev/") or relative in ENTRY:
        return  # the entry point and the tooling load the app to serve it
    assert reaches(imports(path), ("handlers", "bot.dev")) == []


def test_features_are_folders_and_the_old_modules_are_gone() -> None:
    for feature in ("accounts", "contacts", "promises"):
        assert (ROOT / "bot" / feature / "service.py").is_file()
    for old in ("render.py", "modals.py", "services", "app.py"):
        assert not (ROOT / "bot" / old).exists(), old


@pytest.mark.parametrize(
    "path", modules("bot", "handlers", "scheduler"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_module_fits_in_a_head(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= LINES
