"""The Messages screen: master messages, their channel variants, previews and the consistency check."""

from omnidesk.ui.views.messages.view import MessagesView

__all__ = ["MessagesView"]
