"""The Customer screen (see :mod:`.view`)."""

from omnidesk.ui.views.customer.view import CustomerView

__all__ = ["CustomerView"]
