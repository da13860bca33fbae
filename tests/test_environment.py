"""One environment, three descriptions kept in step: pyproject.toml (what is needed), uv.lock (the exact
versions `make` installs) and environment.yml (conda); and the running environment is the locked one."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import pytest
from conftest import PROJECT_ROOT
from packaging.markers import Marker, default_environment
from packaging.version import Version

NOT_PACKAGES = {"python", "pip"}
# The extras the README's two commands install (Makefile: `uv sync --frozen --extra dev`);
# `cluster` is locked but installed only on request, so environment.yml leaves it out too.
INSTALLED_EXTRAS = ("dev",)
PROJECT = "metroanalysis"


def name_of(requirement: str) -> str:
    """PEP 503 name of a requirement such as `pandas>=2.2` or `charset_normalizer==3`."""
    name = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)[1]
    return re.sub(r"[-_.]+", "-", name).lower()


def conda_entries() -> list[str]:
    """Every entry of environment.yml's dependencies, conda and pip alike, but the `-e .`."""
    text = (PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8")
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML comes with the notebook stack
        entries = re.findall(r"(?m)^\s*-\s+(?!pip:)(\S.*?)\s*(?:#.*)?$", text.split("dependencies:", 1)[1])
    else:
        entries = []
        for dep in yaml.safe_load(text)["dependencies"]:
            entries.extend(dep["pip"] if isinstance(dep, dict) else [dep])
    return [e for e in entries if not e.startswith("-e") and e.strip() not in (".",)]


def conda_packages() -> set[str]:
    return {name_of(e) for e in conda_entries()} - NOT_PACKAGES


def conda_pins() -> dict[str, str | None]:
    """environment.yml's packages and the version each is pinned to with `==` (None when not pinned so)."""
    pins = {}
    for entry in conda_entries():
        pinned = re.fullmatch(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*==\s*(\S+)\s*", entry)
        pins[name_of(entry)] = pinned[1] if pinned else None
    return {name: version for name, version in pins.items() if name not in NOT_PACKAGES}


def pyproject_packages() -> set[str]:
    """The project's dependencies and those of the extras the two commands install."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in INSTALLED_EXTRAS:
        requirements.extend(r for r in project["optional-dependencies"][extra] if not r.startswith(PROJECT))
    return {name_of(r) for r in requirements}


def read_lock() -> dict:
    return tomllib.loads((PROJECT_ROOT / "uv.lock").read_text(encoding="utf-8"))


def holds(marker: str | None, env: dict[str, str]) -> bool:
    return marker is None or Marker(marker).evaluate({"extra": "", **env})


def locked_versions(lock: dict, env: dict[str, str]) -> dict[str, str]:
    """Each locked package's version for the interpreter and platform `env` describes.

    uv locks for every platform and Python at once; where versions differ (numpy for 3.11 and for 3.12+)
    a package appears once per version, each with the `resolution-markers` it applies under.
    """
    versions: dict[str, str] = {}
    for package in lock["package"]:
        forks = package.get("resolution-markers")
        if forks is None or any(holds(m, env) for m in forks):
            name = package["name"]
            assert versions.get(name, package["version"]) == package["version"], f"two locked versions of {name}"
            versions[name] = package["version"]
    return versions


def required_by_lock(lock: dict, env: dict[str, str], extras: tuple[str, ...]) -> set[str]:
    """The packages `uv sync --extra …` installs into an interpreter `env` describes: the project, its
    dependencies and the extras' dependencies, followed through the lock and its markers."""
    packages = {}
    for package in lock["package"]:
        packages.setdefault(package["name"], []).append(package)
    versions = locked_versions(lock, env)

    def pick(dep: dict) -> dict:
        version = dep.get("version", versions.get(dep["name"]))
        return next(p for p in packages[dep["name"]] if p["version"] == version)

    required, seen = set(), set()
    todo = [(packages[PROJECT][0], None), *((packages[PROJECT][0], extra) for extra in extras)]
    while todo:
        package, extra = todo.pop()
        if (package["name"], extra) in seen:
            continue
        seen.add((package["name"], extra))
        required.add(package["name"])
        deps = package.get("dependencies", []) if extra is None else package["optional-dependencies"][extra]
        for dep in deps:
            if holds(dep.get("marker"), env):
                child = pick(dep)
                todo += [(child, None), *((child, e) for e in dep.get("extra", []))]
    return required


def installed_versions() -> dict[str, str]:
    return {name_of(d.metadata["Name"]): d.version for d in metadata.distributions()}


def python_of_environment_yml() -> str:
    text = (PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8")
    return re.search(r"(?m)^\s*-\s+python\s*=+\s*(\d+\.\d+)\s*$", text)[1]


def test_name_of():
    assert name_of("pandas>=2.2") == "pandas"
    assert name_of("charset_normalizer>=3") == "charset-normalizer"
    assert name_of("Pre.Commit ; python_version>'3'") == "pre-commit"
    assert name_of("python=3.11") == "python"


def test_environment_yml_and_pyproject_list_the_same_packages():
    conda, pip = conda_packages(), pyproject_packages()
    assert conda - pip == set(), "in environment.yml only"
    assert pip - conda == set(), "in pyproject.toml only"


def test_environment_installs_the_project_itself():
    text = (PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8")
    assert re.search(r"(?m)^\s*-\s+-e\s+\.\s*$", text)


@pytest.mark.parametrize("patch", ["0", "99"])
def test_environment_yml_pins_the_versions_uv_lock_gives_its_python(patch):
    """Every Python release conda may pick for `python=3.11` (the first and the newest patch release)."""
    python = python_of_environment_yml()
    env = {**default_environment(), "python_version": python, "python_full_version": f"{python}.{patch}"}
    env |= {"sys_platform": "linux", "platform_system": "Linux"}
    locked = locked_versions(read_lock(), env)
    wrong = {name: (pinned, locked.get(name)) for name, pinned in conda_pins().items() if pinned != locked.get(name)}
    expected = "\n".join(f"  - {name}=={locked.get(name)}" for name in wrong)
    assert wrong == {}, f"environment.yml (pinned, locked) differ; write:\n{expected}"


def test_the_cluster_extra_is_locked():
    project = next(p for p in read_lock()["package"] if p["name"] == PROJECT)
    locked = project["optional-dependencies"]["cluster"]
    assert [(d["name"], d.get("extra")) for d in locked] == [("dask", ["distributed"])]


def test_installed_versions_are_the_locked_ones():
    """What `make` installed (or whoever built this venv) is exactly uv.lock: every package the lock requires
    here, with the dev extra, is installed at its locked version, and so is any other locked package present."""
    lock, env = read_lock(), default_environment()
    locked, installed = locked_versions(lock, env), installed_versions()
    missing = sorted(required_by_lock(lock, env, INSTALLED_EXTRAS) - installed.keys())
    differ = {
        name: (installed[name], version)
        for name, version in locked.items()
        if name in installed and Version(installed[name]) != Version(version)
    }
    assert missing == [], "locked but not installed; run `make setup`"
    assert differ == {}, "(installed, locked) differ; run `make setup`"


TOY_LOCK = {
    "package": [
        {
            "name": PROJECT,
            "version": "0.1.0",
            "dependencies": [
                {"name": "numpy", "version": "1.0", "marker": "python_full_version < '3.12'"},
                {"name": "numpy", "version": "2.0", "marker": "python_full_version >= '3.12'"},
                {"name": "colorama", "marker": "sys_platform == 'win32'"},
            ],
            "optional-dependencies": {"dev": [{"name": "dask", "extra": ["distributed"]}], "cluster": []},
        },
        {"name": "numpy", "version": "1.0", "resolution-markers": ["python_full_version < '3.12'"]},
        {"name": "numpy", "version": "2.0", "resolution-markers": ["python_full_version >= '3.12'"]},
        {"name": "colorama", "version": "0.4"},
        {"name": "dask", "version": "1", "optional-dependencies": {"distributed": [{"name": "distributed"}]}},
        {"name": "distributed", "version": "1", "dependencies": [{"name": "tornado"}]},
        {"name": "tornado", "version": "6"},
        {"name": "unused", "version": "3"},
    ]
}
LINUX_311 = {"python_full_version": "3.11.7", "python_version": "3.11", "sys_platform": "linux"}
WINDOWS_312 = {"python_full_version": "3.12.1", "python_version": "3.12", "sys_platform": "win32"}


def test_locked_versions_take_the_fork_for_the_interpreter():
    assert locked_versions(TOY_LOCK, LINUX_311)["numpy"] == "1.0"
    assert locked_versions(TOY_LOCK, WINDOWS_312)["numpy"] == "2.0"


def test_required_by_lock_follows_markers_and_extras():
    assert required_by_lock(TOY_LOCK, LINUX_311, ()) == {PROJECT, "numpy"}
    assert required_by_lock(TOY_LOCK, WINDOWS_312, ()) == {PROJECT, "numpy", "colorama"}
    with_dev = {PROJECT, "numpy", "dask", "distributed", "tornado"}
    assert required_by_lock(TOY_LOCK, LINUX_311, ("dev",)) == with_dev
