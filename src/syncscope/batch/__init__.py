"""Bulk checks of mailbox inventories: CSV, JSON Lines and Dataverse exports.

Readers turn each input row into a :class:`~syncscope.batch.record.Record`; the
runner checks each distinct configuration once; writers emit exactly one output
row per input row, in input order.
"""

from __future__ import annotations

from .errors import UnreadableInput
from .readers import FORMATS, Record, RecordStream, read_records

__all__ = ["FORMATS", "Record", "RecordStream", "UnreadableInput", "read_records"]
