/**
 * Numbered schema migrations. Version N is applied when the file's user_version is N-1; each runs inside one
 * transaction together with the user_version bump, so a crash leaves the database at a whole version.
 * Never edit a migration that has shipped: add the next number instead.
 */
export const MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE images (
        id          INTEGER PRIMARY KEY,
        path        TEXT    NOT NULL,
        name        TEXT    NOT NULL,
        sha256      TEXT    NOT NULL UNIQUE,
        width       INTEGER NOT NULL CHECK (width > 0),
        height      INTEGER NOT NULL CHECK (height > 0),
        byte_length INTEGER NOT NULL CHECK (byte_length > 0),
        format      TEXT    NOT NULL,
        thumbnail   BLOB    NOT NULL,
        opened_at   TEXT    NOT NULL
      );
      CREATE INDEX images_opened_at ON images (opened_at DESC);

      CREATE TABLE runs (
        id             INTEGER PRIMARY KEY,
        image_id       INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
        task           TEXT    NOT NULL CHECK (task IN ('inpaint', 'outpaint', 'deblur', 'shift', 'rotate')),
        protocol       TEXT    NOT NULL CHECK (protocol IN ('reference', 'blind')),
        params         TEXT    NOT NULL CHECK (json_valid(params)),
        tokenizer_id   TEXT    NOT NULL,
        lm_id          TEXT    NOT NULL,
        status         TEXT    NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
        tokens_before  TEXT    CHECK (tokens_before IS NULL OR json_valid(tokens_before)),
        tokens_after   TEXT    CHECK (tokens_after IS NULL OR json_valid(tokens_after)),
        metrics        TEXT    CHECK (metrics IS NULL OR json_valid(metrics)),
        timings        TEXT    CHECK (timings IS NULL OR json_valid(timings)),
        error          TEXT,
        created_at     TEXT    NOT NULL,
        finished_at    TEXT,
        CHECK ((status = 'running') = (finished_at IS NULL))
      );
      CREATE INDEX runs_image ON runs (image_id, created_at DESC);

      CREATE TABLE run_outputs (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        kind   TEXT    NOT NULL,
        path   TEXT    NOT NULL,
        PRIMARY KEY (run_id, kind)
      );

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL CHECK (json_valid(value))
      );
    `,
  },
  {
    // Language models the user added. A file imported from disk is kept where it is, by reference (GGUFs are
    // gigabytes; a copy would double the disk use): a moved file shows as missing. Downloads and browser uploads
    // are the studio's own files (owned = 1), deleted with their entry.
    version: 2,
    sql: `
      CREATE TABLE lm_models (
        id       INTEGER PRIMARY KEY,
        path     TEXT    NOT NULL UNIQUE,
        source   TEXT    NOT NULL CHECK (source IN ('imported', 'downloaded', 'uploaded')),
        owned    INTEGER NOT NULL CHECK (owned IN (0, 1)),
        uri      TEXT,
        bytes    INTEGER NOT NULL CHECK (bytes > 0),
        info     TEXT    NOT NULL CHECK (json_valid(info)),
        added_at TEXT    NOT NULL
      );

      CREATE TABLE lm_downloads (
        uri         TEXT    PRIMARY KEY,
        folder      TEXT    NOT NULL,
        file_name   TEXT    NOT NULL,
        total_bytes INTEGER NOT NULL CHECK (total_bytes >= 0),
        started_at  TEXT    NOT NULL
      );
    `,
  },
  {
    // The editor's work on a photo (mask, crop, extension, task settings), saved as the user edits, so a crash
    // or a reload loses nothing. The document is the renderer's own JSON; the engine only keeps it.
    version: 3,
    sql: `
      CREATE TABLE image_edits (
        image_id INTEGER PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
        doc      TEXT    NOT NULL CHECK (json_valid(doc)),
        saved_at TEXT    NOT NULL
      );
    `,
  },
  {
    // Task names are the task registry's to validate (src-shared/tasks/registry.ts), so adding a task needs no
    // migration: the runs table is rebuilt without its CHECK on task (and on protocol). SQLite cannot drop a
    // constraint in place. Dropping the old table deletes its run_outputs rows by cascade (foreign keys are on,
    // and cannot be turned off inside the migration's transaction), so they are kept aside and put back.
    version: 4,
    sql: `
      CREATE TABLE runs_new (
        id             INTEGER PRIMARY KEY,
        image_id       INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
        task           TEXT    NOT NULL,
        protocol       TEXT    NOT NULL,
        params         TEXT    NOT NULL CHECK (json_valid(params)),
        tokenizer_id   TEXT    NOT NULL,
        lm_id          TEXT    NOT NULL,
        status         TEXT    NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
        tokens_before  TEXT    CHECK (tokens_before IS NULL OR json_valid(tokens_before)),
        tokens_after   TEXT    CHECK (tokens_after IS NULL OR json_valid(tokens_after)),
        metrics        TEXT    CHECK (metrics IS NULL OR json_valid(metrics)),
        timings        TEXT    CHECK (timings IS NULL OR json_valid(timings)),
        error          TEXT,
        created_at     TEXT    NOT NULL,
        finished_at    TEXT,
        CHECK ((status = 'running') = (finished_at IS NULL))
      );
      INSERT INTO runs_new SELECT * FROM runs;
      CREATE TEMP TABLE run_outputs_kept AS SELECT * FROM run_outputs;
      DROP TABLE runs;
      ALTER TABLE runs_new RENAME TO runs;
      CREATE INDEX runs_image ON runs (image_id, created_at DESC);
      INSERT INTO run_outputs SELECT * FROM run_outputs_kept;
      DROP TABLE run_outputs_kept;
    `,
  },
];
