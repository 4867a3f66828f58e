"""The four things a workspace asks first: the business's name, region, time zone and currency.

:class:`BasicsForm` holds the four fields (the Preferences dialog shows the same
form), each checked as it is typed with the setting's own parser, its error in
one sentence under it.  :class:`WorkspaceBasicsDialog` asks them once, right
after a new workspace's file is chosen, filled with what this computer says
(:func:`machine_basics`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QEvent, QLocale, QObject, Qt, QTimer, QTimeZone, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from omnidesk.core.importing.phone_region import all_regions
from omnidesk.core.money import REGION_CURRENCY
from omnidesk.core.timeutil import zone_names
from omnidesk.core.settings import check_setting, zone_warning
from omnidesk.core.workspace import DEFAULT_SETTINGS
from omnidesk.ui.accessible import labelled
from omnidesk.ui.widgets.screen_fit import room

BASICS = ("business_name", "default_region", "timezone", "currency")
ERROR_COLOR = "#B3261E"
WARNING_COLOR = "#8A5A00"  # said under a field, but the value is taken

# Listed first, with their names; every other code Qt's locales know follows, bare.
COMMON_CURRENCIES = (
    ("USD", "US dollar"), ("EUR", "Euro"), ("GBP", "Pound sterling"), ("CAD", "Canadian dollar"),
    ("AUD", "Australian dollar"), ("NZD", "New Zealand dollar"), ("CHF", "Swiss franc"),
    ("JPY", "Japanese yen"), ("INR", "Indian rupee"), ("SEK", "Swedish krona"), ("NOK", "Norwegian krone"),
    ("DKK", "Danish krone"), ("PLN", "Polish złoty"), ("MXN", "Mexican peso"), ("BRL", "Brazilian real"),
    ("ZAR", "South African rand"), ("SGD", "Singapore dollar"), ("HKD", "Hong Kong dollar"),
)


@dataclass(frozen=True)
class Basics:
    business_name: str = ""
    default_region: str = ""
    timezone: str = ""
    currency: str = ""

    def texts(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in BASICS}


def machine_zone() -> str:
    """This computer's IANA time zone ("Europe/Berlin"), or "" when it names none the system knows."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    return name if name in available_zones() else ""


def machine_locale() -> QLocale:
    return QLocale.system()


def machine_basics(locale: QLocale | None = None, zone: str | None = None) -> Basics:
    """What this computer suggests: its locale's country and money, its clock's zone.

    A locale that names no country ("C") suggests the workspace default region.
    """
    locale = locale or machine_locale()
    region = QLocale.territoryToCode(locale.territory()) if locale.territory() != QLocale.Country.AnyCountry else ""
    if region not in dict(all_regions()):
        region = str(DEFAULT_SETTINGS["default_region"])
    currency = REGION_CURRENCY.get(region) or locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode)
    return Basics("", region, machine_zone() if zone is None else zone, currency if len(currency) == 3 else "")


@cache  # read from the disk's zone database; the same for the whole run
def available_zones() -> list[str]:
    # The names the timezone setting takes, less the Etc/GMT ones, whose signs read backwards.
    return [z for z in zone_names() if not z.startswith("Etc/GMT")]


@cache
def all_currencies() -> list[tuple[str, str]]:
    """(code, label): the common ones first, then every other ISO 4217 code of Qt's locales."""
    common = {code for code, _ in COMMON_CURRENCIES}
    others = set()
    for locale in QLocale.matchingLocales(QLocale.Language.AnyLanguage, QLocale.Script.AnyScript,
                                          QLocale.Country.AnyCountry):
        code = locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode)
        if len(code) == 3 and code.isalpha() and code not in common:
            others.add(code)
    return [(code, f"{code} — {name}") for code, name in COMMON_CURRENCIES] + [(c, c) for c in sorted(others)]


