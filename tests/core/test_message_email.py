"""The email variant: inlined CSS, escaped text, a readable text part, nothing fetched."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import time

import css_inline
import pytest
from lxml.html import document_fromstring

from omnidesk.core.messages.email import (
    UNSUBSCRIBE_PLACEHOLDERS,
    EmailParts,
    body_from_text,
    render_email,
    text_part,
)

ADDRESS = "Corner Bakery, 12 Main Street, Springfield, IL 62701, USA"
FOOTER = f"<p>{ADDRESS}</p>"
BODY_TEXT = (
    "Hi {first_name|there},\n\n"
    "Our spring sale starts now: 20% off everything with code SPRING20.\n"
    "Shop at https://shop.example/sale?utm_source=email&utm_medium=email (today only).\n\n"
    "See you soon!"
)


def render(**overrides) -> EmailParts:
    args = dict(subject="Spring sale", preheader="20% off everything this week",
                body_html=body_from_text(BODY_TEXT), footer_html=FOOTER, brand_color="#c2410c")
    args.update(overrides)
    return render_email(**args)


@pytest.fixture
def no_network(monkeypatch):
    """Any Python-level attempt to reach the network fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


def test_css_is_inlined_and_no_style_block_is_left(no_network):
    parts = render()
    tree = document_fromstring(parts.html)
    assert tree.xpath("//style") == []
    paragraphs = tree.xpath("//td[contains(@class, 'content')]//p")
    assert paragraphs and all("margin: 0 0 16px 0" in p.get("style") for p in paragraphs)
    container = tree.xpath("//table[contains(@class, 'container')]")[0]
    assert "max-width: 600px" in container.get("style")
    assert "border-top: 4px solid #c2410c" in container.get("style")
    link = tree.xpath("//td[contains(@class, 'content')]//a")[0]
    assert link.get("href") == "https://shop.example/sale?utm_source=email&utm_medium=email"
    assert "color: #c2410c" in link.get("style")
    # Layout by tables, which every client renders; Outlook gets its fixed 600 px column.
    assert tree.xpath("//table[@role='presentation']")
    assert "<!--[if mso]>" in parts.html
    assert parts.html.startswith("<!DOCTYPE html>")


def test_preheader_is_a_hidden_span_before_the_body():
    parts = render()
    tree = document_fromstring(parts.html)
    span = tree.xpath("//span[contains(@class, 'preheader')]")[0]
    assert span.text_content().startswith("20% off everything this week")
    assert "display: none" in span.get("style")
    body = tree.xpath("//body")[0]
    assert body.index(span) == 0
    assert parts.preheader == "20% off everything this week"
    assert "20% off everything this week" not in parts.text  # hidden in HTML, absent from text


def test_footer_has_the_address_and_the_unsubscribe_placeholder():
    for style, placeholder in UNSUBSCRIBE_PLACEHOLDERS.items():
        parts = render(unsubscribe=style)
        footer = document_fromstring(parts.html).xpath("//td[contains(@class, 'footer')]")[0]
        assert ADDRESS in footer.text_content()
        assert [a.get("href") for a in footer.iter("a")] == [placeholder]
        assert placeholder in parts.text
        assert ADDRESS in parts.text
    assert "*|UNSUB|*" in render(unsubscribe="mailchimp").html
    assert "{{unsubscribe_url}}" in render(unsubscribe="generic").html


def test_footer_that_already_links_the_placeholder_gets_no_second_link():
    footer = f'{FOOTER}<p><a href="*|UNSUB|*">Stop these emails</a></p>'
    parts = render(footer_html=footer)
    assert parts.html.count("*|UNSUB|*") == 1
    assert "Stop these emails (*|UNSUB|*)" in parts.text


def test_hostile_text_is_escaped_in_html_and_kept_readable_in_text():
    name = 'Eve <script>alert("x")</script><img src=x onerror=alert(1)>'
    parts = render(body_html=body_from_text(f"Hello {name},\n\nWelcome."),
                   subject='Deal <b>now</b>\r\nBcc: victim@example.com')
    tree = document_fromstring(parts.html)
    assert tree.xpath("//script") == [] and tree.xpath("//img") == []
    assert "&lt;script&gt;" in parts.html
    assert "onerror=alert(1)&gt;" in parts.html
    assert f"Hello {name}," in parts.text  # plain text shows what was typed, harmlessly
    # A subject is one line: a line break could add a header in a sending tool.
    assert parts.subject == "Deal <b>now</b> Bcc: victim@example.com"
    assert "<title>Deal &lt;b&gt;now&lt;/b&gt; Bcc: victim@example.com</title>" in parts.html


def test_text_part_is_readable_with_links_as_text_and_address():
    parts = render()
    assert parts.text == textwrap.dedent("""\
        Hi {first_name|there},

        Our spring sale starts now: 20% off everything with code SPRING20.
        Shop at https://shop.example/sale?utm_source=email&utm_medium=email (today only).

        See you soon!

        Corner Bakery, 12 Main Street, Springfield, IL 62701, USA

        Unsubscribe (*|UNSUB|*)
        """)


def test_text_part_writes_each_link_after_its_text():
    document = ('<p>Visit <a href="https://shop.example/?a=1&amp;b=2">our shop</a> or '
                '<a href="mailto:hello@shop.example">hello@shop.example</a> or '
                '<a href="mailto:hi@shop.example">write</a>.</p><p><a href="#top">Top</a></p>')
    assert text_part(document) == (
        "Visit our shop (https://shop.example/?a=1&b=2) or hello@shop.example or write (hi@shop.example).\n\n"
        "Top\n"
    )


