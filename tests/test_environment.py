"""environment.yml (conda) and pyproject.toml (pip) list the same packages."""

from __future__ import annotations

import re
import tomllib

from conftest import PROJECT_ROOT

NOT_PACKAGES = {"python", "pip"}


def name_of(requirement: str) -> str:
    """PEP 503 name of a requirement such as `pandas>=2.2` or `charset_normalizer==3`."""
    name = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)[1]
    return re.sub(r"[-_.]+", "-", name).lower()


def conda_packages() -> set[str]:
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
    entries = [e for e in entries if not e.startswith("-e") and e.strip() not in (".",)]
    return {name_of(e) for e in entries} - NOT_PACKAGES


def pyproject_packages() -> set[str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements.extend(r for r in extra if not r.startswith("metroanalysis"))
    return {name_of(r) for r in requirements}


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