def searchable_combo(items: list[tuple[str, str]], *, separator_after: int | None = None) -> QComboBox:
    """An editable combo of (value, label) items: typing any part of a label offers the matches."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    for i, (value, label) in enumerate(items):
        combo.addItem(label, value)
        if separator_after is not None and i + 1 == separator_after:
            combo.insertSeparator(combo.count())
    completer = QCompleter(combo.model(), combo)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    combo.setCompleter(completer)
    combo.lineEdit().editingFinished.connect(lambda: _settle_on_match(combo))
    combo.setMinimumContentsLength(24)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    return combo


def _item_for(combo: QComboBox, text: str) -> int:
    """The item ``text`` names: its label or its value (any case), else the one item whose label
    holds it ("berlin": Europe/Berlin; "germany": Germany (DE)); -1 when none or several."""
    if not text:
        return -1
    index = combo.findText(text, Qt.MatchFlag.MatchFixedString)
    if index >= 0:
        return index
    folded = text.casefold()
    values = [i for i in range(combo.count()) if str(combo.itemData(i) or "").casefold() == folded]
    if values:
        return values[0]
    holding = [i for i in range(combo.count()) if combo.itemData(i) is not None and folded in combo.itemText(i).casefold()]
    return holding[0] if len(holding) == 1 else -1


def combo_value(combo: QComboBox) -> str:
    """The value of the item the text names (:func:`_item_for`), else the text as typed."""
    text = combo.currentText().strip()
    index = _item_for(combo, text)
    return str(combo.itemData(index)) if index >= 0 else text


def _settle_on_match(combo: QComboBox) -> None:
    """Leaving the box, a part of one item's name becomes that item, as the list offered it."""
    text = combo.currentText().strip()
    index = _item_for(combo, text)
    if index >= 0 and combo.itemText(index) != combo.currentText():
        combo.setCurrentIndex(index)


def set_combo_value(combo: QComboBox, value: str) -> None:
    index = combo.findData(value) if value else -1
    combo.setCurrentIndex(index)
    if index < 0:
        combo.setEditText(value)


def say_problems(errors: dict[str, QLabel], problems: dict[str, str]) -> None:
    """Each field's problem under it (``errors``: the label under each field), and no label where
    there is none."""
    for key, label in errors.items():
        label.setText(problems.get(key, ""))
        label.setVisible(key in problems)


