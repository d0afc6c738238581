"""SQLAlchemy Core tables. Portable types only, so SQLite and PostgreSQL share one schema."""

from __future__ import annotations

import sqlalchemy as sa

from phonesvc.domain.groups import GROUP_PARAMS

metadata = sa.MetaData()


def _fk(target: str, ondelete: str = "CASCADE") -> sa.ForeignKey:
    return sa.ForeignKey(target, ondelete=ondelete)


users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_name", sa.String(100), nullable=False),
    sa.Column("user_key", sa.String(100), nullable=False, unique=True),  # casefolded user_name
    sa.Column("first_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("last_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("line_number", sa.String(32), nullable=False, server_default=""),
    sa.Column("mobile_number", sa.String(32), nullable=False, server_default=""),
    sa.Column("voicemail_number", sa.String(32), nullable=False, server_default=""),
    sa.Column("department", sa.String(100), nullable=False, server_default=""),
    sa.Column("vip_level", sa.Integer, nullable=False, server_default="0"),
    sa.Column("password_hash", sa.String(255), nullable=False, server_default=""),
    # Presence belongs to the user, whichever phone or group it is set from.
    sa.Column("presence", sa.Integer, nullable=False, server_default="0"),
    sa.Column("presence_message", sa.String(255), nullable=False, server_default=""),
)

privileges = sa.Table(
    "privileges", metadata,
    sa.Column("user_id", sa.Integer, _fk("users.id"), primary_key=True),
    sa.Column("app", sa.String(32), primary_key=True),
    sa.Column("privilege", sa.String(32), primary_key=True),
)

devices = sa.Table(
    "devices", metadata,
    sa.Column("name", sa.String(64), primary_key=True),  # upper case, as CUCM shows it
    sa.Column("user_id", sa.Integer, _fk("users.id"), nullable=False, index=True),
    sa.Column("model", sa.String(64), nullable=False, server_default=""),
    # What the phone said on its last request (device registry, schema version 2).
    sa.Column("display", sa.String(64), nullable=False, server_default=""),  # x-CiscoIPPhoneDisplay
    sa.Column("address", sa.String(64), nullable=False, server_default=""),
    sa.Column("last_seen", sa.Float, nullable=False, server_default="0"),
)

groups = sa.Table(
    "groups", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name_key", sa.String(100), nullable=False, unique=True),  # casefolded name
    *[sa.Column(p.column, sa.Integer if isinstance(p.default, int) else sa.String(128), nullable=False)
      for p in GROUP_PARAMS],
)

# A member is one phone number of a user (a user with two phones has two members); it joins
# groups through group_members, which carry the per-group short name, role and position.
members = sa.Table(
    "members", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, _fk("users.id"), nullable=False, index=True),
    sa.Column("number", sa.String(32), nullable=False),
    sa.Column("displayed_group", sa.Integer, nullable=False, server_default="0"),  # 0: hidden
    sa.UniqueConstraint("user_id", "number"),
)

group_members = sa.Table(
    "group_members", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("group_id", sa.Integer, _fk("groups.id"), nullable=False),
    sa.Column("member_id", sa.Integer, _fk("members.id"), nullable=False, index=True),
    sa.Column("short_name", sa.String(8), nullable=False),
    sa.Column("type", sa.Integer, nullable=False),  # 1 manager, 0 member/assistant
    sa.Column("position", sa.Integer, nullable=False),  # 1-based, no gaps
    sa.UniqueConstraint("group_id", "member_id"),
)

forwarding = sa.Table(
    "forwarding", metadata,
    sa.Column("member_id", sa.Integer, _fk("members.id"), primary_key=True),
    # group | voicemail | mobile | number | member
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("number", sa.String(32), nullable=False, server_default=""),
    sa.Column("target_member_id", sa.Integer, _fk("members.id"), nullable=True, index=True),
)

announcements = sa.Table(
    "announcements", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("group_id", sa.Integer, _fk("groups.id"), nullable=False, index=True),
    sa.Column("wave", sa.String(128), nullable=False),
    sa.Column("priority", sa.Integer, nullable=False),  # 1..n, no gaps: play order
)

vip_numbers = sa.Table(
    "vip_numbers", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("member_id", sa.Integer, _fk("members.id"), nullable=False, index=True),
    sa.Column("number", sa.String(32), nullable=False),
    sa.Column("description", sa.String(255), nullable=False, server_default=""),
    sa.UniqueConstraint("member_id", "number"),
)

diversion_groups = sa.Table(
    "diversion_groups", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("name_key", sa.String(100), nullable=False, unique=True),
    sa.Column("description", sa.String(255), nullable=False, server_default=""),
    sa.Column("destination", sa.String(32), nullable=False),
    sa.Column("state", sa.String(3), nullable=False, server_default="OFF"),  # ON | OFF
)

diversion_lines = sa.Table(
    "diversion_lines", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("group_id", sa.Integer, _fk("diversion_groups.id"), nullable=False, index=True),
    sa.Column("number", sa.String(32), nullable=False),
    sa.Column("description", sa.String(255), nullable=False, server_default=""),
    sa.UniqueConstraint("group_id", "number"),
)

