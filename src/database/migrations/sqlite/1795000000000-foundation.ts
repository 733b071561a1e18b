import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1795000000000 implements MigrationInterface {
  name = 'Foundation1795000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "role_grants" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "user_id" integer NOT NULL,
                "role" varchar(32) NOT NULL,
                "scope_id" integer NOT NULL DEFAULT (0),
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_role_grants_scope" ON "role_grants" ("role", "scope_id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_role_grants" ON "role_grants" ("user_id", "role", "scope_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "users" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "email" varchar(254) NOT NULL,
                "display_name" varchar(200) NOT NULL DEFAULT (''),
                "password_hash" varchar(255),
                "language" varchar(8),
                "active" boolean NOT NULL DEFAULT (1),
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "updated_at" datetime NOT NULL DEFAULT (datetime('now')),
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_users_email" ON "users" ("email")
        `);
    await queryRunner.query(`
            CREATE TABLE "api_tokens" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "user_id" integer NOT NULL,
                "name" varchar(100) NOT NULL,
                "token_hash" varchar(64) NOT NULL,
                "prefix" varchar(16) NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "last_used_at" datetime,
                "revoked_at" datetime
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_api_tokens_hash" ON "api_tokens" ("token_hash")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_api_tokens_user" ON "api_tokens" ("user_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "login_throttles" (
                "key" varchar(100) PRIMARY KEY NOT NULL,
                "failures" integer NOT NULL DEFAULT (0),
                "last_failure_at" datetime NOT NULL,
                "blocked_until" datetime
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "audit_events" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "occurred_at" datetime NOT NULL,
                "actor_id" integer,
                "actor_label" varchar(254) NOT NULL,
                "action" varchar(64) NOT NULL,
                "subject_type" varchar(32),
                "subject_id" varchar(64),
                "ip" varchar(64),
                "detail" text NOT NULL,
                "prev_hash" varchar(64) NOT NULL,
                "hash" varchar(64) NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_audit_prev_hash" ON "audit_events" ("prev_hash")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_audit_actor" ON "audit_events" ("actor_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_audit_subject" ON "audit_events" ("subject_type", "subject_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "audit_head" (
                "id" integer PRIMARY KEY NOT NULL,
                "last_event_id" integer NOT NULL DEFAULT (0),
                "last_hash" varchar(64) NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "sessions" (
                "id_hash" varchar(64) PRIMARY KEY NOT NULL,
                "data" text NOT NULL,
                "user_id" integer,
                "expires_at" datetime NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_sessions_user" ON "sessions" ("user_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_sessions_expires" ON "sessions" ("expires_at")
        `);
    await queryRunner.query(`
            DROP INDEX "ix_role_grants_scope"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_role_grants"
        `);
    await queryRunner.query(`
            CREATE TABLE "temporary_role_grants" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "user_id" integer NOT NULL,
                "role" varchar(32) NOT NULL,
                "scope_id" integer NOT NULL DEFAULT (0),
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                CONSTRAINT "FK_2b1c3c28ffbc09b85170c655d4b" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
            )
        `);
    await queryRunner.query(`
            INSERT INTO "temporary_role_grants"(
                    "id",
                    "user_id",
                    "role",
                    "scope_id",
                    "created_at"
                )
            SELECT "id",
                "user_id",
                "role",
                "scope_id",
                "created_at"
            FROM "role_grants"
        `);
    await queryRunner.query(`
            DROP TABLE "role_grants"
        `);
    await queryRunner.query(`
            ALTER TABLE "temporary_role_grants"
                RENAME TO "role_grants"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_role_grants_scope" ON "role_grants" ("role", "scope_id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_role_grants" ON "role_grants" ("user_id", "role", "scope_id")
        `);
    await queryRunner.query(`
            DROP INDEX "uq_api_tokens_hash"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_api_tokens_user"
        `);
    await queryRunner.query(`
            CREATE TABLE "temporary_api_tokens" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "user_id" integer NOT NULL,
                "name" varchar(100) NOT NULL,
                "token_hash" varchar(64) NOT NULL,
                "prefix" varchar(16) NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "last_used_at" datetime,
                "revoked_at" datetime,
                CONSTRAINT "FK_b74883f5884a42fd8496d389b25" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
            )
        `);
    await queryRunner.query(`
            INSERT INTO "temporary_api_tokens"(
                    "id",
                    "user_id",
                    "name",
                    "token_hash",
                    "prefix",
                    "created_at",
                    "last_used_at",
                    "revoked_at"
                )
            SELECT "id",
                "user_id",
                "name",
                "token_hash",
                "prefix",
                "created_at",
                "last_used_at",
                "revoked_at"
            FROM "api_tokens"
        `);
    await queryRunner.query(`
            DROP TABLE "api_tokens"
        `);
    await queryRunner.query(`
            ALTER TABLE "temporary_api_tokens"
                RENAME TO "api_tokens"
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_api_tokens_hash" ON "api_tokens" ("token_hash")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_api_tokens_user" ON "api_tokens" ("user_id")
        `);
    // The audit chain starts from a fixed genesis hash (AuditService.GENESIS_HASH).
    await queryRunner.query(
      `INSERT INTO "audit_head" ("id", "last_event_id", "last_hash") VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "ix_api_tokens_user"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_api_tokens_hash"
        `);
    await queryRunner.query(`
            ALTER TABLE "api_tokens"
                RENAME TO "temporary_api_tokens"
        `);
    await queryRunner.query(`
            CREATE TABLE "api_tokens" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "user_id" integer NOT NULL,
                "name" varchar(100) NOT NULL,
                "token_hash" varchar(64) NOT NULL,
                "prefix" varchar(16) NOT NULL,
                "created_at" datetime NOT NULL DEFAULT (datetime('now')),
                "last_used_at" datetime,
                "revoked_at" datetime
            )
        `);
    await queryRunner.query(`
            INSERT INTO "api_tokens"(
                    "id",
                    "user_id",
                    "name",
                    "token_hash",
                    "prefix",
                    "created_at",
                    "last_used_at",
                    "revoked_at"
                )
            SELECT "id",
                "user_id",
                "name",
                "token_hash",
                "prefix",
                "created_at",
                "last_used_at",
                "revoked_at"
            FROM "temporary_api_tokens"
        `);
    await queryRunner.query(`
            DROP TABLE "temporary_api_tokens"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_api_tokens_user" ON "api_tokens" ("user_id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_api_tokens_hash" ON "api_tokens" ("token_hash")
        `);
    await queryRunner.query(`
            DROP INDEX "uq_role_grants"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_role_grants_scope"
        `);
    await queryRunner.query(`
            ALTER TABLE "role_grants"
                RENAME TO "temporary_role_grants"
        `);
    await queryRunner.query(`
            CREATE TABLE "role_grants" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "user_id" integer NOT NULL,
                "role" varchar(32) NOT NULL,
                "scope_id" integer NOT NULL DEFAULT (0),
                "created_at" datetime NOT NULL DEFAULT (datetime('now'))
            )
        `);
    await queryRunner.query(`
            INSERT INTO "role_grants"(
                    "id",
                    "user_id",
                    "role",
                    "scope_id",
                    "created_at"
                )
            SELECT "id",
                "user_id",
                "role",
                "scope_id",
                "created_at"
            FROM "temporary_role_grants"
        `);
    await queryRunner.query(`
            DROP TABLE "temporary_role_grants"
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_role_grants" ON "role_grants" ("user_id", "role", "scope_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_role_grants_scope" ON "role_grants" ("role", "scope_id")
        `);
    await queryRunner.query(`
            DROP INDEX "ix_sessions_expires"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_sessions_user"
        `);
    await queryRunner.query(`
            DROP TABLE "sessions"
        `);
    await queryRunner.query(`
            DROP TABLE "audit_head"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_audit_subject"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_audit_actor"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_audit_prev_hash"
        `);
    await queryRunner.query(`
            DROP TABLE "audit_events"
        `);
    await queryRunner.query(`
            DROP TABLE "login_throttles"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_api_tokens_user"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_api_tokens_hash"
        `);
    await queryRunner.query(`
            DROP TABLE "api_tokens"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_users_email"
        `);
    await queryRunner.query(`
            DROP TABLE "users"
        `);
    await queryRunner.query(`
            DROP INDEX "uq_role_grants"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_role_grants_scope"
        `);
    await queryRunner.query(`
            DROP TABLE "role_grants"
        `);
  }
}
