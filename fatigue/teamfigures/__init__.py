"""Team figures: what leads and admins may see of their teams, and nothing more.

One module per part of the release model (see PRIVACY.md); a newcomer
auditing the privacy promise reads :mod:`.rules` first.

- :mod:`.rules`: the release rules (what may be shown, to whom, when). Pure.
- :mod:`.periods`: weeks, and the 4-week and quarter views made of them.
- :mod:`.measures`: each person's week and a group's sums (SQL over check-ins).
- :mod:`.estimates` and :mod:`.noise`: a group's figures, exact or with
  OpenDP noise, combined into the agency, rounded.
- :mod:`.release`: releasing a due week once, for every group.
- :mod:`.store`: the released weeks and cells (written once, never changed).
- :mod:`.display`: released cells as report rows, in words.
- :mod:`.reports`: who may see which report, and the reports themselves (with
  how fresh they are, and the agency's figures next to a team's).
- :mod:`.changes`: what changed since the previous period and against the agency.
- :mod:`.charts`: report rows shaped for charts, and each chart in words.
- :mod:`.spread`: how spread out many teams' released figures are.
- :mod:`.suggestions`: team-level suggestions from a report's shown rows.
- :mod:`.legacy`: the upgrade of weeks released under the earlier model.

This file imports nothing, so the schema (:mod:`fatigue.migrations`) can use
the pure parts without an import circle.
"""
