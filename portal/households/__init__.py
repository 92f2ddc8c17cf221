"""The household register: households from the case system (API, import) and kept right by staff.

``routes`` parse and render, ``service`` owns every change and its audit event (one transaction),
``queries`` holds the SELECTs, ``schemas`` the API's models; the command is
``portal/commands/households.py``.
"""
