"""How a variant will look to one customer: an SMS bubble, a post card, the email, the poster, the banner.

Each preview renders the variant's tokens with the chosen customer's values
(core/messages/personal.py) and shows the result as plain text: a name that
holds HTML is shown as typed, never run.  The email is the very one
`message render` writes (render.email_parts), read as its words: the
picture, the body, the brand's footer, the postal address, Unsubscribe.  Each value written right to left is
set apart (tokens.isolated), as the message goes out, and the text is laid out
in the direction it goes out in: the email by its own words
(email.template_direction, as the send pack's HTML says it), any other text
paragraph by paragraph by its first letter outside those values, as a phone
reads it; never by a customer's Arabic name at its start.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette, QPixmap, QTextCursor, QTextOption
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QTextBrowser, QVBoxLayout, QWidget

from omnidesk.core.messages import tokens
from omnidesk.core.messages.derive import CHANNEL_LABELS, SOCIAL
from omnidesk.core.messages.brand import Brand
from omnidesk.core.messages.email import template_direction, text_part, writing_direction
from omnidesk.core.messages.render import email_parts

_ISOLATED = re.compile(f"{tokens.FSI}[^{tokens.PDI}]*{tokens.PDI}")


def _qt_direction(direction: str) -> Qt.LayoutDirection:
    return Qt.LayoutDirection.RightToLeft if direction == "rtl" else Qt.LayoutDirection.LeftToRight


def paragraph_direction(text: str) -> str:
    """"rtl" or "ltr": the direction of the first letter of ``text`` outside its isolated values, as
    Unicode's bidirectional algorithm reads a paragraph (a phone's, a network's); Qt's own guess
    takes a name isolated at the start for the paragraph's language."""
    return writing_direction(_ISOLATED.sub(" ", text))

BUBBLE = ("QTextBrowser#smsBubble { background: #E9E9EB; color: #111; border-radius: 14px; padding: 10px 14px; "
          "font-size: 14px; }")
CARD = "QFrame#postCard { background: white; border: 1px solid #D0D0D0; border-radius: 8px; }"


def rendered(fields: dict[str, str], values: dict[str, str | None]) -> dict[str, str]:
    return {f: tokens.render(text, values) for f, text in fields.items()}


