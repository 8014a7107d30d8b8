"""Hostile text in posts stays text: every probe in tests/fixtures/browser/ must stay inert.

The probes call ``__xss(name)`` (and ``alert``), which the page fixture watches on
every page; these tests also audit the DOM for anything that could run later.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

BODY_PROBES = "posts/xss-markdown-body/"
FRONT_MATTER_PROBES = "posts/xss-front-matter/"

# Everything in the document that could run script now or on a click/hover.
AUDIT = """() => {
  const problems = [];
  const root = new URL(document.querySelector('link[rel="manifest"]').href, location.href);
  for (const script of document.querySelectorAll("script")) {
    const src = script.getAttribute("src");
    if (!src || !new URL(src, location.href).pathname.startsWith(new URL("static/js/", root).pathname)) {
      problems.push("script not from the theme: " + script.outerHTML.slice(0, 80));
    }
  }
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) problems.push("handler " + attr.name + " on <" + el.localName + ">");
      if (attr.name === "srcdoc") problems.push("srcdoc on <" + el.localName + ">");
    }
  }
  for (const el of document.querySelectorAll("[href], [src], [action], [formaction], [data]")) {
    for (const name of ["href", "src", "action", "formaction", "data"]) {
      const value = el.getAttribute(name);
      if (value === null) continue;
      const protocol = new URL(value, location.href).protocol;
      if (!["http:", "https:", "mailto:"].includes(protocol)) {
        problems.push(name + "=" + value + " on <" + el.localName + ">");
      }
    }
  }
  for (const el of document.querySelectorAll("main iframe, main object, main embed, main svg, main style, main form")) {
    problems.push("<" + el.localName + "> in the content");
  }
  return problems;
}"""


def _audit(page: Page) -> None:
    assert page.evaluate(AUDIT) == []
    assert page.evaluate("window.__xssFired") == []


def test_body_probes_are_shown_as_text(page: Page) -> None:
    page.goto(BODY_PROBES)
    body = page.locator(".post-body")
    expect(body).to_contain_text("<script>__xss('script-block')</script>")
    expect(body).to_contain_text("<svg onload=\"__xss('svg-onload')\">")
    expect(body).to_contain_text("[plain javascript](javascript:__xss('md-link'))")
    _audit(page)


def test_body_probes_stay_inert_when_clicked_and_hovered(page: Page) -> None:
    page.goto(BODY_PROBES)
    links = page.locator(".post-body a")
    for index in range(links.count()):
        link = links.nth(index)
        link.hover()
        # Stay on the page: a followed external link would leave loopback.
        link.evaluate("a => a.addEventListener('click', e => e.preventDefault())")
        link.click()
    _audit(page)


def test_front_matter_probes_are_text_on_the_post(page: Page) -> None:
    page.goto(FRONT_MATTER_PROBES)
    expect(page.locator("h1")).to_contain_text(
        "<script>__xss('fm-title')</script> Front matter probes"
    )
    expect(page.locator(".post-header")).to_contain_text("<img src=x onerror=__xss('fm-summary')>")
    expect(page.locator(".post-header")).to_contain_text("<svg onload=__xss('fm-author')>")
    assert "<script>" in page.title()
    _audit(page)


@pytest.mark.parametrize(
    "url",
    ["topics/git-basics/", "contributions/", "stepping-stones/"],
)
def test_front_matter_probes_are_text_where_posts_are_listed(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("main")).to_contain_text("__xss('fm-title')")
    _audit(page)


def test_search_results_keep_probes_as_text(page: Page) -> None:
    page.goto("")
    box = page.get_by_role("combobox", name="Search the pebbles")
    box.click()
    box.fill("xssmarker")
    results = page.locator(".search-results a")
    expect(results).to_have_count(2)
    expect(results.filter(has_text="__xss('fm-title')")).to_have_count(1)
    _audit(page)


def test_markdown_link_schemes_never_become_links(page: Page) -> None:
    page.goto(BODY_PROBES)
    hrefs = page.locator(".post-body a").evaluate_all("links => links.map(a => a.protocol)")
    assert set(hrefs) <= {"http:", "https:"}


def test_audit_catches_planted_problems(page: Page) -> None:
    # The audit above must be able to fail: plant one of each kind and count them.
    page.goto(BODY_PROBES)
    page.evaluate(
        """() => {
          const body = document.querySelector(".post-body");
          const link = document.createElement("a");
          link.setAttribute("href", "javascript:void 0");
          const bold = document.createElement("b");
          bold.setAttribute("onmouseover", "void 0");
          const script = document.createElement("script");
          script.type = "text/plain";
          body.append(link, bold, script, document.createElementNS("http://www.w3.org/2000/svg", "svg"));
        }"""
    )
    assert len(page.evaluate(AUDIT)) == 4
