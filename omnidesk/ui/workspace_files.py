"""The main window's care of workspace files: a copy saved while open, and a damaged workspace restored
from a backup or recovered into a new file.

A mixin of :class:`~omnidesk.ui.main_window.MainWindow` (it reads the window's
workspace, settings and questions); kept apart so the window stays its menus,
screens and wiring.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from omnidesk.core.errors import UserError
from omnidesk.core.workspace import WorkspaceError, backup_files, with_workspace_suffix

WORKSPACE_FILTER = "Omnidesk workspaces (*.omnidesk);;All files (*)"


def _when(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime).strftime("%d %b %Y, %H:%M")


class WorkspaceFilesMixin:
    """Save a Copy, and the offer to restore or recover a damaged workspace."""

    def save_copy(self) -> None:
        if self.workspace is None:
            return
        dest = self.ask_copy_path()
        if dest is None:
            return
        try:
            self.workspace.save_copy(dest)
        except WorkspaceError as exc:
            self.show_error("Cannot save a copy", str(exc))
            return
        if self.workspace.path is not None:
            self._remember_copy(self.workspace.path, dest)
        self.statusBar().showMessage(f"Saved a copy as {dest}", 8000)

    # -- a damaged workspace -----------------------------------------------------------

    def _remember_copy(self, workspace: Path, copy: Path) -> None:
        """Save a Copy's files are the backups a damaged workspace can be restored from."""
        entries = [e for e in self._saved_copies() if e[1] != str(copy.resolve())]
        entries.insert(0, (str(workspace.resolve()), str(copy.resolve())))
        self.settings.setValue("savedCopies", ["\t".join(e) for e in entries[:50]])

    def _saved_copies(self) -> list[tuple[str, str]]:
        value = self.settings.value("savedCopies", []) or []
        if isinstance(value, str):
            value = [value]
        return [tuple(v.split("\t", 1)) for v in value if "\t" in v]  # type: ignore[misc]

    def backups_of(self, path: Path) -> list[Path]:
        """Backups of the workspace at ``path``: omnidesk's own next to it and copies saved from it, newest first."""
        own = [b for b in backup_files(path) if ".damaged-" not in b.name]
        key = str(path.resolve())
        saved = [Path(c) for w, c in self._saved_copies() if w == key and Path(c).is_file()]
        found = {b.resolve(): b for b in own + saved}
        return sorted(found.values(), key=lambda b: b.stat().st_mtime, reverse=True)

    def ask_damaged_choice(self, path: Path, backups: list[Path]) -> str | None:
        """'restore', 'recover' or None: what to do with a damaged workspace."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("Workspace damaged")
        box.setText(f"<b>{html.escape(path.name)} is damaged.</b>")
        latest = (f"The latest backup is {html.escape(backups[0].name)}, from "
                  f"{_when(backups[0])}." if backups else "There is no backup of it that Omnidesk knows of.")
        box.setInformativeText(
            "<p>Parts of the file cannot be read (SQLite says its disk image is malformed): a failing disk, or "
            "a copy taken while it was being written, can do this.</p>"
            f"<p>{latest} Restoring it brings back the workspace as it was then. Recovering copies what can still "
            "be read into a new workspace. Either way the damaged file is kept as it is.</p>"
        )
        box.setStyleSheet("QLabel#qt_msgbox_informativelabel { min-width: 440px; }")
        restore = box.addButton("Restore the latest backup…", QMessageBox.ButtonRole.AcceptRole)
        restore.setEnabled(bool(backups))
        recover = box.addButton("Recover what can be read…", QMessageBox.ButtonRole.ActionRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(restore if backups else recover)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        return "restore" if clicked is restore else "recover" if clicked is recover else None

    def ask_backup(self, backups: list[Path]) -> Path | None:
        """Which backup to restore (the latest first)."""
        from PySide6.QtWidgets import QInputDialog

        labels = [f"{b.name} — {_when(b)}" for b in backups]
        label, ok = QInputDialog.getItem(self, "Restore a backup", "Backups, newest first:", labels, 0, False)
        return backups[labels.index(label)] if ok and label in labels else None

    def ask_recover_path(self, damaged: Path) -> Path | None:
        start = str(damaged.with_name(damaged.stem + " recovered.omnidesk"))
        name, _ = QFileDialog.getSaveFileName(self, "Recover into a new workspace", start, WORKSPACE_FILTER)
        if not name:
            return None
        return with_workspace_suffix(Path(name))

    def workspace_damaged(self, path: Path) -> bool:
        """Offer to restore a backup of the damaged workspace at ``path`` or to recover it; True when one opened."""
        if getattr(self, "_handling_damage", False):
            return False
        self._handling_damage = True
        try:
            return self._handle_damage(Path(path))
        finally:
            self._handling_damage = False

    def _handle_damage(self, path: Path) -> bool:
        from omnidesk.core.recover import recover_workspace, restore_backup

        backups = self.backups_of(path)
        choice = self.ask_damaged_choice(path, backups)
        if choice is None:
            return False
        if choice == "restore":
            backup = self.ask_backup(backups)
            if backup is None:
                return False
            self._close_if_open(path)
            try:
                aside = restore_backup(path, backup)
            except (UserError, OSError) as exc:
                self.show_error("Cannot restore the backup", str(exc))
                return False
            opened = self.open_workspace(path)
            if opened:
                self.statusBar().showMessage(
                    f"Restored {backup.name}; the damaged file is kept as {aside.name}", 15000)
            return opened
        dest = self.ask_recover_path(path)
        if dest is None:
            return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            summary = recover_workspace(path, dest)
        except (UserError, WorkspaceError, OSError) as exc:
            self.show_error("Cannot recover the workspace", str(exc))
            return False
        finally:
            QApplication.restoreOverrideCursor()
        opened = self.open_workspace(dest)
        if opened:
            counts = summary["counts"]
            self.statusBar().showMessage(
                f"Recovered {counts['customers']:,} customers and {counts['source_records']:,} records into "
                f"{dest.name}; {path.name} was not changed", 15000)
            if summary.get("losses"):  # consent recorded by hand, erased people: said, never only counted
                self.show_info("What could not be read", f"Recovered into {dest.name}, but not all of it:\n\n"
                               + "\n\n".join(summary["losses"]))
        return opened

    def _close_if_open(self, path: Path) -> None:
        if self.workspace is not None and self.workspace.path is not None and \
                self.workspace.path.resolve() == path.resolve():
            self.workspace.close()

    # -- importing -------------------------------------------------------------------