# Every switch of a diversion group, for the PhoneDiversions reports (schema version 3). Names are
# copied so that the record outlives the user or group.
diversion_log = sa.Table(
    "diversion_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.Float, nullable=False, index=True),  # epoch seconds
    sa.Column("group_id", sa.Integer, nullable=False),
    sa.Column("group_name", sa.String(100), nullable=False),
    sa.Column("user_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("state", sa.String(3), nullable=False),
    # where the switch came from (schema version 10): "Phone SEP…", "Web 10.0.0.5", "REST 10.0.0.5", "CLI"
    sa.Column("source", sa.String(100), nullable=False, server_default=""),
)

# Every call the PhoneDiversions Call Handler took (schema version 10), for its Reports tab: who called, the
# number first dialled (the receiver), its diversion group (name copied) and what happened (callhandler.py).
callhandler_log = sa.Table(
    "callhandler_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.Float, nullable=False, index=True),  # epoch seconds the call reached the Call Handler
    sa.Column("call_id", sa.String(64), nullable=False),
    sa.Column("caller_number", sa.String(32), nullable=False, server_default=""),
    sa.Column("receiver_number", sa.String(32), nullable=False, server_default=""),
    sa.Column("group_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("status", sa.String(16), nullable=False),
)

# Every call the routing engine handled and every outbound call of a member, written when the call ended,
# for the reports (schema version 4). Names are copied so that the record outlives the group; no foreign keys.
call_log = sa.Table(
    "call_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("call_id", sa.String(64), nullable=False),
    sa.Column("direction", sa.String(8), nullable=False),  # inbound | outbound
    sa.Column("caller_number", sa.String(32), nullable=False, server_default=""),
    sa.Column("caller_name", sa.String(255), nullable=False, server_default=""),
    sa.Column("called_number", sa.String(32), nullable=False, server_default=""),
    sa.Column("group_id", sa.Integer, nullable=True),
    sa.Column("group_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("members_rung", sa.Text, nullable=False, server_default=""),  # comma-separated, in ringing order
    # who talked to the caller last ("": nobody took it); taken_by: who took the call first (schema version 6)
    sa.Column("answered_by", sa.String(32), nullable=False, server_default=""),
    sa.Column("taken_by", sa.String(32), nullable=False, server_default=""),
    sa.Column("vip", sa.Integer, nullable=False, server_default="0"),  # 0 | 1
    sa.Column("started", sa.Float, nullable=False, index=True),  # epoch seconds
    sa.Column("answered", sa.Float, nullable=True),
    sa.Column("ended", sa.Float, nullable=False),
    # a member or outside number, voicemail:<box>, busy, or "" (the caller hung up while waiting)
    sa.Column("destination", sa.String(64), nullable=False, server_default=""),
    # `phonesvc calls --group` over a million records reads one group's calls in time order (schema version 7)
    sa.Index("ix_call_log_group_started", "group_id", "started"),
)

# What each logged call was for each member it concerned (schema version 10, domain/calls.py member_parts):
# the reports' per-member figures are sums over these indexed rows, never parsed out of members_rung.
call_members = sa.Table(
    "call_members", metadata,
    sa.Column("call_log_id", sa.Integer, primary_key=True),  # call_log.id (no foreign key, like call_log)
    sa.Column("number", sa.String(32), primary_key=True),
    sa.Column("group_id", sa.Integer, nullable=True),
    sa.Column("started", sa.Float, nullable=False),
    sa.Column("outbound", sa.Integer, nullable=False),  # 0 | 1
    sa.Column("connected", sa.Integer, nullable=False),  # 0 | 1
    sa.Column("missed", sa.Integer, nullable=False),  # 0 | 1
    sa.Column("seconds", sa.Float, nullable=False),
    # a period's figures read from the index alone (covering), one group's or all
    sa.Index("ix_call_members_period", "started", "group_id", "number", "outbound", "connected", "missed", "seconds"),
    sa.Index("ix_call_members_group", "group_id", "started"),
    sa.Index("ix_call_members_number", "number", "started"),  # the detail report of one member
)

# Settings of an application instance made in its web GUI (schema version 9), e.g. the Call Handler of
# PhoneDiversions: one row per (application, name), the value as text (JSON where it has parts).
app_settings = sa.Table(
    "app_settings", metadata,
    sa.Column("app", sa.String(32), primary_key=True),  # MAGroup | PhoneDiversions (domain/privileges.py)
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False, server_default=""),
)

schema_version = sa.Table(
    "schema_version", metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

# One row counting configuration writes (schema version 5): a process tells whether another one changed
# the configuration by reading one number instead of reloading everything.
config_version = sa.Table(
    "config_version", metadata,
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("pruned", sa.Integer, nullable=False, server_default="0"),  # journal entries up to here may be gone
)

# The change journal (schema version 8, store/journal.py): which snapshot keys the write numbered `version`
# touched, so that a process re-reads only those. Filled by triggers.
config_changes = sa.Table(
    "config_changes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False, index=True),
    sa.Column("part", sa.String(32), nullable=False),  # a Snapshot field: users, group_members ...
    sa.Column("key", sa.String(64), nullable=False),  # its key, as text
)