def error_label(name: str) -> QLabel:
    """The one-sentence error shown under a field; hidden while the field is fine."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOR};")
    label.hide()
    return label


def field_with_error(field: QWidget, error: QLabel) -> QWidget:
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(field)
    column.addWidget(error)
    return box


class BasicsForm(QWidget):
    """Name, region, time zone and currency, each checked as typed.

    ``validityChanged(bool)`` after every edit; :meth:`values` is ``setting key -> text`` of
    all four, :meth:`texts` of those changed here since the form opened, for ``change_settings``
    (a field left as it opened keeps what another window or the command line stores meanwhile).  ``machine`` fills the hints of the fields left empty
    (an empty time zone is the computer's; an empty currency, the region's).
    """

    validityChanged = Signal(bool)

    def __init__(self, values: Basics, machine: Basics, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.machine = machine
        self.name_edit = QLineEdit(values.business_name)
        self.name_edit.setObjectName("businessName")
        self.name_edit.setPlaceholderText("Your shop's name, e.g. Harbor & Pine")
        self.region_combo = searchable_combo(all_regions())
        self.region_combo.setObjectName("region")
        self.region_combo.setToolTip("Phone numbers without a country code are read as this country's; "
                                     "type a country's name or its code")
        set_combo_value(self.region_combo, values.default_region)
        self.zone_combo = searchable_combo([(z, z) for z in available_zones()])
        self.zone_combo.setObjectName("timezone")
        self.zone_combo.setToolTip("Dates and times on the timeline are read on this clock; type any part "
                                   "of the name (Berlin, New_York)")
        set_combo_value(self.zone_combo, values.timezone)
        currencies = all_currencies()
        self.currency_combo = searchable_combo(currencies, separator_after=len(COMMON_CURRENCIES))
        self.currency_combo.setObjectName("currency")
        self.currency_combo.setToolTip("For amounts a file gives without a currency; a three-letter ISO 4217 code")
        set_combo_value(self.currency_combo, values.currency)

        self.errors: dict[str, QLabel] = {key: error_label(f"{key}Error") for key in BASICS}
        # A zone the setting takes but that is likely not the clock meant (EST, Etc/GMT+5): said, not refused.
        self.zone_warning = QLabel()
        self.zone_warning.setObjectName("timezoneWarning")
        self.zone_warning.setWordWrap(True)
        self.zone_warning.setStyleSheet(f"color: {WARNING_COLOR};")
        self.zone_warning.hide()
        self.fields = {"business_name": self.name_edit, "default_region": self.region_combo,
                       "timezone": self.zone_combo, "currency": self.currency_combo}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, words in (("business_name", "Business &name:"), ("default_region", "&Region:"),
                           ("timezone", "Time &zone:"), ("currency", "Currenc&y:")):
            cell = field_with_error(self.fields[key], self.errors[key])
            if key == "timezone":
                cell.layout().addWidget(self.zone_warning)
            form.addRow(labelled(words, self.fields[key]), cell)

        self.name_edit.textChanged.connect(self.check)
        for combo in (self.region_combo, self.zone_combo, self.currency_combo):
            combo.currentTextChanged.connect(self.check)
        self.region_combo.currentTextChanged.connect(self._update_hints)
        self._update_hints()
        self.shown = self.values()
        self.check()

    def values(self) -> dict[str, str]:
        """``setting key -> text`` of the four fields as they read now."""
        return {"business_name": self.name_edit.text(), "default_region": combo_value(self.region_combo),
                "timezone": combo_value(self.zone_combo), "currency": combo_value(self.currency_combo)}

    def texts(self) -> dict[str, str]:
        """``setting key -> text`` of each field changed since the form opened."""
        return {key: text for key, text in self.values().items() if text != self.shown[key]}

    def problems(self) -> dict[str, str]:
        """``key -> sentence`` for each field the setting's parser refuses."""
        found = {}
        for key, text in self.values().items():
            try:
                check_setting(key, text)
            except ValueError as exc:
                found[key] = _sentence(str(exc))
        return found

    def check(self) -> bool:
        problems = self.problems()
        say_problems(self.errors, problems)
        warning = None if "timezone" in problems else zone_warning(self.values()["timezone"])
        self.zone_warning.setText(_sentence(warning) if warning else "")
        self.zone_warning.setVisible(bool(warning))
        self.validityChanged.emit(not problems)
        return not problems

    def _update_hints(self) -> None:
        zone = self.machine.timezone or "its own clock"
        self.zone_combo.lineEdit().setPlaceholderText(f"This computer's ({zone})")
        region = combo_value(self.region_combo).upper()
        money = REGION_CURRENCY.get(region)
        self.currency_combo.lineEdit().setPlaceholderText(f"The region's ({money})" if money else
                                                          "None: amounts stay bare")


class _TallEnough(QObject):
    """Grows its dialog to what its contents need at its width whenever they ask (see grow_to_fit)."""

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            QTimer.singleShot(0, watched, lambda: _grow(watched))  # not run once the dialog is gone
        return False


def _grow(dialog: QWidget) -> None:
    layout = dialog.layout()
    if layout is None:
        return
    width = dialog.width()
    need = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
    most = room(dialog)
    if most is not None:
        need = min(need, max(most.height(), dialog.minimumHeight()))  # never past the screen's bottom edge
    if need > dialog.height():
        dialog.resize(width, need)


def grow_to_fit(dialog: QWidget) -> None:
    """Keep ``dialog`` as tall as its contents need at its width: a dialog keeps its size, and an
    error shown under a field, wrapping to two lines, was cut top and bottom."""
    dialog.installEventFilter(_TallEnough(dialog))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


class WorkspaceBasicsDialog(QDialog):
    """Asked once after a new workspace's file is chosen; Cancel leaves the workspace's defaults."""

    def __init__(self, workspace_name: str, machine: Basics, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspaceBasicsDialog")
        self.setWindowTitle("About your business")
        intro = QLabel(f"A few things about the business whose customers <b>{workspace_name}</b> will hold. "
                       "They are filled in from this computer's settings; change any of them here or "
                       "later in Edit\u00a0›\u00a0Preferences.")
        intro.setWordWrap(True)
        self.form = BasicsForm(machine, machine)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Skip")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form.validityChanged.connect(self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled)
        grow_to_fit(self)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addWidget(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.form.check()
        self.form.name_edit.setFocus()
        self.resize(max(self.sizeHint().width(), 520), self.sizeHint().height())

    def texts(self) -> dict[str, str]:
        """All four answers: a new workspace stores each that differs from its default."""
        return self.form.values()
