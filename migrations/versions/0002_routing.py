"""routing: counterpart routes and cases

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "seen_event",
        sa.Column("event_id", String(length=64), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_table(
        "route",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", String(length=32), nullable=False),
        sa.Column("function", String(length=40), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", String(length=32), nullable=False),
        sa.Column("created_by", String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "function", "account_id", name="uq_route_function"),
    )
    op.create_table(
        "case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", String(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("function", String(length=40), nullable=False),
        sa.Column("status", String(length=16), nullable=False),
        sa.Column("origin_channel", String(length=32), nullable=False),
        sa.Column("origin_ts", String(length=32), nullable=False),
        sa.Column("origin_shared", sa.Boolean(), nullable=False),
        sa.Column("counterpart_channel", String(length=32), nullable=False),
        sa.Column("raised_by", String(length=32), nullable=False),
        sa.Column("note", String(length=3000), nullable=True),
        sa.Column("taken_by", String(length=32), nullable=True),
        sa.Column("resolved_by", String(length=32), nullable=True),
        sa.Column("resolution", String(length=3000), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("nudged_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "team_id", "origin_channel", "origin_ts", "function", name="uq_case_origin"
        ),
    )
    op.create_index("ix_case_origin", "case", ["origin_channel", "origin_ts"])
    op.create_index("ix_case_account_status", "case", ["account_id", "status"])
    op.create_index("ix_outbox_channel_ts", "outbox", ["channel", "ts"])


def downgrade() -> None:
    op.drop_index("ix_outbox_channel_ts", table_name="outbox")
    op.drop_table("case")
    op.drop_table("route")
    op.drop_table("seen_event")
