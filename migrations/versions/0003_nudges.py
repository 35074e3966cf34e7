"""nudges: digest preferences, the nudge ledger, snoozes, outbox expiry

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("digest_time", String(length=5), nullable=True))
        batch.add_column(
            sa.Column("digest_off", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))
    op.create_index("ix_promise_status_due", "promise", ["status", "due_on"])
    op.create_table(
        "nudge_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", String(length=32), nullable=False),
        sa.Column("user_id", String(length=32), nullable=False),
        sa.Column("kind", String(length=32), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("outbox_key", String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "user_id", "kind", "local_day", name="uq_nudge_once"),
    )
    op.create_table(
        "snooze",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", String(length=32), nullable=False),
        sa.Column("user_id", String(length=32), nullable=False),
        sa.Column("item_kind", String(length=16), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "user_id", "item_kind", "item_id", name="uq_snooze_item"),
    )


def downgrade() -> None:
    op.drop_table("snooze")
    op.drop_table("nudge_ledger")
    op.drop_index("ix_promise_status_due", table_name="promise")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("expires_at")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("digest_off")
        batch.drop_column("digest_time")
