"""The Dashboard screen: reach, channel overlap, journeys, activity, campaign results and data health."""

from __future__ import annotations

from omnidesk.ui.views.dashboard.view import DashboardView

__all__ = ["DashboardView", "connect_dashboard"]


def connect_dashboard(window, dashboard: DashboardView, customers) -> None:
    """Turn the Dashboard's requests into the window's navigation: the Customers behind a figure, a screen."""
    def open_customers(rule: dict) -> None:
        segments = getattr(window, "segments", None)
        if segments is not None and not segments.leave_edits():  # a segment's edits not saved: kept
            return
        customers.show_segment("", rule)
        window.show_screen("customers")

    dashboard.runner_of = lambda: window.runner
    dashboard.customersRequested.connect(open_customers)
    dashboard.screenRequested.connect(window._go_to_screen)
    dashboard.importRequested.connect(window.import_files_dialog)
    dashboard.saved.connect(lambda path: window.statusBar().showMessage(f"Saved {path}", 8000))
