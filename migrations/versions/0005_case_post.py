"""cases: where each case's post is, recorded on the case

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("post_channel", String(length=32), nullable=True))
        batch.add_column(sa.Column("post_ts", String(length=32), nullable=True))
        batch.create_index("ix_case_post", ["post_channel", "post_ts"])


def downgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.drop_index("ix_case_post")
        batch.drop_column("post_ts")
        batch.drop_column("post_channel")
