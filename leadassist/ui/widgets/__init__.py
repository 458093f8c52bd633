"""The side-panel widgets: lead panel (candidates, status, notes), company view (domain, known addresses, chart).

They show what the store returns (read by field name, so they tolerate extra or missing fields) and report the
rep's actions as signals; they never write to the store themselves — the main window does.
"""