def test_body_from_text_paragraphs_breaks_and_links():
    html = body_from_text("First line\r\nsecond line\n\n\n  \nNext: www.shop.example/a_b, or "
                          "(https://x.example/p?q=1&r=(2)). javascript:alert(1)")
    assert html == (
        "<p>First line<br>\nsecond line</p>\n"
        '<p>Next: <a href="https://www.shop.example/a_b">www.shop.example/a_b</a>, or '
        '(<a href="https://x.example/p?q=1&amp;r=(2)">https://x.example/p?q=1&amp;r=(2)</a>). '
        "javascript:alert(1)</p>"
    )
    assert body_from_text("  \n\n ") == ""
    assert body_from_text('"><a href="javascript:alert(1)">x</a>') == (
        "<p>&quot;&gt;&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;</p>")


def test_a_quote_cannot_leave_a_linked_address():
    html = body_from_text('See https://x.example/"onmouseover="alert(1) now')
    tree = document_fromstring(html)
    (link,) = tree.iter("a")
    assert link.get("href") == "https://x.example/"
    assert link.get("onmouseover") is None


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="unsubscribe"):
        render(unsubscribe="constant-contact")
    for colour in ("red; background: url(http://x)", "#12345", "", "#ggg"):
        with pytest.raises(ValueError, match="colour"):
            render(brand_color=colour)
    assert "border-top: 4px solid #abc" in render(brand_color="#abc").html


SERVER = """
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        print("GET", self.path, flush=True)
        body = b"p { color: green; }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_port, flush=True)
server.serve_forever()
"""


@pytest.fixture
def stylesheet_server(tmp_path):
    """A stylesheet served on the loopback address by another process (the inliner's
    fetch holds the GIL, so a server thread in this process could never answer);
    yields its address and a function returning the requests it has seen."""
    log = tmp_path / "requests.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-c", SERVER], stdout=out, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not log.read_text().strip() and time.monotonic() < deadline:
            time.sleep(0.05)
        port = int(log.read_text().split()[0])
        yield f"http://127.0.0.1:{port}/brand.css", lambda: log.read_text().splitlines()[1:]
    finally:
        proc.kill()
        proc.wait()


def test_remote_stylesheets_are_never_fetched(stylesheet_server, no_network):
    url, requests_seen = stylesheet_server
    body = f'<link rel="stylesheet" href="{url}"><p>Hello</p>'
    parts = render(body_html=body)
    assert requests_seen() == []
    assert url not in parts.html  # the link tag is dropped, so no client fetches it either
    assert "color: green" not in parts.html


def test_the_server_would_have_seen_a_fetch(stylesheet_server):
    # The check above is only worth something if a fetching inliner is caught.
    url, requests_seen = stylesheet_server
    inlined = css_inline.inline(f'<html><head><link rel="stylesheet" href="{url}"></head><body><p>x</p></body></html>')
    assert "color: green" in inlined
    assert requests_seen() == ["GET /brand.css"]


def test_rendering_needs_no_network_at_all(no_network):
    parts = render(body_html='<p>Hi</p><img src="https://cdn.example/logo.png" alt="Logo">')
    assert 'src="https://cdn.example/logo.png"' in parts.html  # images load in the reader's client
    assert parts.text.startswith("Hi")


@pytest.mark.parametrize(("body", "subject", "direction"), [
    ("مرحبا {first_name|صديقنا}، خصم ٢٠٪ على كل شيء", "تخفيضات الربيع", "rtl"),
    ("שלום! 20% הנחה על הכול", "מבצע אביב", "rtl"),
    ("<b>20%</b> off: مرحبا", "Spring sale", "ltr"),  # the first letter with a direction decides
    ("20% — 2027", "تخفيضات", "rtl"),  # a body of figures alone: the subject decides
    (BODY_TEXT, "Spring sale", "ltr"),
])
def test_an_email_in_arabic_or_hebrew_is_laid_out_from_the_right(body, subject, direction):
    parts = render(body_html=body_from_text(body), subject=subject)
    tree = document_fromstring(parts.html)
    assert tree.get("dir") == direction and tree.xpath("//body")[0].get("dir") == direction
    content = tree.xpath("//td[contains(@class, 'content')]")[0]
    assert content.get("dir") == direction
    assert f"text-align: {'right' if direction == 'rtl' else 'left'}" in content.get("style")
    assert (tree.get("lang") == "en") == (direction == "ltr")  # no English label on an Arabic email


def test_a_preview_says_each_picture_where_it_stands_and_the_text_part_leaves_it_out():
    from omnidesk.core.messages.email import with_picture

    body = with_picture(body_from_text("Hi there"), "https://shop.example/a&b.jpg", "Fish & Chips")
    parts = render_email(subject="S", preheader="P", body_html=body, footer_html=FOOTER)
    assert text_part(parts.html, pictures=True).startswith(
        "[Picture: Fish & Chips (https://shop.example/a&b.jpg)]\n\nHi there\n\n")
    assert parts.text.startswith("Hi there\n\n") and "Picture" not in parts.text
    nameless = render_email(subject="S", preheader="P", body_html=with_picture("<p>Hi</p>", "https://x.example/p.png", ""),
                            footer_html=FOOTER)
    assert text_part(nameless.html, pictures=True).startswith("[Picture (https://x.example/p.png)]\n\nHi\n\n")
