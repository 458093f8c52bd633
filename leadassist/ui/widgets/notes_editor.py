"""The notes of one lead: an editor that saves itself and the list of earlier notes with their times.

Autosave is debounced: every keystroke restarts an ~800 ms single-shot QTimer, so a note is written once the rep
pauses, not per key. `flush()` hands a pending change over at once (the lead panel calls it when the lead
changes and the window calls it on close), so nothing typed is lost. The first save of a new note is announced
with `note_id=None`; the store gives it an id, which comes back through `confirm(id, text)` (or is recognised by
its text when the lead is shown again), so later saves edit that note instead of adding copies.

"Saved" is shown only when the store confirmed (`confirm`); until then the state says "Saving…", and
`not_saved(text, why)` says the draft is kept and retried (the window's NoteDrafts does the retrying, also after
the rep moved to another lead; `show_draft` puts a pending draft back in the editor when they return).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leadassist.ui.widgets.fields import epoch_ms, field, first_line, format_time, items, text

AUTOSAVE_MS = 800
NoteIdRole = Qt.ItemDataRole.UserRole + 1


class NotesEditor(QWidget):
    """Edits one note at a time (new or picked from the history) and autosaves it."""

    note_saved = Signal(object, str)  # note id or None for a new note, text

    def __init__(self, parent: QWidget | None = None, *, autosave_ms: int = AUTOSAVE_MS) -> None:
        super().__init__(parent)
        self.setObjectName("notes_editor")
        self.note_id: Any = None
        self._saved_text = ""  # what the store has for the note being edited
        self._handed = ""  # the text last handed over for saving (not confirmed yet)
        self._loading = False

        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("note_text")
        self.editor.setAccessibleName("Note")
        self.editor.setPlaceholderText("Write a note… it is saved as you type.")
        self.editor.setTabChangesFocus(True)  # Tab leaves the editor, keyboard users are not trapped
        self.editor.textChanged.connect(self._on_text_changed)
        self.timer = QTimer(self)
        self.timer.setObjectName("note_autosave_timer")
        self.timer.setSingleShot(True)
        self.timer.setInterval(autosave_ms)
        self.timer.timeout.connect(self.flush)

        self.state_label = QLabel("", self)
        self.state_label.setObjectName("note_state")
        self.new_button = QPushButton("New note", self)
        self.new_button.setObjectName("new_note_button")
        self.new_button.setAccessibleName("Start a new note")
        self.new_button.clicked.connect(self.new_note)
        bar = QHBoxLayout()
        bar.addWidget(self.state_label, 1)
        bar.addWidget(self.new_button)

        self.history = QListWidget(self)
        self.history.setObjectName("note_history")
        self.history.setAccessibleName("Earlier notes")
        self.history.setWordWrap(True)
        self.history.setAlternatingRowColors(True)
        self.history.itemActivated.connect(self._open_item)
        self.history.itemClicked.connect(self._open_item)
        history_label = QLabel("Earlier &notes", self)
        history_label.setBuddy(self.history)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.editor.setMinimumHeight(90)
        layout.addWidget(self.editor, 1)
        layout.addLayout(bar)
        layout.addWidget(history_label)
        self.history.setMinimumHeight(120)
        layout.addWidget(self.history, 1)
        self._notes: list[Any] = []
        self._unconfirmed: list[str] = []  # notes left with New note that the store has not confirmed yet

    # -- loading -------------------------------------------------------------------------------------------
    def load(self, notes: Sequence[Any], *, keep_draft: bool = False) -> None:
        """Show a lead's notes; `keep_draft` keeps what is being typed (a refresh of the same lead)."""
        self._notes = sorted(notes, key=_note_time, reverse=True)
        if keep_draft:
            wanted = self._saved_text or self._handed
            if self.note_id is None and wanted:  # the store now holds our new note: adopt its id
                match = next((n for n in self._notes if text(n, "text", "body") == wanted), None)
                self.note_id = field(match, "id", "note_id")
        else:
            self.timer.stop()
            self._set_editor("", None)
            self._unconfirmed = []  # another lead: its own pending drafts come back through show_draft
        stored = {text(n, "text", "body") for n in self._notes}
        self._unconfirmed = [body for body in self._unconfirmed if body not in stored]
        self._fill_history()

    def _fill_history(self) -> None:
        self.history.clear()
        for body in self._unconfirmed:  # just written, the store has not confirmed it yet: listed at once
            item = QListWidgetItem(f"Not saved yet — kept and retried\n{first_line(body)}")
            item.setToolTip(body)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.history.addItem(item)
        for note in self._notes:
            body = text(note, "text", "body")
            created = format_time(field(note, "created_at", "created", "time"))
            edited = format_time(field(note, "updated_at", "edited_at", "modified_at"))
            stamp = created + (f" (edited {edited})" if edited and edited != created else "")
            item = QListWidgetItem(f"{stamp}\n{first_line(body)}")
            item.setData(NoteIdRole, field(note, "id", "note_id"))
            versions = items(note, "history", "versions")
            earlier = "\n\n".join(f"— {format_time(field(v, 'at', 'time', 'edited_at'))}: {text(v, 'text', 'body')}"
                                  if not isinstance(v, str) else f"— {v}" for v in versions)  # fmt: skip
            item.setToolTip(body + (f"\n\nEarlier versions:\n{earlier}" if earlier else ""))
            self.history.addItem(item)
        if not self._notes and not self._unconfirmed:
            placeholder = QListWidgetItem("No notes yet.")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.history.addItem(placeholder)

    def _set_editor(self, body: str, note_id: Any) -> None:
        self._loading = True
        try:
            self.editor.setPlainText(body)
        finally:
            self._loading = False
        self.note_id = note_id
        self._saved_text = self.text()  # as the editor holds it, so loading alone never looks like an edit
        self._handed = ""
        self.state_label.setText("Editing an earlier note" if note_id is not None else "")

    # -- editing and saving --------------------------------------------------------------------------------
    def _on_text_changed(self) -> None:
        if self._loading:
            return
        self.state_label.setText("Unsaved changes…")
        self.timer.start()  # restart: save once the rep pauses

    def text(self) -> str:
        """The note as typed: line breaks as \n, everything else kept (toPlainText would turn no-break spaces
        into plain spaces, changing '10\u00a0000\u00a0€' behind the rep's back)."""
        return self.editor.document().toRawText().replace("\u2029", "\n")

    @property
    def pending(self) -> bool:
        """True when the editor holds text that was neither saved nor handed over for saving yet."""
        body = self.text()
        return body not in (self._saved_text, self._handed) and bool(body.strip() or self.note_id is not None)

    @property
    def confirmed(self) -> bool:
        """True when the store has exactly what the editor shows."""
        return self.text() == self._saved_text

    def flush(self) -> bool:
        """Hand a pending change over for saving now; True if a save was emitted."""
        self.timer.stop()
        if not self.pending:
            return False
        body = self.text()
        if not body.strip():  # clearing an earlier note does not delete it; keep the stored text
            return False
        self._handed = body
        self.state_label.setText("Saving…")
        self.note_saved.emit(self.note_id, body)
        return True

    def confirm(self, note_id: Any, body: str) -> None:
        """The store saved `body` as note `note_id`: adopt the id of a new note; say "Saved" if it is what we show."""
        if self.note_id is None and body in (self._handed, self.text()):
            self.note_id = note_id
        if note_id != self.note_id:
            return
        self._saved_text = body
        if self._handed == body:
            self._handed = ""
        if self.text() == body:
            self.state_label.setText("Saved")

    def not_saved(self, body: str, why: str) -> None:
        """The store could not take `body` yet (busy): it is kept and retried; say so."""
        if body == self.text():
            reason = "the database is busy" if "busy" in why else why[:80]
            self.state_label.setText(f"Not saved yet ({reason}) — kept and retried…")
            self.state_label.setToolTip(why)

    def show_draft(self, note_id: Any, body: str) -> None:
        """Put a draft the store has not confirmed back in the editor (its retry goes on)."""
        self.timer.stop()
        self._set_editor(body, note_id)
        self._saved_text = ""
        self._handed = body
        self.state_label.setText("Not saved yet — kept and retried")

    def note_stored(self, note_id: Any) -> None:
        """The store's id for the new note just saved; later saves edit it."""
        if self.note_id is None:
            self.note_id = note_id

    def new_note(self) -> None:
        """Save what is pending and start an empty note; the note just written stays listed in Earlier notes."""
        self.flush()
        left = self.text()
        unconfirmed = left.strip() and not self.confirmed and self.note_id is None
        if unconfirmed and left not in {text(n, "text", "body") for n in self._notes} and left not in self._unconfirmed:
            self._unconfirmed.insert(0, left)
            self._fill_history()
        self._set_editor("", None)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open_item(self, item: QListWidgetItem) -> None:
        note_id = item.data(NoteIdRole)
        note = next((n for n in self._notes if field(n, "id", "note_id") == note_id), None)
        if note is None or note_id == self.note_id:
            return
        self.flush()
        self._set_editor(text(note, "text", "body"), note_id)


def _note_time(note: Any) -> tuple[int, str]:
    # Newest first by time; the id breaks ties between notes written in the same millisecond.
    return epoch_ms(field(note, "created_at", "created", "time")), str(field(note, "id", "note_id", default=""))
