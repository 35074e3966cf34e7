"""CSV in and out: `steward export --to DIR` writes a workspace as five files, `steward import`
reads them back, all or nothing, so that a second import changes nothing."""
