"""The rep's writes: notes with history that survive a crash, statuses, feedback feeding known/bounced addresses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadassist.core.errors import LeadAssistError, NotFoundError
from leadassist.store import leads, notes, service


@pytest.fixture
def lead_id(store, make_csv) -> int:
    service.import_csv(
        store,
        make_csv(
            [["Id", "First Name", "Last Name", "Company"], ["1", "Ann", "Lee", "Acme"], ["2", "Bo", "Kim", "Acme"]]
        ),
    )
    return leads.page(store, offset=0, limit=1, search="Ann")[0].id


def test_editing_a_note_keeps_every_earlier_text_in_order(store, lead_id):
    note_id = notes.add_note(store, lead_id, "first", now=100.0)
    notes.edit_note(store, note_id, "second", now=200.0)
    notes.edit_note(store, note_id, "second", now=250.0)  # unchanged: no new version
    notes.edit_note(store, note_id, "third", now=300.0)
    (note,) = leads.get_lead(store, lead_id).notes
    assert (note.text, note.created_at, note.updated_at) == ("third", 100.0, 300.0)
    assert [(v.text, v.at) for v in notes.note_history(store, note_id)] == [("first", 200.0), ("second", 300.0)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_any_note_text_is_stored_exactly(store, lead_id, text):
    note_id = notes.add_note(store, lead_id, text)
    assert next(n.text for n in leads.get_lead(store, lead_id).notes if n.id == note_id) == text


_NOTE_THEN_DIE = """
import os, signal, sys
from leadassist.store.db import open_store
from leadassist.store import notes
db = open_store(sys.argv[1])
notes.add_note(db, int(sys.argv[2]), "saved just before the crash")
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_saved_note_survives_the_process_being_killed(store, store_path, lead_id):
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(_NOTE_THEN_DIE), str(store_path), str(lead_id)])
    assert done.returncode == -signal.SIGKILL
    assert [n.text for n in leads.get_lead(store, lead_id).notes] == ["saved just before the crash"]
    assert os.path.exists(store_path)


def test_status_must_be_one_of_the_known_words(store, lead_id):
    notes.set_status(store, lead_id, "do-not-contact")
    assert leads.get_lead(store, lead_id).status == "do-not-contact"
    with pytest.raises(LeadAssistError, match="unknown status"):
        notes.set_status(store, lead_id, "hot")
    with pytest.raises(NotFoundError):
        notes.set_status(store, 10**6, "new")


def test_correct_feedback_makes_a_known_address_and_bounced_takes_it_back(store, lead_id):
    service.add_feedback(store, lead_id, " Ann.Lee@Acme.example ", "correct")
    assert [(k.email, k.source, k.first) for k in leads.known_addresses(store)] == [
        ("ann.lee@acme.example", "feedback", "Ann")
    ]
    service.add_feedback(store, lead_id, "ann.lee@acme.example", "bounced")
    assert leads.known_addresses(store) == []
    assert [(b.email, b.first, b.last) for b in leads.bounced_addresses(store)] == [
        ("ann.lee@acme.example", "Ann", "Lee")
    ]
    assert leads.get_lead(store, lead_id).feedback == {"ann.lee@acme.example": "bounced"}


def test_replied_sets_the_status_and_bad_feedback_is_refused(store, lead_id):
    service.add_feedback(store, lead_id, "ann@acme.example", "replied")
    assert leads.get_lead(store, lead_id).status == "replied"
    with pytest.raises(LeadAssistError):
        service.add_feedback(store, lead_id, "not an address", "correct")
    with pytest.raises(LeadAssistError):
        service.add_feedback(store, lead_id, "ann@acme.example", "great")
