"""Every QAction of the main window with its shortcut, shared by the menus, the toolbar and context menus.

The actions only describe *what* can be done (text, shortcut, tip, icon); the main window connects their
`triggered` signals to its slots. Keeping them in one place keeps shortcuts unique and discoverable.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QStyle, QWidget

# Mark the focused candidate (else the best one) of the shown lead; the candidate buttons name them in their tips.
FEEDBACK_KEYS = {"correct": "Alt+C", "bounced": "Alt+B", "replied": "Alt+R"}


@dataclass(frozen=True)
class Actions:
    """The window's actions; `all()` lists them in menu order."""

    import_csv: QAction
    export_csv: QAction
    enrich: QAction
    cancel: QAction
    find: QAction
    next_lead: QAction
    previous_lead: QAction
    next_lead_key: QAction
    previous_lead_key: QAction
    copy_address: QAction
    new_lead: QAction
    mark_correct: QAction
    mark_bounced: QAction
    mark_replied: QAction
    settings: QAction
    load_demo: QAction
    restore: QAction
    quit: QAction
    about: QAction
    glossary: QAction

    def all(self) -> list[QAction]:
        """Every action, in declaration order (the J/K twins included)."""
        return [getattr(self, f.name) for f in fields(self)]


def make_action(
    parent: QObject,
    name: str,
    text: str,
    shortcuts: list[QKeySequence | str | QKeySequence.StandardKey],
    tip: str,
    icon: QIcon | None = None,
) -> QAction:
    """An action named `name` (its objectName) with its shortcuts, and a tooltip that names the first of them."""
    action = QAction(text, parent)
    action.setObjectName(name)
    keys: list[QKeySequence] = []
    for s in shortcuts:
        for k in QKeySequence.keyBindings(s) if isinstance(s, QKeySequence.StandardKey) else [QKeySequence(s)]:
            if k not in keys:
                keys.append(k)
    action.setShortcuts(keys)
    # The tooltip names the shortcut so the rep learns it from the toolbar.
    hint = f" ({keys[0].toString(QKeySequence.SequenceFormat.NativeText)})" if keys else ""
    action.setToolTip(f"{tip}{hint}")
    action.setStatusTip(tip)
    if icon is not None:
        action.setIcon(icon)
    return action


def create_actions(window: QWidget) -> Actions:
    """Build the actions, parented to `window` (add them to it so their shortcuts work everywhere in it)."""
    style = window.style()
    std = QStyle.StandardPixmap
    acts = Actions(
        import_csv=make_action(
            window,
            "action_import",
            "&Import CSV…",
            ["Ctrl+O"],
            "Import a CRM export (CSV)",
            style.standardIcon(std.SP_DialogOpenButton),
        ),
        export_csv=make_action(
            window,
            "action_export",
            "&Export CSV…",
            ["Ctrl+E"],
            "Export leads as a CSV the CRM re-imports as updates",
            style.standardIcon(std.SP_DialogSaveButton),
        ),
        enrich=make_action(
            window,
            "action_enrich",
            "En&rich Leads",
            ["Ctrl+R"],
            "Find and rank addresses, check mail domains",
            style.standardIcon(std.SP_BrowserReload),
        ),
        cancel=make_action(
            window,
            "action_cancel",
            "&Cancel Enrichment",
            ["Esc"],
            "Stop enrichment and keep what was done",
            style.standardIcon(std.SP_BrowserStop),
        ),
        find=make_action(window, "action_find", "&Find…", ["Ctrl+F"], "Search names, companies and notes"),
        next_lead=make_action(window, "action_next_lead", "&Next Lead", ["Ctrl+Down"], "Open the next lead"),
        previous_lead=make_action(
            window, "action_previous_lead", "&Previous Lead", ["Ctrl+Up"], "Open the previous lead"
        ),
        next_lead_key=make_action(window, "action_next_lead_j", "Next Lead", ["J"], "Open the next lead"),
        previous_lead_key=make_action(
            window, "action_previous_lead_k", "Previous Lead", ["K"], "Open the previous lead"
        ),
        copy_address=make_action(
            window, "action_copy_address", "&Copy Best Address", ["Ctrl+Shift+C"], "Copy the lead's best address"
        ),
        new_lead=make_action(
            window,
            "action_new_lead",
            "&New Lead…",
            [QKeySequence.StandardKey.New, "Ctrl+N"],
            "Add a lead by hand (stored like an imported one)",
        ),
        mark_correct=make_action(
            window,
            "action_mark_correct",
            "Mark Address Co&rrect",
            [FEEDBACK_KEYS["correct"]],
            "Mark the focused (else the best) address of the lead correct",
        ),
        mark_bounced=make_action(
            window,
            "action_mark_bounced",
            "Mark Address &Bounced",
            [FEEDBACK_KEYS["bounced"]],
            "Mark the focused (else the best) address of the lead bounced",
        ),
        mark_replied=make_action(
            window,
            "action_mark_replied",
            "Mark Address Re&plied",
            [FEEDBACK_KEYS["replied"]],
            "Mark that the lead replied from the focused (else the best) address",
        ),
        settings=make_action(
            window, "action_settings", "&Settings…", ["Ctrl+,"], "DNS, concurrency, offline mode, backups"
        ),
        load_demo=make_action(window, "action_load_demo", "Load &Demo Data", [], "Import the bundled sample leads"),
        restore=make_action(
            window, "action_restore", "&Restore from Backup…", [], "Replace the database with a backup"
        ),
        quit=make_action(window, "action_quit", "&Quit", [QKeySequence.StandardKey.Quit, "Ctrl+Q"], "Quit LeadAssist"),
        about=make_action(window, "action_about", "&About LeadAssist", [], "Version and licence"),
        glossary=make_action(
            window,
            "action_glossary",
            "&Statuses and Reasons",
            [QKeySequence.StandardKey.HelpContents, "F1"],
            "What every mail status, reason, confidence and source means",
        ),
    )
    acts.cancel.setEnabled(False)
    acts.cancel.setIconText("Cancel")  # the toolbar shows the short text, the menu the full one
    acts.enrich.setIconText("Enrich")
    acts.import_csv.setIconText("Import")
    acts.export_csv.setIconText("Export")
    acts.settings.setMenuRole(QAction.MenuRole.PreferencesRole)
    acts.quit.setMenuRole(QAction.MenuRole.QuitRole)
    acts.about.setMenuRole(QAction.MenuRole.AboutRole)
    # J/K must not fire while the rep types a note or a search: the window adds these two to the table only.
    for a in (acts.next_lead_key, acts.previous_lead_key):
        a.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    return acts
