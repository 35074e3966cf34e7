"""trust boundary: people's organisations, channel standing, message audiences

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("org_team_id", String(length=32), nullable=True))
        batch.add_column(sa.Column("org_enterprise_id", String(length=32), nullable=True))
        batch.add_column(sa.Column("name", String(length=200), nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("audience", String(length=16), nullable=False, server_default="internal")
        )
        batch.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("caused_by", String(length=32), nullable=True))
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("internal_channel_id", String(length=32), nullable=True))
        batch.add_column(
            sa.Column("clients_may_route", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("promise") as batch:
        batch.add_column(
            sa.Column("internal", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("case") as batch:
        batch.add_column(
            sa.Column("source_key", String(length=64), nullable=False, server_default="")
        )
        batch.drop_constraint("uq_case_origin", type_="unique")
        batch.drop_column("origin_shared")
    op.execute("UPDATE \"case\" SET source_key = 'case-' || CAST(id AS VARCHAR(20))")
    with op.batch_alter_table("case") as batch:
        batch.create_unique_constraint(
            "uq_case_source", ["team_id", "origin_channel", "source_key"]
        )
    op.create_table(
        "channel_state",
        sa.Column("channel_id", String(length=32), nullable=False),
        sa.Column("standing", String(length=16), nullable=False),
        sa.Column("dm_user", String(length=32), nullable=True),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel_id"),
    )


def downgrade() -> None:
    op.drop_table("channel_state")
    with op.batch_alter_table("case") as batch:
        batch.drop_constraint("uq_case_source", type_="unique")
        batch.add_column(
            sa.Column("origin_shared", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.drop_column("source_key")
    with op.batch_alter_table("case") as batch:
        batch.create_unique_constraint(
            "uq_case_origin", ["team_id", "origin_channel", "origin_ts", "function"]
        )
    with op.batch_alter_table("promise") as batch:
        batch.drop_column("internal")
    with op.batch_alter_table("account") as batch:
        batch.drop_column("clients_may_route")
        batch.drop_column("internal_channel_id")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("caused_by")
        batch.drop_column("account_id")
        batch.drop_column("audience")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("name")
        batch.drop_column("org_enterprise_id")
        batch.drop_column("org_team_id")
