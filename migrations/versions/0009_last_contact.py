"""accounts: the last contact kept on the account

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("last_contact_on", sa.Date(), nullable=True))
    # Each account's last day, from its index on (account, day): one entry per account.
    op.execute(
        "UPDATE account SET last_contact_on = (SELECT max(interaction.occurred_on) "
        "FROM interaction WHERE interaction.account_id = account.id)"
    )


def downgrade() -> None:
    # Not a batch (a copy of the table): SQLite refuses to drop a table others refer to.
    op.drop_column("account", "last_contact_on")
