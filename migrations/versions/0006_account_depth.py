"""key-account depth: stage history, account story, key contacts' roles, assessment, archive;
counterpart teams' working hours (route tz, workdays; case nudges)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("quiet_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("buys", String(length=1000), nullable=True))
        batch.add_column(sa.Column("competitors", String(length=1000), nullable=True))
        batch.add_column(sa.Column("perception", String(length=1000), nullable=True))
        batch.add_column(sa.Column("client_spoke_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("archived_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("roles", String(length=120), nullable=False, server_default=""))
        batch.add_column(sa.Column("attitude", String(length=16), nullable=True))
        batch.add_column(sa.Column("looks_after", String(length=32), nullable=True))
        batch.add_column(sa.Column("removed_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE contact SET roles = role WHERE role IS NOT NULL")
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("role")
    with op.batch_alter_table("interaction") as batch:
        batch.add_column(
            sa.Column("concern", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index(
        "ix_interaction_concern",
        "interaction",
        ["account_id", "occurred_on"],
        sqlite_where=sa.text("concern = 1"),
        postgresql_where=sa.text("concern"),
    )
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("home_opened_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("locale", String(length=16), nullable=True))
    op.create_table(
        "stage_move",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", String(length=16), nullable=False),
        sa.Column("to_stage", String(length=16), nullable=False),
        sa.Column("reason", String(length=1000), nullable=False),
        sa.Column("moved_by", String(length=32), nullable=False),
        sa.Column("moved_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stage_move_account_at", "stage_move", ["account_id", "moved_at"])
    op.create_table(
        "account_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", String(length=32), nullable=False),
        sa.Column("subject", String(length=32), nullable=True),
        sa.Column("detail", String(length=3000), nullable=False),
        sa.Column("by", String(length=32), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_account_event_account_at", "account_event", ["account_id", "at"])
    with op.batch_alter_table("route") as batch:
        batch.add_column(sa.Column("tz", String(length=64), nullable=True))
        batch.add_column(
            sa.Column(
                "workdays", String(length=32), nullable=False, server_default="mon,tue,wed,thu,fri"
            )
        )
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("nudges", sa.Integer(), nullable=False, server_default="0"))
    cases = sa.table("case", sa.column("nudges", sa.Integer()), sa.column("nudged_at"))
    op.execute(cases.update().where(cases.c.nudged_at.is_not(None)).values(nudges=1))


def downgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.drop_column("nudges")
    with op.batch_alter_table("route") as batch:
        batch.drop_column("workdays")
        batch.drop_column("tz")
    op.drop_index("ix_account_event_account_at", table_name="account_event")
    op.drop_table("account_event")
    op.drop_index("ix_stage_move_account_at", table_name="stage_move")
    op.drop_table("stage_move")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("locale")
        batch.drop_column("home_opened_at")
    op.drop_index("ix_interaction_concern", table_name="interaction")
    with op.batch_alter_table("interaction") as batch:
        batch.drop_column("concern")
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("role", String(length=16), nullable=True))
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("removed_at")
        batch.drop_column("looks_after")
        batch.drop_column("attitude")
        batch.drop_column("roles")
    with op.batch_alter_table("account") as batch:
        batch.drop_column("archived_at")
        batch.drop_column("client_spoke_at")
        batch.drop_column("perception")
        batch.drop_column("competitors")
        batch.drop_column("buys")
        batch.drop_column("quiet_days")