class Preview(QWidget):
    """The preview of one channel's variant; :meth:`show_for` draws it for one customer's values."""

    def __init__(self, channel: str, brand_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.channel = channel
        self.brand_name = brand_name
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        self.caption = QLabel()
        self.caption.setObjectName("previewCaption")
        layout.addWidget(self.caption)
        self.frame = QFrame()
        self.frame.setObjectName("postCard")
        inner = QVBoxLayout(self.frame)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        # A subject of 200 characters wraps in the card, as an inbox shows it, rather than widening
        # the editor past the window (History… and + Channel went off a 1920-pixel screen).
        self.title.setWordWrap(True)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # A text browser, not a label: a long link wraps anywhere, as a phone shows it.
        self.body = _FittedText()
        self.body.setObjectName("previewBody")
        self.body.setAccessibleName("Preview")
        # An email's preheader is what inboxes show after the subject, not part of the mail as
        # opened: shown under the subject, grey, as an inbox lists it, and ruled off from the body
        # (run into the body it read twice when it is the body's first sentence).
        self.snippet = QLabel()
        self.snippet.setObjectName("previewPreheader")
        self.snippet.setTextFormat(Qt.TextFormat.PlainText)
        self.snippet.setWordWrap(True)
        self.snippet.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.snippet.setToolTip("The preheader: what inboxes show after the subject")
        self.rule = QFrame()
        self.rule.setFrameShape(QFrame.Shape.HLine)
        self.rule.setFrameShadow(QFrame.Shadow.Sunken)
        inner.addWidget(self.title)
        inner.addWidget(self.snippet)
        inner.addWidget(self.rule)
        inner.addWidget(self.body)
        # Only once they have a parent: shown before, each opened as a window of its own.
        for widget in (self.snippet, self.rule):
            widget.setVisible(channel == "email")
        if channel == "sms":
            self.body.setObjectName("smsBubble")
            self.body.setStyleSheet(BUBBLE)
            self.body.setFixedWidth(360)
            self.frame.setStyleSheet("QFrame#postCard { border: none; }")
        else:
            self.frame.setStyleSheet(CARD)
        layout.addWidget(self.frame, 0, Qt.AlignmentFlag.AlignLeft if channel == "sms" else Qt.AlignmentFlag.AlignTop)
        # The poster: its printed page itself, drawn from the PDF (set_page); the text card hides.
        self.page = QLabel()
        self.page.setObjectName("posterPage")
        self.page.setVisible(False)
        layout.addWidget(self.page, 0, Qt.AlignmentFlag.AlignLeft)

    def show_for(self, fields: dict[str, str], values: dict[str, str | None], who: str, *,
                 master: dict | None = None, brand: Brand | None = None) -> None:
        """Draw the variant ``fields`` for ``who`` (``values``, theirs); an email as it is exported,
        with the ``master``'s picture and the ``brand``'s footer."""
        shown = rendered(fields, values)
        self.caption.setText(f"Preview for {who}")
        if self.channel == "sms":
            self.title.setVisible(False)
            self.body.setText(shown.get("text", ""))
        elif self.channel in SOCIAL:
            self.title.setText(self.brand_name or CHANNEL_LABELS[self.channel])
            self.body.setText(shown.get("text", ""))
        elif self.channel == "email":
            # Laid out as the send pack's HTML says (dir="ltr" or "rtl"), by the template's own words.
            direction = _qt_direction(template_direction(fields.get("body", ""), fields.get("subject", "")))
            for label in (self.title, self.snippet):
                label.setLayoutDirection(direction)
            try:
                # The very email `message render` writes, read as its words: the picture first,
                # the footer, the postal address and the Unsubscribe link at its end.
                email = email_parts(fields, master or {}, values, brand or Brand())
            except ValueError as exc:  # a brand colour the export refuses too
                self.caption.setText(f"{self.caption.text()} — not as it goes out: {exc}")
                self.title.setText(shown.get("subject", ""))
                self.snippet.setText(shown.get("preheader", ""))
                self.body.setText(shown.get("body", ""), direction)
            else:
                self.title.setText(email.subject)
                self.snippet.setText(email.preheader)
                self.body.setText(text_part(email.html, pictures=True).rstrip("\n"), direction)
        elif self.channel == "store":
            self.title.setText(shown.get("headline", ""))
            self.body.setText("\n".join(v for v in (shown.get("offer", ""), shown.get("cta", ""),
                                                    shown.get("link", "")) if v))
        else:
            self.title.setText(shown.get("text", ""))
            self.body.setText(shown.get("link", ""))
        self.body.fit()

    def page_ratio(self) -> float:
        """Screen pixels per point where the poster's page shows: 2 on a high-density screen."""
        return self.page.devicePixelRatioF()

    def set_page(self, png: bytes | None, problem: str = "", ratio: float = 1.0, paper: str = "A4") -> None:
        """Show the poster's page (PNG bytes drawn at ``ratio`` pixels per point), or say why there is none."""
        pixmap = QPixmap()
        if png and pixmap.loadFromData(png):
            # Drawn at the screen's own pixels, shown at its size in points: sharp, not blown up.
            pixmap.setDevicePixelRatio(ratio)
            self.page.setPixmap(pixmap)
            self.page.setToolTip(f"The page as it prints ({paper})")
            self.page.setVisible(True)
            self.frame.setVisible(False)
        else:
            self.page.setVisible(False)
            self.frame.setVisible(True)
            if problem:
                self.caption.setText(f"{self.caption.text()} — no poster: {problem}")

    def text(self) -> str:
        return "\n".join(t for t in (self.title.text() if not self.title.isHidden() else "",
                                      self.snippet.text() if not self.snippet.isHidden() else "",
                                      self.body.text()) if t)


class _FittedText(QTextBrowser):
    """Plain text, wrapped anywhere it must be, exactly as tall as what it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.setReadOnly(True)
        self.setOpenLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def setText(self, text: str, direction: Qt.LayoutDirection | None = None) -> None:  # noqa: N802  (as QLabel names it)
        """Show ``text``, every paragraph laid out in ``direction`` (None: each by its own first
        letter outside an isolated value, :func:`paragraph_direction`)."""
        self.setPlainText(text)
        block = self.document().firstBlock()
        while block.isValid():
            shape = block.blockFormat()
            shape.setLayoutDirection(direction if direction is not None
                                     else _qt_direction(paragraph_direction(block.text())))
            QTextCursor(block).setBlockFormat(shape)
            block = block.next()
        self.fit()

    def text(self) -> str:
        return self.toPlainText()

    def fit(self) -> None:
        self.document().setTextWidth(self.viewport().width() or self.width())
        self.setFixedHeight(int(self.document().size().height()) + 2 * self.frameWidth() + 24)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()
