"""Compiled page templates kept on disk (`publish.templatecache`): the next process reads what the
first compiled, an edited template is compiled again, and a cache that cannot be used never fails
or changes a page. Both the report pages (nbconvert's exporter) and the index pages use it."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest
from jinja2 import bccache
from test_export import executed

from metroanalysis.publish import export, site, templatecache


def environment(templates: Path, cache) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), autoescape=True, bytecode_cache=cache)


@pytest.fixture
def compiled(monkeypatch) -> list[str]:
    """The names of the templates compiled from their source (not read from a cache)."""
    names: list[str] = []
    real = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, *args, **kwargs):
        names.append(name)
        return real(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


@pytest.fixture
def templates(tmp_path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.j2").write_text("<p>{{ x }}</p>", encoding="utf-8")
    return folder


def render(templates: Path, cache_root: Path, x: str = "<b>") -> str:
    """One page, as a new process would render it: a new environment, a new cache object."""
    return environment(templates, templatecache.kept_templates("pages", cache_root)).get_template("page.j2").render(x=x)


def test_a_template_compiled_once_is_read_back_by_the_next_environment(templates, tmp_path, compiled):
    assert render(templates, tmp_path / "cache") == "<p>&lt;b&gt;</p>"
    assert render(templates, tmp_path / "cache") == "<p>&lt;b&gt;</p>"
    assert compiled == ["page.j2"]


def test_an_edited_template_is_compiled_again(templates, tmp_path, compiled):
    render(templates, tmp_path / "cache")
    (templates / "page.j2").write_text("<div>{{ x }}</div>", encoding="utf-8")
    assert render(templates, tmp_path / "cache") == "<div>&lt;b&gt;</div>"
    assert compiled == ["page.j2", "page.j2"]


DAMAGE = {
    "truncated": lambda data: data[: len(data) // 2],
    "checksum": lambda data: data[: len(bccache.bc_magic)] + b"\x80\x04garbage",  # jinja lets pickle's error out
    "garbage": lambda data: b"\x00\xff" * 50,
    "empty": lambda data: b"",
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_entry_is_compiled_again(templates, tmp_path, compiled, damage):
    render(templates, tmp_path / "cache")
    (entry,) = (tmp_path / "cache").rglob("*.cache")
    entry.write_bytes(DAMAGE[damage](entry.read_bytes()))
    assert render(templates, tmp_path / "cache") == "<p>&lt;b&gt;</p>"
    assert compiled == ["page.j2", "page.j2"]


def test_a_cache_that_cannot_be_made_or_written_leaves_the_page_as_it_was(templates, tmp_path, compiled):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert templatecache.kept_templates("pages", blocked) is None  # cannot be made: no cache
    assert render(templates, blocked) == "<p>&lt;b&gt;</p>"
    # made, then gone before the compiled template is written (root ignores a read-only folder)
    cache = templatecache.kept_templates("pages", tmp_path / "gone")
    (tmp_path / "gone").rename(tmp_path / "moved")
    assert environment(templates, cache).get_template("page.j2").render(x="<b>") == "<p>&lt;b&gt;</p>"
    assert compiled == ["page.j2", "page.j2"]


def test_each_kind_of_environment_and_each_jinja_and_python_keep_their_own_entries(tmp_path):
    ours = Path(templatecache.kept_templates("pages", tmp_path).directory)
    theirs = Path(templatecache.kept_templates("nbconvert-7.17.2", tmp_path).directory)
    assert ours != theirs and ours.parent == theirs.parent
    assert ours.parent.name == f"jinja-{jinja2.__version__}-py{sys.version_info.major}.{sys.version_info.minor}"


def test_the_report_and_index_pages_keep_their_compiled_templates(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(export, "_EXPORTERS", {})  # made again, with the cache under tmp_path
    site.environment.cache_clear()  # made again, with the cache under tmp_path; and after the test
    try:
        task = SimpleNamespace(month="2021-04", lang="zh", synthetic=False)
        export.write_report(executed(), tmp_path / "zh" / "01.html", task)
        site.compile_month_pages()
    finally:
        site.environment.cache_clear()
    kept = tmp_path / "xdg" / "metroanalysis" / "templates"
    (version,) = kept.iterdir()
    folders = {p.name: len(list(p.glob("*.cache"))) for p in version.iterdir()}
    import nbconvert

    assert folders[f"nbconvert-{nbconvert.__version__}"] >= 5  # the lab templates and ours
    assert folders["pages"] == len(("month.html.j2", "months.html.j2", *site.PAGE_PARTS))
