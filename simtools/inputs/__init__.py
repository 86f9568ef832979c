"""What users type, read and checked before anything is sent: registration codes from text,
lists, frames and files (:mod:`~simtools.inputs.codes`), request arguments such as ids, tags
and statuses (:mod:`~simtools.inputs.arguments`), and times (:mod:`~simtools.inputs.times`)."""

from __future__ import annotations
